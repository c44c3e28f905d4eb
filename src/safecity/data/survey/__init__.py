"""Residents' surveys: codebooks, loading respondents into the warehouse, and weighting."""
