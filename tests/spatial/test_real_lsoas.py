"""Gi*, Gi and local Moran's I on real Southampton LSOAs (IMD 2019 scores) against esda."""

from __future__ import annotations

import warnings
from pathlib import Path

import esda
import libpysal
import numpy as np
import pandas as pd
import pytest
from tests.spatial.helpers import ATOL, RTOL

from safecity.spatial import IslandPolicy, gi, gi_star, local_moran, queen_weights

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def southampton_imd(shared_data: Path, southampton_lsoas):
    polygons, codes = southampton_lsoas
    scores = pd.read_csv(
        shared_data / "deprivation" / "imd2019_england_lsoa11_scores.csv.gz"
    ).set_index("lsoa11_code")["imd_score"]
    values = scores.reindex(codes).to_numpy(dtype=float)
    assert np.isfinite(values).all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        libpysal_queen = libpysal.weights.Queen.from_iterable(list(polygons))
    ours = queen_weights(polygons, ids=codes, islands=IslandPolicy.RAISE)
    return values, ours, libpysal_queen, codes


def test_gi_star_and_gi_on_imd_scores_agree_with_esda(southampton_imd) -> None:
    values, ours_weights, libpysal_queen, codes = southampton_imd
    for star, function in ((True, gi_star), (False, gi)):
        ours = function(values=values, weights=ours_weights)
        theirs = esda.G_Local(values, libpysal_queen, transform="B", star=star, permutations=0)
        np.testing.assert_allclose(ours["gi_z"], theirs.Zs, rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(ours["variance_g"], theirs.VGs, rtol=RTOL, atol=ATOL)
        assert ours["id"].tolist() == codes
    hot = gi_star(values=values, weights=ours_weights)
    # Deprivation in Southampton clusters: some LSOAs are significant hot spots after FDR.
    assert (hot["hotspot"] == "hot spot").sum() > 0


def test_local_moran_on_imd_scores_agrees_with_esda(southampton_imd) -> None:
    values, ours_weights, libpysal_queen, _ = southampton_imd
    ours = local_moran(values=values, weights=ours_weights, permutations=0)
    theirs = esda.Moran_Local(values, libpysal_queen, transformation="r", permutations=0)
    np.testing.assert_allclose(ours["local_i"], theirs.Is, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(ours["variance_i"], theirs.VI, rtol=RTOL, atol=ATOL)
    assert [quadrant.pysal_code for quadrant in ours["quadrant"]] == theirs.q.tolist()
