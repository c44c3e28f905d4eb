"""Public-health-grade statistics for crime indicators (``methods.md``).

Pure functions: array-likes in, a tidy :class:`pandas.DataFrame` out, one row per input.
"""
