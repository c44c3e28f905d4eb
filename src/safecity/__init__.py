"""Safe City: Strategic Assessments for Community Safety Partnerships in England and Wales."""

__version__ = "0.1.0"
