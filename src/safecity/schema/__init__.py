"""Warehouse schema: table definitions and migrations."""
