"""Spatial statistics: hotspots, spatial weights and kernel density (``methods.md`` §6)."""
