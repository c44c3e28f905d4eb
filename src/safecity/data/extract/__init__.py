"""Force record-level extracts: crimes, victims and offenders, mapped from a force's columns."""
