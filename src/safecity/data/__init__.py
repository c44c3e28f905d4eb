"""Data sources, the warehouse, reference data and the synthetic city."""
