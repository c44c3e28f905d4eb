"""Scheduled jobs (retention, and later alerts): one runner for the whole site, run by cron."""
