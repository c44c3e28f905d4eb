"""Sparse data and exact ranks on real data: Southampton (CSP E22000120), February 2022.

One month of police.uk street crime for Hampshire, the ONS LSOA lookups, mid-2020 LSOA
populations and the 148 Southampton LSOA boundaries, all from ``../shared/data``. Every count,
population and rank is recomputed here from the published files with the ``csv`` module and
Python's ``fractions`` (not with the engine's functions).
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from tests.assess.test_real_southampton import SOUTHAMPTON_CSP, SOUTHAMPTON_LAD, _rows

from safecity.assess.engine import run_assessment
from safecity.assess.periods import parse_period
from safecity.data.police_uk.loader import load_police_uk
from safecity.data.reference.kinds import ReferenceKind
from safecity.data.reference.loader import load_reference
from safecity.data.warehouse import Warehouse
from safecity.spatial import IslandPolicy, queen_weights
from safecity.stats import rate_quantile_groups

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

MONTH = "2022-02"


@pytest.fixture(scope="module")
def february(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("southampton-sparse")
    hampshire = shared_data / "police-uk" / "hampshire"
    with Warehouse(folder / "w.duckdb") as warehouse:
        load_police_uk(
            warehouse,
            paths=[
                hampshire / "2017-02-hampshire-street.csv.gz",
                hampshire / f"{MONTH}-hampshire-street.csv.gz",
            ],
        )
        for kind, path in (
            (ReferenceKind.LSOA_LOOKUP, "geography/LSOA11_WD20_LAD20_EW_LU.csv.gz"),
            (ReferenceKind.CSP_LOOKUP, "geography/lookup_ltla24_csp24_pfa24.csv"),
            (ReferenceKind.POPULATION, "population/population20_lsoa11_syoa.csv.gz"),
            (ReferenceKind.BOUNDARIES, "boundaries/lsoa11_bsc_southampton.geojson"),
        ):
            load_reference(warehouse, kind=kind, path=shared_data / path)
        run_assessment(
            warehouse,
            area_code=SOUTHAMPTON_CSP,
            period=parse_period(f"{MONTH}..{MONTH}"),
            baseline=parse_period("2017-02..2017-02"),
            out_dir=folder / "artefact",
        )
    lsoas = {
        row["LSOA11CD"]
        for row in _rows(shared_data / "geography" / "LSOA11_WD20_LAD20_EW_LU.csv.gz")
        if row["LAD20CD"] == SOUTHAMPTON_LAD
    }
    population = {
        row["lsoa11_code"]: int(row["total_population"])
        for row in _rows(shared_data / "population" / "population20_lsoa11_syoa.csv.gz")
        if row["lsoa11_code"] in lsoas
    }
    crimes = [
        row
        for row in _rows(hampshire / f"{MONTH}-hampshire-street.csv.gz")
        if row["LSOA code"] in lsoas
    ]
    return {
        "out": folder / "artefact",
        "lsoas": sorted(lsoas),
        "population": population,
        "crimes": crimes,
    }


def _by_lsoa(february: dict[str, object], crime_type: str) -> dict[str, int]:
    crimes = february["crimes"]
    lsoas = february["lsoas"]
    assert isinstance(crimes, list)
    assert isinstance(lsoas, list)
    counts = Counter(row["LSOA code"] for row in crimes if row["Crime type"] == crime_type)
    return {code: counts.get(code, 0) for code in lsoas}


def _table(february: dict[str, object], name: str) -> pd.DataFrame:
    out = february["out"]
    assert isinstance(out, Path)
    return pd.read_csv(out / f"{name}.csv")


def test_one_month_of_robbery_gets_no_quintiles_and_says_why(february: dict[str, object]) -> None:
    robbery = _by_lsoa(february, "Robbery")
    total = sum(robbery.values())
    without = sum(1 for count in robbery.values() if count == 0)
    assert len(robbery) == 148
    share = without / 148
    assert share > 0.2  # most LSOAs had no robbery in the month
    quintiles = _table(february, "lsoa_quintiles")
    rows = quintiles[quintiles["indicator_id"] == "robbery"]
    assert len(rows) == 148
    assert rows["quintile"].isna().all()
    assert set(rows["caveat"]) == {
        f"too few crimes to group neighbourhoods reliably ({total} crimes in the area's 148"
        f" neighbourhoods, {share:.0%} of them with none): quintiles need at least 1 per"
        " neighbourhood (LSOA) on average and no more than 20% of neighbourhoods with none, or"
        " the neighbourhoods with none would tie across two quintiles and all be placed in the"
        " higher one"
    }
    # What the rule prevents: phe_quantile's equal-count quintiles would put every LSOA with no
    # robbery in quintile 1, "the fifth with the highest rates".
    population = february["population"]
    assert isinstance(population, dict)
    codes = sorted(robbery)
    unguarded = rate_quantile_groups(
        counts=[robbery[code] for code in codes], populations=[population[code] for code in codes]
    )
    zero = [robbery[code] == 0 for code in codes]
    assert set(unguarded.loc[zero, "quantile"]) == {1}
    public = pd.read_csv(Path(str(february["out"])) / "public" / "lsoa_quintiles.csv")
    assert public.loc[public["indicator_id"] == "robbery", "quintile"].isna().all()


def test_lsoa_ranks_and_quintiles_compare_rates_exactly(february: dict[str, object]) -> None:
    population = february["population"]
    assert isinstance(population, dict)
    counts = _by_lsoa(february, "Violence and sexual offences")
    rates = {code: Fraction(counts[code], population[code]) for code in population}
    # Ranks by hand: 1 + the number of LSOAs with a strictly higher rate (ties share the
    # smallest rank, methods.md §0.2a, §3.1).
    expected = {
        code: 1 + sum(other > rate for other in rates.values()) for code, rate in rates.items()
    }
    indicators = _table(february, "indicators")
    lsoa = indicators[
        (indicators["indicator_id"] == "violence_and_sexual_offences")
        & (indicators["area_level"] == "lsoa")
    ].set_index("area_code")
    assert lsoa["rank"].astype(int).to_dict() == expected
    assert set(lsoa["rank_of"]) == {148}
    # 5 crimes in 1,415 residents and 6 in 1,698 are both 1 in 283, but their float rates
    # differ in the last bit: a float ranking split them; the exact one does not.
    first, second = "E01017145", "E01017247"
    assert (counts[first], population[first], counts[second], population[second]) == (
        5,
        1415,
        6,
        1698,
    )
    assert lsoa.loc[first, "value"] != lsoa.loc[second, "value"]
    assert lsoa.loc[first, "rank"] == lsoa.loc[second, "rank"]
    # Quintiles are computed (few LSOAs without such crime in the month) and the pair shares
    # one; so does every set of LSOAs with equal rates.
    quintiles = _table(february, "lsoa_quintiles")
    grouped = quintiles[quintiles["indicator_id"] == "violence_and_sexual_offences"]
    grouped = grouped.set_index("area_code")
    assert grouped["quintile"].notna().all()
    assert (grouped["caveat"].fillna("") == "").all()
    tied: dict[Fraction, list[str]] = {}
    for code, rate in rates.items():
        tied.setdefault(rate, []).append(code)
    for codes in tied.values():
        assert grouped.loc[codes, "quintile"].nunique() == 1, codes


def test_sparse_lsoa_hot_spots_use_the_permutation_test(
    february: dict[str, object], shared_data: Path
) -> None:
    manifest = json.loads((Path(str(february["out"])) / "manifest.json").read_text())
    hotspots = manifest["families"]["hotspots"]
    # The typical neighbourhood, from the boundaries read here: the median number of queen
    # neighbours (an LSOA sharing no vertex joined to its nearest) plus the LSOA itself.
    with (shared_data / "boundaries" / "lsoa11_bsc_southampton.geojson").open() as stream:
        features = json.load(stream)["features"]
    polygons = shapely.from_geojson([json.dumps(feature["geometry"]) for feature in features])
    to_grid = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    projected = shapely.transform(
        polygons, lambda xy: np.column_stack(to_grid.transform(xy[:, 0], xy[:, 1]))
    )
    weights = queen_weights(
        projected,
        ids=[feature["properties"]["LSOA11CD"] for feature in features],
        islands=IslandPolicy.NEAREST,
        crs="EPSG:27700",
    )
    typical = statistics.median(int(count) + 1 for count in weights.cardinalities)
    assert hotspots["lsoa"]["typical_neighbourhood"] == typical
    table = _table(february, "hotspots_lsoa")
    by_group = table.groupby("group_id")["inference"].agg(set).to_dict()
    robbery = sum(_by_lsoa(february, "Robbery").values())
    violence = sum(_by_lsoa(february, "Violence and sexual offences").values())
    # Robbery: few crimes per neighbourhood, so the permutation test; violence: the normal one.
    assert robbery / 148 * typical < 10 <= violence / 148 * typical
    assert by_group["robbery"] == {"permutation"}
    assert by_group["violence_and_sexual_offences"] == {"normal approximation"}
    assert "robbery" in hotspots["lsoa"]["permutation_groups"]
    rows = table[table["group_id"] == "robbery"]
    assert (
        rows["caveat"]
        .str.contains("too few crimes for the usual normal approximation of Gi*", regex=False)
        .all()
    )
    assert rows["test"].str.contains("random rearrangements of the counts", regex=False).all()
    # Findings of permutation-tested groups say so in words.
    findings = _table(february, "findings")
    sparse_findings = findings[
        findings["finding_id"].str.startswith("hotspots_lsoa_")
        & findings["topic"].isin(hotspots["lsoa"]["permutation_groups"])
    ]
    assert sparse_findings["sentence"].str.contains("random rearrangements").all()
    # Grid notes of police.uk groups give the rate per cell and the rule, never the count.
    cells = hotspots["grid"]["cells"]
    note = manifest["skipped"]["hotspots_grid:robbery"]
    crimes = february["crimes"]
    assert isinstance(crimes, list)
    located = sum(
        1 for row in crimes if row["Crime type"] == "Robbery" and row["Longitude"].strip()
    )
    average = "under 0.01" if located / cells < 0.005 else f"{located / cells:.2f}"
    assert note.startswith(
        f"too few crimes to map reliably on the {hotspots['grid']['cell_size_m']:g} m grid:"
        f" {average} located crimes per cell on average"
    )
    assert f" {robbery} " not in note
