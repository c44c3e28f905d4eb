"""Community reporting (issue 13): public, reporting-centre and business reports, Open311."""
