"""Alerts: tell partner staff when something needs them, in the portal and by email (issue 14)."""
