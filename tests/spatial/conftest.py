"""Fixtures for the spatial tests: real boundaries read with shapely."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tests.spatial.helpers import read_boundaries


@pytest.fixture(scope="session")
def southampton_lsoas(shared_data: Path) -> tuple[np.ndarray, list[str]]:
    """The 148 Southampton LSOA (2011) polygons, longitude/latitude."""
    return read_boundaries(shared_data / "boundaries" / "lsoa11_bsc_southampton.geojson")
