"""How big the synthetic area is, and the default period each size covers."""

from __future__ import annotations

from enum import StrEnum


class DemoScale(StrEnum):
    """The size of the synthetic area ``safecity demo-data`` generates."""

    CITY = "city"
    """One city (about 150 LSOAs in 16 wards, one CSP) with a force extract."""
    NATIONAL = "national"
    """A synthetic England and Wales (43 forces, 300+ CSPs, about 34,000 LSOAs)."""


DEFAULT_LAST_MONTH = "2025-03"
"""The default period ends with March 2025 (the end of financial year 2024/25)."""

DEFAULT_MONTHS = {DemoScale.CITY: 36, DemoScale.NATIONAL: 12}
"""City: three financial years (so a three-year baseline exists); national: one year."""

NATIONAL_LSOA_COUNT = 34_000
"""LSOAs in the synthetic England and Wales (the real 2011 set has 34,753)."""
