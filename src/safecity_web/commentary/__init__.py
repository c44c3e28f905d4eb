"""Recommendations the analyst decides on, commentary by section and indicator, area notes."""
