"""Family 7 (hot spots): Gi* on LSOAs and a grid checked against the Getis–Ord formula computed
here with numpy, and the demo city's planted hot spot LSOAs found.

The independent computation follows Ord & Getis (1995) as written in ``methods.md`` §6.1:
Gi*(i) = [Σ_j w_ij x_j − x̄ W_i] / (S √([n W_i − W_i²]/(n − 1))) for binary weights with
w_ii = 1, two-sided normal p-values, and Benjamini & Hochberg (1995) adjusted p-values.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import warnings
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from safecity.assess.crime_groups import CrimeGroup, DataSource
from safecity.assess.families.hotspots import (
    KDE_GROUPS,
    SNAP_POINT_CAVEAT,
    SNAP_POINT_NOTE,
    HotspotNotes,
    area_grid,
    grid_hotspots,
    lsoa_findings,
    lsoa_hotspots,
    lsoa_polygons_bng,
)
from safecity.assess.periods import Period
from safecity.data.warehouse import Warehouse
from safecity.spatial import IslandPolicy, queen_weights

PERIOD = Period(first_month=date(2024, 4, 1), last_month=date(2025, 3, 1))
VIOLENCE = CrimeGroup(id="violence", name="Violence", police_uk_categories=("Violence",))
ASB = CrimeGroup(
    id="asb", name="Anti-social behaviour", police_uk_categories=("ASB",), unit="incidents"
)
ROBBERY = CrimeGroup(id="robbery", name="Robbery", police_uk_categories=("Robbery",))


def _gi_star_by_hand(values: np.ndarray, adjacency: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """z and two-sided p of Gi* with binary weights plus self (Ord & Getis 1995)."""
    n = len(values)
    weights = adjacency + np.eye(n)
    mean = values.sum() / n
    spread = math.sqrt((values**2).sum() / n - mean**2)
    z = np.empty(n)
    for i in range(n):
        total_weight = weights[i].sum()
        local = (weights[i] * values).sum()
        z[i] = (local - mean * total_weight) / (
            spread * math.sqrt((n * total_weight - total_weight**2) / (n - 1))
        )
    p = np.array([math.erfc(abs(value) / math.sqrt(2)) for value in z])
    return z, p


def _bh_by_hand(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg: p_(k) m / k, made monotone from the largest p down."""
    m = len(p)
    order = np.argsort(p)
    adjusted = np.empty(m)
    running = 1.0
    for rank in range(m, 0, -1):
        index = order[rank - 1]
        running = min(running, p[index] * m / rank)
        adjusted[index] = running
    return adjusted


def _lattice_adjacency(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Queen neighbours on a lattice: cells whose row and column differ by at most one."""
    row_gap = np.abs(rows[:, None] - rows[None, :])
    col_gap = np.abs(cols[:, None] - cols[None, :])
    adjacency = (row_gap <= 1) & (col_gap <= 1)
    np.fill_diagonal(adjacency, False)
    weights: np.ndarray = adjacency.astype(float)
    return weights


# A 6 x 6 block of square "LSOAs" near Southampton (WGS84 degrees), row-major from the south-west,
# with a busy 2 x 2 block in the middle.
SIDE = 6
LSOA_COUNTS = np.array(
    [
        [1, 2, 0, 3, 1, 2],
        [2, 1, 3, 0, 2, 1],
        [0, 3, 30, 25, 1, 0],
        [1, 0, 28, 26, 3, 2],
        [3, 1, 0, 2, 0, 1],
        [2, 0, 1, 3, 2, 1],
    ]
).ravel()
CENTRE = [14, 15, 20, 21]


EASTS = [-1.42 + 0.01 * step for step in range(SIDE + 1)]
NORTHS = [50.90 + 0.01 * step for step in range(SIDE + 1)]


def _lsoa_codes() -> list[str]:
    return [f"E0199{index:04d}" for index in range(SIDE * SIDE)]


@pytest.fixture(scope="module")
def lsoa_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    path = tmp_path_factory.mktemp("hotspots") / "safecity.duckdb"
    warehouse = Warehouse(path)
    rows = []
    for index, code in enumerate(_lsoa_codes()):
        row, col = divmod(index, SIDE)
        # Shared edges computed once, so neighbours share vertices exactly (as real boundaries).
        square = shapely.box(EASTS[col], NORTHS[row], EASTS[col + 1], NORTHS[row + 1])
        rows.append(
            (
                "lsoa",
                code,
                2011,
                f"Fixture {index:03d}",
                shapely.to_wkb(square),
                0.0,
                0.0,
                1.0,
                "fixture",
                1,
            )
        )
    # An LSOA of another vintage is not read.
    rows.append(("lsoa", "E01990000", 2021, "Other", shapely.to_wkb(shapely.box(0, 0, 1, 1)),
                 0.0, 0.0, 1.0, "fixture", 1))  # fmt: skip
    warehouse.connection.executemany(
        "INSERT INTO boundary (area_level, area_code, area_vintage, area_name, geometry_wkb,"
        " centroid_easting, centroid_northing, area_hectares, boundary_set, file_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    return warehouse


def _lsoas() -> pd.DataFrame:
    codes = _lsoa_codes()
    return pd.DataFrame(
        {
            "lsoa_code": codes,
            "lsoa_name": [f"Fixture {index:03d}" for index in range(len(codes))],
            "ward_code": ["W1" if index < 18 else "W2" for index in range(len(codes))],
            "ward_name": ["South" if index < 18 else "North" for index in range(len(codes))],
        }
    )


def _monthly_counts(totals: np.ndarray, group_id: str) -> pd.DataFrame:
    """Each LSOA's total split over two months of the period, plus a month outside it."""
    rows = []
    for code, total in zip(_lsoa_codes(), totals, strict=True):
        first = int(total) // 2
        rows.append((code, pd.Timestamp("2024-05-01"), group_id, first))
        rows.append((code, pd.Timestamp("2025-03-01"), group_id, int(total) - first))
        rows.append((code, pd.Timestamp("2024-03-01"), group_id, 50))  # before the period
    return pd.DataFrame(rows, columns=["lsoa_code", "month", "group_id", "count"])


def _lsoa_table(
    warehouse: Warehouse,
    counts: pd.DataFrame,
    groups: tuple[CrimeGroup, ...] = (VIOLENCE, ASB),
) -> tuple[pd.DataFrame, dict[str, str]]:
    polygons = lsoa_polygons_bng(warehouse, lsoa_codes=_lsoa_codes(), lsoa_vintage=2011)
    weights = queen_weights(
        polygons["geometry"].to_numpy(),
        ids=polygons["lsoa_code"].tolist(),
        islands=IslandPolicy.NEAREST,
        crs="EPSG:27700",
    )
    skipped: dict[str, str] = {}
    table = lsoa_hotspots(
        counts=counts,
        weights=weights,
        lsoas=_lsoas(),
        groups=list(groups),
        sources={"violence": "extract", "asb": "police_uk", "robbery": "police_uk"},
        period=PERIOD,
        skipped=skipped,
    )
    return table, skipped


def test_lsoa_polygons_are_projected_to_british_national_grid(lsoa_warehouse: Warehouse) -> None:
    polygons = lsoa_polygons_bng(lsoa_warehouse, lsoa_codes=_lsoa_codes(), lsoa_vintage=2011)
    assert polygons["lsoa_code"].tolist() == _lsoa_codes()
    bounds = shapely.bounds(polygons["geometry"].to_numpy())
    # -1.42 E, 50.90 N lies near easting 440,000, northing 111,000 (OS grid square SU41).
    assert 435_000 < bounds[:, 0].min() < 445_000
    assert 105_000 < bounds[:, 1].min() < 115_000
    # A 0.01-degree square there is about 700 m east-west and 1,110 m north-south.
    assert len(polygons) == SIDE * SIDE
    widths = bounds[:, 2] - bounds[:, 0]
    heights = bounds[:, 3] - bounds[:, 1]
    assert np.all((widths > 690) & (widths < 715))
    assert np.all((heights > 1100) & (heights < 1120))


def test_lsoa_gi_star_matches_the_formula_computed_by_hand(lsoa_warehouse: Warehouse) -> None:
    counts = pd.concat(
        [_monthly_counts(LSOA_COUNTS, "violence"), _monthly_counts(np.full(SIDE * SIDE, 3), "asb")]
    )
    table, skipped = _lsoa_table(lsoa_warehouse, counts)
    violence = table[table["group_id"] == "violence"].set_index("lsoa_code").loc[_lsoa_codes()]
    assert violence["count"].tolist() == LSOA_COUNTS.tolist()  # the month before is left out
    rows, cols = np.divmod(np.arange(SIDE * SIDE), SIDE)
    adjacency = _lattice_adjacency(rows, cols)
    z, p = _gi_star_by_hand(LSOA_COUNTS.astype(float), adjacency)
    adjusted = _bh_by_hand(p)
    np.testing.assert_allclose(violence["gi_z"], z, rtol=1e-10)
    np.testing.assert_allclose(violence["p"], p, rtol=1e-10)
    np.testing.assert_allclose(violence["p_fdr"], adjusted, rtol=1e-10)
    assert violence["n_neighbours"].tolist() == adjacency.sum(axis=1).astype(int).tolist()
    # 153 crimes in 36 LSOAs, 6 LSOAs to a typical neighbourhood: 25.5 expected, so the
    # analytic test (the minimum is 10).
    assert (violence["inference"] == "normal approximation").all()
    hot = (z > 0) & (adjusted < 0.05)
    cold = (z < 0) & (adjusted < 0.05)
    expected = np.where(hot, "hot spot", np.where(cold, "cold spot", "not significant"))
    assert violence["hotspot"].tolist() == expected.tolist()
    # Exactly the busy centre block is hot after FDR (BH-adjusted p 0.004; the rest > 0.48).
    assert np.flatnonzero(hot).tolist() == CENTRE
    # Gi_Bin from the BH-adjusted p: 99% below 0.01, 95% below 0.05, 90% below 0.10.
    codes = np.where(
        adjusted < 0.01, 3, np.where(adjusted < 0.05, 2, np.where(adjusted < 0.1, 1, 0))
    )
    assert violence["gi_bin_code"].tolist() == (np.sign(z) * codes).astype(int).tolist()
    # Ids, wards and the caveats.
    assert violence["row_id"].iloc[14] == f"hotspots_lsoa:violence:{_lsoa_codes()[14]}:2024/25"
    assert violence["ward_name"].iloc[0] == "South"
    assert violence["ward_name"].iloc[35] == "North"
    assert "Gi* on counts, not rates" in violence["caveat"].iloc[0]
    assert SNAP_POINT_CAVEAT not in violence["caveat"].iloc[0]
    # Every LSOA with 3 ASB incidents: Gi* is undefined, so the group is skipped with why.
    assert "asb" not in set(table["group_id"])
    assert skipped == {"hotspots_lsoa:asb": "every LSOA has 3 incidents: Gi* is undefined"}


def test_lsoa_without_counts_is_zero_and_police_uk_rows_carry_the_snap_point_caveat(
    lsoa_warehouse: Warehouse,
) -> None:
    counts = _monthly_counts(LSOA_COUNTS, "asb")
    counts = counts[counts["lsoa_code"] != _lsoa_codes()[1]]
    table, _ = _lsoa_table(lsoa_warehouse, counts)
    asb = table.set_index("lsoa_code")
    assert asb.loc[_lsoa_codes()[1], "count"] == 0
    assert asb.loc[_lsoa_codes()[14], "count"] == 30
    assert all(SNAP_POINT_CAVEAT in caveat for caveat in asb["caveat"])


# A sparse group: a 3 x 3 block of LSOAs with 3 robberies each and three lone robberies, 30 in
# the 36 LSOAs; 5 expected in a typical neighbourhood of 6 LSOAs, below the analytic minimum.
ROBBERY_COUNTS = np.zeros(SIDE * SIDE, dtype=np.int64)
ROBBERY_COUNTS[[7, 8, 9, 13, 14, 15, 19, 20, 21]] = 3
ROBBERY_COUNTS[[0, 5, 35]] = 1


def test_sparse_lsoa_group_is_tested_by_permutation_and_says_so(
    lsoa_warehouse: Warehouse,
) -> None:
    counts = pd.concat(
        [_monthly_counts(LSOA_COUNTS, "violence"), _monthly_counts(ROBBERY_COUNTS, "robbery")]
    )
    table, skipped = _lsoa_table(lsoa_warehouse, counts, groups=(VIOLENCE, ROBBERY))
    assert skipped == {}
    robbery = table[table["group_id"] == "robbery"].set_index("lsoa_code").loc[_lsoa_codes()]
    violence = table[table["group_id"] == "violence"]
    assert (robbery["inference"] == "permutation").all()
    assert (violence["inference"] == "normal approximation").all()
    # 36 LSOAs: 2 x 36 / 0.05 = 1,440 -> 1,999 permutations, so one LSOA alone could pass BH.
    assert robbery["test"].iloc[0] == (
        "Getis–Ord Gi*, queen contiguity, tested against 1,999 random rearrangements of the"
        " counts as there are too few crimes for the usual normal approximation, 95% after"
        " Benjamini–Hochberg FDR"
    )
    assert (
        robbery["caveat"]
        .iloc[0]
        .endswith(
            "too few crimes for the usual normal approximation of Gi* (fewer than 10 expected in a"
            " typical neighbourhood of an LSOA and its neighbours): significance from 1,999 random"
            " rearrangements of the counts"
        )
    )
    assert "30" not in robbery["caveat"].iloc[0]
    # p is the two-sided permutation p-value: 2 (min(U, L) + 1) / 2,000, capped at 1.
    p = robbery["p"].to_numpy()
    steps = p * 2000 / 2
    assert np.allclose(steps[p < 1], np.round(steps[p < 1]))
    np.testing.assert_allclose(robbery["p_fdr"], _bh_by_hand(p), rtol=1e-12)
    # Only the block's centre (all 8 neighbours in the block) is a hot spot; the analytic
    # test would also call the four LSOAs beside it hot.
    hot = robbery["hotspot"] == "hot spot"
    assert np.flatnonzero(hot.to_numpy()).tolist() == [14]
    assert (robbery["hotspot"] != "cold spot").all()
    z, analytic_p = _gi_star_by_hand(
        ROBBERY_COUNTS.astype(float),
        _lattice_adjacency(*np.divmod(np.arange(SIDE * SIDE), SIDE)),
    )
    analytic_hot = (z > 0) & (_bh_by_hand(analytic_p) < 0.05)
    assert np.flatnonzero(analytic_hot).tolist() == [8, 13, 14, 15, 20]
    # The finding names the permutation test in words.
    (finding,) = lsoa_findings(table[table["group_id"] == "robbery"], groups=[ROBBERY])
    assert finding.sentence == (
        "1 LSOA is a statistically significant hotspot of robbery (Getis–Ord Gi*, queen"
        " contiguity, tested against 1,999 random rearrangements of the counts as there are too"
        " few crimes for the usual normal approximation, 95% after Benjamini–Hochberg FDR), in"
        " South ward."
    )
    assert finding.row_ids == (f"hotspots_lsoa:robbery:{_lsoa_codes()[14]}:2024/25",)


def _points(rng: np.random.Generator) -> pd.DataFrame:
    """Background crimes over 3 km x 2 km every month, and a cluster busy every month."""
    frames = []
    for month in PERIOD.months:
        background = 400
        frames.append(
            pd.DataFrame(
                {
                    "x": rng.uniform(440_000, 443_000, background),
                    "y": rng.uniform(110_000, 112_000, background),
                    "month": pd.Timestamp(month),
                    "group_id": "violence",
                    "count": 1,
                }
            )
        )
        frames.append(
            pd.DataFrame(
                {
                    "x": rng.uniform(441_500, 441_600, 30),
                    "y": rng.uniform(111_000, 111_100, 30),
                    "month": pd.Timestamp(month),
                    "group_id": "violence",
                    "count": 1,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def test_grid_gi_star_counts_classes_and_kde() -> None:
    points = _points(np.random.default_rng(7))
    grid, cell_size = area_grid(points)
    # sfhotspot's rule gives 2,000 m / 50 = 40 m; snap points need at least 100 m.
    assert cell_size == 100.0
    notes = HotspotNotes()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tables = grid_hotspots(
            points=points,
            grid=grid,
            cell_size=cell_size,
            groups=[VIOLENCE],
            sources={"violence": DataSource.POLICE_UK.value},
            period=PERIOD,
            notes=notes,
            kde_groups=("violence",),
        )
    hot = tables.hotspots.set_index("cell_id").loc[grid["cell_id"]]
    # Counts per cell, binned here by hand on the half-open cells.
    col = np.floor((points["x"] - grid["x_min"].min()) / cell_size).astype(int)
    row = np.floor((points["y"] - grid["y_min"].min()) / cell_size).astype(int)
    binned = pd.Series(1, index=pd.MultiIndex.from_arrays([row, col])).groupby(level=[0, 1]).sum()
    by_hand = binned.reindex(
        pd.MultiIndex.from_arrays([grid["row"], grid["col"]]), fill_value=0
    ).to_numpy()
    assert hot["count"].tolist() == by_hand.tolist()
    assert hot["count"].sum() == len(points)
    z, p = _gi_star_by_hand(
        by_hand.astype(float),
        _lattice_adjacency(grid["row"].to_numpy(), grid["col"].to_numpy()),
    )
    np.testing.assert_allclose(hot["gi_z"], z, rtol=1e-9)
    np.testing.assert_allclose(hot["p_fdr"], _bh_by_hand(p), rtol=1e-9)
    cluster = (grid["x_centre"].between(441_500, 441_600)) & (
        grid["y_centre"].between(111_000, 111_100)
    )
    assert hot.loc[cluster.to_numpy(), "hotspot"].eq("hot spot").all()
    # The cluster is busy every month: a persistent hot spot over the 12 months.
    classes = tables.classes.set_index("cell_id").loc[grid["cell_id"]]
    assert (classes["periods"] == 12).all()
    assert classes.loc[cluster.to_numpy(), "hotspot_category"].eq("persistent hotspot").all()
    assert (classes.loc[cluster.to_numpy(), "significant_hot"] >= 10).all()
    # KDE: densest at the cluster; bandwidth floor of 250 m on snap points; caveat applied.
    kde = tables.kde.set_index("cell_id").loc[grid["cell_id"]]
    assert kde["bandwidth"].iloc[0] >= 250.0
    assert cluster.to_numpy()[int(np.argmax(kde["density_per_km2"].to_numpy()))]
    assert (tables.hotspots["caveat"] == SNAP_POINT_CAVEAT).all()
    assert tables.hotspots["row_id"].iloc[0] == "hotspots_grid:violence:0:2024/25"


def test_sparse_group_is_not_mapped_on_the_grid() -> None:
    points = _points(np.random.default_rng(3))
    sparse = points.iloc[:40].assign(group_id="asb")
    grid, cell_size = area_grid(points)
    notes = HotspotNotes()
    tables = grid_hotspots(
        points=pd.concat([points, sparse], ignore_index=True),
        grid=grid,
        cell_size=cell_size,
        groups=[VIOLENCE, ASB],
        sources={"violence": "police_uk", "asb": "police_uk"},
        period=PERIOD,
        notes=notes,
        kde_groups=("violence", "asb"),
    )
    assert set(tables.hotspots["group_id"]) == {"violence"}
    assert set(notes.skipped) == {"hotspots_grid:asb"}
    # 40 incidents on the 30 x 20 cells: 0.07 per cell; the grid test needs 10 expected in a
    # cell and its 8 neighbours, 10 / 9 = 1.11 per cell. The text gives the rule and the rate
    # per cell, never the count.
    assert len(grid) == 600
    assert notes.skipped["hotspots_grid:asb"] == (
        "too few incidents to map reliably on the 100 m grid: 0.07 located incidents per cell"
        " on average, under the 1.11 the grid test needs (at least 10 expected in a typical"
        " cell and its neighbours, for the normal approximation of Gi*); grid hot spots,"
        " emerging and persistent classes and kernel density are not computed; see the LSOA"
        " hot spots"
    )
    assert "40" not in notes.skipped["hotspots_grid:asb"]


def test_sparse_grid_note_of_a_protected_source_gives_no_rate_that_reveals_the_count() -> None:
    points = _points(np.random.default_rng(3))
    sparse = points.iloc[:3].assign(group_id="asb")
    grid, cell_size = area_grid(points)
    notes = HotspotNotes()
    grid_hotspots(
        points=pd.concat([points, sparse], ignore_index=True),
        grid=grid,
        cell_size=cell_size,
        groups=[VIOLENCE, ASB],
        sources={"violence": "extract", "asb": "extract"},
        period=PERIOD,
        notes=notes,
        kde_groups=(),
    )
    assert notes.skipped["hotspots_grid:asb"].startswith(
        "too few incidents to map reliably on the 100 m grid: under the 1.11 located incidents"
        " per cell on average the grid test needs"
    )
    assert "0.01" not in notes.skipped["hotspots_grid:asb"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    folder = tmp_path_factory.mktemp("demo")
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("SAFECITY_")
    }
    environment["HOME"] = str(folder / "home")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "safecity"), "demo", "--json"],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(result.stdout)
    return folder, report


def test_demo_planted_hotspot_lsoas_are_found(demo: tuple[Path, dict[str, object]]) -> None:
    folder, report = demo
    planted = set(report["dataset"]["planted"]["hotspot_lsoa_codes"])  # type: ignore[index]
    artefact = folder / report["assessment"]["artefact"]  # type: ignore[index]
    table = pd.read_csv(artefact / "hotspots_lsoa.csv")
    for group in ("all_crime", "violence_and_sexual_offences", "asb"):
        hot = set(
            table[(table["group_id"] == group) & (table["hotspot"] == "hot spot")]["lsoa_code"]
        )
        assert planted <= hot, group
        # Far fewer hot LSOAs than the 150: the planted ones and their neighbours.
        assert len(hot) < 20
    # Findings cite rows of the table, naming the test.
    findings = pd.read_csv(artefact / "findings.csv")
    finding = findings[findings["finding_id"] == "hotspots_lsoa_all_crime"].iloc[0]
    cited = set(str(finding["row_ids"]).split(";"))
    rows = table[table["row_id"].isin(cited)]
    assert len(rows) == len(cited)
    assert (rows["hotspot"] == "hot spot").all()
    assert str(finding["sentence"]).startswith(f"{len(cited)} LSOAs are statistically significant")
    assert "Benjamini–Hochberg FDR" in str(finding["sentence"])
    # Public tables: no counts; police.uk rows (ASB) carry the snap-point caveat.
    public = pd.read_csv(artefact / "public" / "hotspots_lsoa.csv")
    assert "count" not in public.columns
    assert "gi_z" not in public.columns
    assert (public[public["source"] == "police_uk"]["caveat"].str.contains("snap points")).all()
    assert "count" not in pd.read_csv(artefact / "public" / "hotspots_grid.csv").columns
    public_kde = pd.read_csv(artefact / "public" / "kde_grid.csv")
    assert "expected_per_cell" not in public_kde.columns
    assert {"x_centre", "y_centre", "density_per_km2", "in_area"} <= set(public_kde.columns)
    manifest = json.loads((artefact / "manifest.json").read_text())
    assert manifest["families"]["hotspots"]["snap_point_caveat"] == SNAP_POINT_NOTE
    assert "never read a location as an address" in SNAP_POINT_NOTE
    assert manifest["families"]["hotspots"]["grid"]["cell_size_m"] >= 100


def test_demo_grid_hotspots_lie_on_the_planted_lsoas(demo: tuple[Path, dict[str, object]]) -> None:
    folder, report = demo
    planted = report["dataset"]["planted"]["hotspot_lsoa_codes"]  # type: ignore[index]
    artefact = folder / report["assessment"]["artefact"]  # type: ignore[index]
    grid = pd.read_csv(artefact / "hotspots_grid.csv")
    hot = grid[(grid["group_id"] == "all_crime") & (grid["hotspot"] == "hot spot")]
    (warehouse_path,) = folder.rglob("safecity.duckdb")
    with Warehouse(warehouse_path, read_only=True) as warehouse:
        polygons = lsoa_polygons_bng(
            warehouse, lsoa_codes=list(planted), lsoa_vintage=2011
        ).set_index("lsoa_code")
    centres = shapely.points(hot["x_centre"].to_numpy(), hot["y_centre"].to_numpy())
    for code in planted:
        inside = shapely.contains(polygons.loc[code, "geometry"], centres)
        assert inside.any(), code
    # Cells whose centre lies in a planted LSOA are in the area; the hull's corners may not be.
    cells = grid[grid["group_id"] == "all_crime"]
    in_planted = shapely.contains_xy(
        shapely.union_all(polygons["geometry"].to_numpy()),
        cells["x_centre"].to_numpy(),
        cells["y_centre"].to_numpy(),
    )
    assert cells.loc[in_planted, "in_area"].all()
    assert cells["in_area"].mean() > 0.5
    classes = pd.read_csv(artefact / "hotspot_classes.csv")
    persistent = classes[
        (classes["group_id"] == "all_crime") & (classes["hotspot_category"] == "persistent hotspot")
    ]
    assert len(persistent) > 0
    # The KDE surfaces of the headline groups peak inside a planted LSOA.
    kde = pd.read_csv(artefact / "kde_grid.csv")
    assert set(kde["group_id"]) == set(KDE_GROUPS)
    for group, surface in kde.groupby("group_id"):
        peak = surface.sort_values("density_per_km2").iloc[-1]
        inside = shapely.contains(
            polygons["geometry"].to_numpy(), shapely.Point(peak["x_centre"], peak["y_centre"])
        )
        assert inside.any(), group


def test_one_month_period_has_no_emerging_classification() -> None:
    month = Period(first_month=date(2024, 4, 1), last_month=date(2024, 4, 1))
    # A year's crimes in one month: dense enough for the grid test (8.6 per cell).
    points = _points(np.random.default_rng(5)).assign(month=pd.Timestamp("2024-04-01"))
    grid, cell_size = area_grid(points)
    notes = HotspotNotes()
    tables = grid_hotspots(
        points=points,
        grid=grid,
        cell_size=cell_size,
        groups=[VIOLENCE],
        sources={"violence": "extract"},
        period=month,
        notes=notes,
        kde_groups=("violence",),
    )
    assert tables.hotspots["count"].sum() == len(points)
    assert tables.classes.empty
    assert notes.skipped == {
        "hotspot_classes:violence": (
            "the period has 1 month: emerging and persistent hot spots need at least 2"
        )
    }
    assert (tables.kde["caveat"] == "force extract locations as geocoded by the force").all()
