"""The Strategic Assessment engine: every figure family of a CSP assessment, from the warehouse.

Aggregations are Ibis expressions on the warehouse (DuckDB by default); statistics
(:mod:`safecity.stats`, :mod:`safecity.spatial`) run on the small aggregated tables.
"""
