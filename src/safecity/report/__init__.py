"""The Strategic Assessment report: an HTML and PDF document built from an Assessment artefact.

Nothing in the report is computed from raw data: every number comes from a table of the
artefact that ``safecity assess`` wrote (see ``docs/assessment.md``).
"""
