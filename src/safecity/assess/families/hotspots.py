"""Family 7: hot spots — Getis–Ord Gi* on LSOAs and on a grid, emerging/persistent, KDE.

* **LSOAs.** Crimes per LSOA in the period (``inputs.counts``), queen contiguity from the LSOA
  polygons of the area's LSOA vintage (warehouse table ``boundary``, projected to British
  National Grid; an LSOA sharing no vertex is joined to its nearest neighbour), Gi* with a
  self-weight, Benjamini–Hochberg FDR across the area's LSOAs, ArcGIS ``Gi_Bin`` classes from
  the FDR-adjusted p-values (``methods.md`` §6.1–6.3). The analytic (normal) test is used when
  a typical neighbourhood is expected to hold enough crimes (``sparse_data.yaml``); otherwise
  a two-sided conditional permutation test.
* **Grid.** Crime locations in BNG metres (:mod:`.hotspots_points`), one grid for the area over
  all its crime locations, cell side by the sfhotspot rule but at least 100 m (data.police.uk
  snap points, ``methods.md`` §11.1), queen neighbours with self (sfhotspot ``gistar``), Gi*
  and BH FDR per group; groups too sparse for the analytic test are not mapped on the grid.
* **Emerging/persistent.** sfhotspot ``hotspot_classify`` on the grid over the months of the
  period (Gi* per month; Holm across each cell's months; ``methods.md`` §6.6).
* **KDE.** Quartic kernel density at the grid's cell centres, bandwidth by ``bandwidth.nrd``
  (``methods.md`` §6.5), at least 250 m on data.police.uk snap points.

References
----------
Ord, J. K. and Getis, A. (1995). *Geographical Analysis* 27(4), 286–306.
Anselin, L. (1995). *Geographical Analysis* 27(2), 93–115 (conditional permutation).
Benjamini, Y. and Hochberg, Y. (1995). *JRSS B* 57(1), 289–300.
Ashby, M. P. J. (2025). sfhotspot v1.0.0 (``hotspot_gistar``, ``hotspot_classify``,
``hotspot_kde``).
"""

from __future__ import annotations

import warnings
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd
import pyproj
import shapely

from safecity.assess.context import AssessmentInputs, FamilyOutput
from safecity.assess.crime_groups import CrimeGroup, DataSource
from safecity.assess.families.hotspots_points import group_points
from safecity.assess.findings import Finding
from safecity.assess.periods import Period
from safecity.config.sparse_data import SparseDataRules, load_sparse_data_rules
from safecity.data.warehouse import Warehouse
from safecity.spatial import (
    DEFAULT_SEED,
    GiBin,
    HotspotCategory,
    HotspotType,
    IslandPolicy,
    Significance,
    SpatialWeights,
    classify_hotspots,
    count_in_cells,
    counts_by_period,
    default_bandwidth,
    default_cell_size,
    gi_star,
    grid_weights,
    kde_grid,
    make_grid,
    queen_weights,
)

BRITISH_NATIONAL_GRID = "EPSG:27700"
ALPHA = 0.05
MIN_CELL_SIZE = 100.0
"""Smallest grid cell on snap-point data, metres (``methods.md`` §11.1)."""
MIN_SNAP_POINT_BANDWIDTH = 250.0
"""Smallest KDE bandwidth on data.police.uk snap points, metres (``methods.md`` §6.5)."""
KDE_GROUPS = ("all_crime", "asb", "violence_and_sexual_offences", "violent_crime")
"""Groups given a KDE surface: the headline groups (a surface costs about a second per group on
a city grid, against milliseconds for Gi*)."""

SNAP_POINT_NOTE = (
    "data.police.uk locations are anonymous snap points: each crime is moved to the nearest of"
    " over 750,000 map points (a street centre, public place or premises), so crimes stack on"
    " a few points; never read a location as an address; cells at least 100 m, KDE bandwidth"
    " at least 250 m"
)
"""The snap-point caveat in full, for the manifest."""
SNAP_POINT_CAVEAT = (
    "data.police.uk locations are anonymous snap points: crimes stack on a few points;"
    " never read a location as an address"
)
"""The snap-point caveat of every row from data.police.uk (short: grid tables are long)."""
EXTRACT_CAVEAT = "force extract locations as geocoded by the force"
COUNTS_CAVEAT = (
    "Gi* on counts, not rates: an LSOA with more residents, shops or night-time venues has"
    " more crimes for that reason alone"
)
LSOA_TEST = "Getis–Ord Gi*, queen contiguity, 95% after Benjamini–Hochberg FDR"
LSOA_PERMUTATION_TEST = (
    "Getis–Ord Gi*, queen contiguity, tested against {permutations:,} random rearrangements of"
    " the counts as there are too few {unit} for the usual normal approximation, 95% after"
    " Benjamini–Hochberg FDR"
)
SPARSE_LSOA_CAVEAT = (
    "too few {unit} for the usual normal approximation of Gi* (fewer than {minimum:g} expected in"
    " a typical neighbourhood of an LSOA and its neighbours): significance from {permutations:,}"
    " random rearrangements of the counts"
)


class Inference(StrEnum):
    """How the significance of an LSOA's Gi* was judged."""

    NORMAL_APPROXIMATION = "normal approximation"
    """The analytic test: z against the standard normal (Ord & Getis 1995)."""
    PERMUTATION = "permutation"
    """Two-sided conditional permutation test, ties in both tails (Anselin 1995)."""


GRID_TEST = "Getis–Ord Gi*, {size:g} m cells, 95% after BH FDR"
CLASS_TEST = (
    "Getis–Ord Gi* in each month on {size:g} m grid cells, Holm-adjusted across each cell's"
    " months, sfhotspot classification"
)
CLASS_TABLE_TEST = "Gi* per month, {size:g} m cells, Holm across months, sfhotspot classes"

_LSOA_PUBLIC_DROP = ["count", "g", "gi_z", "p", "p_fdr"]
"""Dropped from the public LSOA table: with the weights they would reveal the counts."""
_GRID_PUBLIC_DROP = ["count", "g", "gi_z", "p", "p_fdr"]
_KDE_PUBLIC_KEEP = [
    "row_id",
    "group_id",
    "period",
    "cell_id",
    "x_centre",
    "y_centre",
    "kernel",
    "bandwidth",
    "density_per_km2",
    "in_area",
    "caveat",
]


@dataclass(slots=True)
class HotspotNotes:
    """Skipped parts with reasons, and warnings raised by the spatial methods (by part)."""

    skipped: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, list[str]] = field(default_factory=dict)

    @contextmanager
    def recording(self, part: str) -> Iterator[None]:
        """Record the warnings raised inside the block under ``part`` instead of showing them."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
        messages = sorted({str(warning.message) for warning in caught})
        if messages:
            self.warnings.setdefault(part, []).extend(messages)


def _caveat(source: str) -> str:
    return SNAP_POINT_CAVEAT if source == DataSource.POLICE_UK.value else EXTRACT_CAVEAT


def _label(value: object) -> str:
    return str(value)


def _bin_code(value: object) -> int:
    return GiBin(str(value)).arcgis_code


def lsoa_polygons_bng(
    warehouse: Warehouse, *, lsoa_codes: Sequence[str], lsoa_vintage: int
) -> pd.DataFrame:
    """The LSOA polygons of ``lsoa_vintage`` in British National Grid: ``lsoa_code, geometry``.

    When several boundary files give an LSOA, the last loaded is used. Boundaries are stored
    in WGS84 (``geometry_wkb``) and projected with pyproj (OSTN15 where
    the grid file is installed, else the Helmert fit); identical vertices stay identical, so
    queen contiguity is unchanged by the projection.
    """
    # A cursor of its own: an unfinished result on the shared connection does not block it.
    connection = warehouse.connection.cursor()
    connection.register("hotspot_lsoas", pd.DataFrame({"lsoa_code": list(lsoa_codes)}))
    try:
        rows = connection.execute(
            "SELECT area_code AS lsoa_code, geometry_wkb FROM boundary"
            " WHERE area_level = 'lsoa' AND area_vintage = ?"
            " AND area_code IN (SELECT lsoa_code FROM hotspot_lsoas)"
            " QUALIFY row_number() OVER (PARTITION BY area_code ORDER BY file_id DESC) = 1"
            " ORDER BY area_code",
            [lsoa_vintage],
        ).df()
    finally:
        connection.close()
    transformer = pyproj.Transformer.from_crs("EPSG:4326", BRITISH_NATIONAL_GRID, always_xy=True)
    geometries = shapely.from_wkb([bytes(blob) for blob in rows["geometry_wkb"]])
    projected = shapely.transform(
        geometries,
        lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])),
    )
    return pd.DataFrame({"lsoa_code": rows["lsoa_code"], "geometry": projected})


def typical_neighbourhood(weights: SpatialWeights) -> float:
    """Units in a typical neighbourhood: a unit and its neighbours, the median over the units."""
    return float(np.median(np.asarray(weights.cardinalities, dtype=float) + 1.0))


def permutations_needed(*, units: int, alpha: float, minimum: int) -> int:
    """Permutations ``R`` so that one unit alone can pass Benjamini–Hochberg at ``alpha``.

    The smallest two-sided permutation p-value is ``2 / (R + 1)``; Benjamini–Hochberg accepts
    a single unit when it is at most ``alpha / units``. ``R + 1`` is therefore at least
    ``2 · units / alpha``, rounded up to a whole thousand, and ``R`` at least ``minimum``.

    Examples
    --------
    >>> permutations_needed(units=148, alpha=0.05, minimum=999)
    5999
    """
    thousands = int(np.ceil(2.0 * units / alpha / 1000.0))
    return max(minimum, thousands * 1000 - 1)


def lsoa_hotspots(
    *,
    counts: pd.DataFrame,
    weights: SpatialWeights,
    lsoas: pd.DataFrame,
    groups: Sequence[CrimeGroup],
    sources: dict[str, str],
    period: Period,
    skipped: dict[str, str] | None = None,
    rules: SparseDataRules | None = None,
    seed: int | None = DEFAULT_SEED,
) -> pd.DataFrame:
    """Gi* of each group's LSOA counts in ``period``, BH FDR across the LSOAs of ``weights``.

    The analytic test is used when a typical neighbourhood (an LSOA and its neighbours, the
    median) is expected to hold at least ``rules.gi_min_expected_per_neighbourhood`` crimes;
    below it, a two-sided conditional permutation test (ties in both tails) with enough
    permutations for one LSOA to pass Benjamini–Hochberg (:func:`permutations_needed`). Either
    way ``p`` and ``p_fdr`` are the p-values of the test used (``inference``), and ``gi_bin``
    and ``hotspot`` follow from them.

    Parameters
    ----------
    counts
        ``lsoa_code, month, group_id, count`` (months outside ``period`` are ignored).
    weights
        Queen weights of the LSOAs, with LSOA codes as ids.
    lsoas
        ``lsoa_code, lsoa_name, ward_code, ward_name`` of the area.
    groups, sources
        The groups to compute, and the source of each.
    period
        The months counted.
    skipped
        Filled with ``hotspots_lsoa:<group>`` -> reason for groups whose Gi* is undefined.
    rules
        The minimum data (default: ``sparse_data.yaml``).
    seed
        Seed of the permutations (the assessment's seed).

    Returns
    -------
    pandas.DataFrame
        One row per group and LSOA: ``row_id, group_id, group_name, source, period,
        lsoa_code, lsoa_name, ward_code, ward_name, count, n_neighbours, g, gi_z, p, p_fdr,
        gi_bin, gi_bin_code, hotspot, inference, test, caveat``.
    """
    if weights.ids is None:
        raise ValueError("lsoa_hotspots: the weights must carry the LSOA codes as ids")
    rules = rules or load_sparse_data_rules()
    codes = [str(code) for code in weights.ids]
    neighbourhood = typical_neighbourhood(weights)
    in_period = counts[
        (counts["month"] >= pd.Timestamp(period.first_month))
        & (counts["month"] <= pd.Timestamp(period.last_month))
    ]
    totals = in_period.groupby(["group_id", "lsoa_code"])["count"].sum()
    frames = []
    for group in groups:
        values = (
            totals.xs(group.id, level="group_id").reindex(codes, fill_value=0)
            if group.id in totals.index.get_level_values("group_id")
            else pd.Series(0, index=codes)
        ).astype("int64")
        if values.nunique() < 2:
            if skipped is not None:
                skipped[f"hotspots_lsoa:{group.id}"] = (
                    f"every LSOA has {int(values.iloc[0])} {group.unit}: Gi* is undefined"
                )
            continue
        source = sources[group.id]
        caveat = f"{_caveat(source)}; {COUNTS_CAVEAT}"
        expected = float(values.sum()) / len(values) * neighbourhood
        if expected >= rules.gi_min_expected_per_neighbourhood:
            result = gi_star(values=values.to_numpy(), weights=weights, alpha=ALPHA, bin_fdr=True)
            inference, test = Inference.NORMAL_APPROXIMATION, LSOA_TEST
            p, p_fdr = result["p"], result["p_fdr"]
        else:
            permutations = permutations_needed(
                units=len(values), alpha=ALPHA, minimum=rules.gi_min_permutations
            )
            result = gi_star(
                values=values.to_numpy(),
                weights=weights,
                alpha=ALPHA,
                bin_fdr=True,
                permutations=permutations,
                seed=seed,
                significance=Significance.PERMUTATION_TWO_SIDED,
            )
            inference = Inference.PERMUTATION
            test = LSOA_PERMUTATION_TEST.format(permutations=permutations, unit=group.unit)
            p, p_fdr = result["p_perm"], result["p_perm_fdr"]
            caveat += "; " + SPARSE_LSOA_CAVEAT.format(
                unit=group.unit,
                minimum=rules.gi_min_expected_per_neighbourhood,
                permutations=permutations,
            )
        frame = pd.DataFrame(
            {
                "group_id": group.id,
                "group_name": group.name,
                "source": source,
                "period": period.label,
                "lsoa_code": codes,
                "count": values.to_numpy(),
                "n_neighbours": result["n_neighbours"].to_numpy(),
                "g": result["g"].to_numpy(),
                "gi_z": result["gi_z"].to_numpy(),
                "p": p.to_numpy(),
                "p_fdr": p_fdr.to_numpy(),
                "gi_bin": result["gi_bin"].map(_label).to_numpy(),
                "gi_bin_code": result["gi_bin"].map(_bin_code).to_numpy(),
                "hotspot": result["hotspot"].map(_label).to_numpy(),
                "inference": inference.value,
                "test": test,
                "caveat": caveat,
            }
        )
        frames.append(frame)
    columns = ["lsoa_code", "lsoa_name", "ward_code", "ward_name"]
    if not frames:
        return pd.DataFrame()
    table = pd.concat(frames, ignore_index=True).merge(lsoas[columns], on="lsoa_code", how="left")
    table.insert(0, "row_id", "hotspots_lsoa:" + table["group_id"] + ":" + table["lsoa_code"])
    table["row_id"] = table["row_id"] + ":" + period.label
    order = [
        "row_id",
        "group_id",
        "group_name",
        "source",
        "period",
        *columns,
        "count",
        "n_neighbours",
        "g",
        "gi_z",
        "p",
        "p_fdr",
        "gi_bin",
        "gi_bin_code",
        "hotspot",
        "inference",
        "test",
        "caveat",
    ]
    return table[order]


def area_grid(points: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    """One grid over every crime location of the area, and its cell side (metres).

    The side is sfhotspot's automatic size for those locations (shorter bounding-box side / 50,
    rounded down to 100 m) but never below :data:`MIN_CELL_SIZE`.
    """
    locations = points[["x", "y"]].drop_duplicates()
    size = max(
        MIN_CELL_SIZE,
        default_cell_size(x=locations["x"], y=locations["y"], crs=BRITISH_NATIONAL_GRID),
    )
    grid = make_grid(x=locations["x"], y=locations["y"], cell_size=size, crs=BRITISH_NATIONAL_GRID)
    return grid, size


def _repeat(points: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    repeats = points["count"].to_numpy(dtype="int64")
    return (
        np.repeat(points["x"].to_numpy(dtype=float), repeats),
        np.repeat(points["y"].to_numpy(dtype=float), repeats),
    )


@dataclass(frozen=True, slots=True)
class GridTables:
    """The grid-level tables of family 7."""

    hotspots: pd.DataFrame
    classes: pd.DataFrame
    kde: pd.DataFrame


def grid_hotspots(
    *,
    points: pd.DataFrame,
    grid: pd.DataFrame,
    cell_size: float,
    groups: Sequence[CrimeGroup],
    sources: dict[str, str],
    period: Period,
    notes: HotspotNotes,
    kde_groups: Collection[str] = KDE_GROUPS,
    rules: SparseDataRules | None = None,
) -> GridTables:
    """Gi* per cell, emerging/persistent classes over the months, and KDE, for each group.

    A group is mapped on the grid only when a typical neighbourhood (a cell and its
    neighbours, the median over the cells: 9 inside the grid) is expected to hold at least
    ``rules.gi_min_expected_per_neighbourhood`` located crimes in the period; otherwise the
    grid, its classes and the KDE are not computed and ``notes.skipped`` says why, with the
    rule and the crimes per cell (not the count).

    Parameters
    ----------
    points
        ``x, y, month, group_id, count`` in BNG metres (see :mod:`.hotspots_points`).
    grid, cell_size
        Cells from :func:`area_grid`.
    groups, sources
        The groups to compute, and the source of each.
    period
        The months; the classification uses one column per month.
    notes
        Collects skipped parts and warnings.
    kde_groups
        The groups given a KDE surface (default :data:`KDE_GROUPS`).
    rules
        The minimum data (default: ``sparse_data.yaml``).
    """
    rules = rules or load_sparse_data_rules()
    weights = grid_weights(
        x=grid["x_centre"],
        y=grid["y_centre"],
        cell_size=cell_size,
        ids=grid["cell_id"].tolist(),
        crs=BRITISH_NATIONAL_GRID,
    )
    minimum_per_cell = rules.gi_min_expected_per_neighbourhood / typical_neighbourhood(weights)
    month_index = {pd.Timestamp(month): index for index, month in enumerate(period.months)}
    cells = grid[["cell_id", "row", "col", "x_min", "y_min", "x_max", "y_max"]]
    centres = grid[["x_centre", "y_centre"]]
    hot_frames, class_frames, kde_frames = [], [], []
    for group in groups:
        chosen = points[points["group_id"] == group.id]
        source = sources[group.id]
        caveat = _caveat(source)
        x, y = _repeat(chosen)
        base = pd.concat([cells, centres], axis=1).assign(
            group_id=group.id, source=source, period=period.label
        )
        if len(x) < minimum_per_cell * len(grid):
            notes.skipped[f"hotspots_grid:{group.id}"] = _too_sparse_for_grid(
                located=len(x),
                cells=len(grid),
                minimum_per_cell=minimum_per_cell,
                cell_size=cell_size,
                unit=group.unit,
                source=source,
                rules=rules,
            )
            continue
        kde = None
        if group.id in kde_groups:
            with notes.recording(f"kde_grid:{group.id}"):
                kde = _kde(points=chosen, grid=grid, source=source)
        if isinstance(kde, str):
            notes.skipped[f"kde_grid:{group.id}"] = kde
        elif kde is not None:
            kde_frames.append(
                base[["cell_id", "x_centre", "y_centre", "group_id", "source", "period"]].assign(
                    kernel=kde["kernel"].map(_label).to_numpy(),
                    bandwidth=kde["bandwidth"].to_numpy(),
                    kde=kde["kde"].to_numpy(),
                    density_per_km2=kde["density_per_km2"].to_numpy(),
                    expected_per_cell=kde["expected_per_cell"].to_numpy(),
                    caveat=caveat,
                )
            )
        counted = count_in_cells(x=x, y=y, grid=grid, crs=BRITISH_NATIONAL_GRID)["n"]
        if counted.nunique() < 2:
            notes.skipped[f"hotspots_grid:{group.id}"] = (
                "every cell has the same count: Gi* is undefined"
            )
            continue
        with notes.recording(f"hotspots_grid:{group.id}"):
            result = gi_star(values=counted.to_numpy(), weights=weights, alpha=ALPHA)
        hot_frames.append(
            base.assign(
                count=counted.to_numpy(),
                n_neighbours=result["n_neighbours"].to_numpy(),
                g=result["g"].to_numpy(),
                gi_z=result["gi_z"].to_numpy(),
                p=result["p"].to_numpy(),
                p_fdr=result["p_fdr"].to_numpy(),
                gi_bin=result["gi_bin"].map(_label).to_numpy(),
                gi_bin_code=result["gi_bin"].map(_bin_code).to_numpy(),
                hotspot=result["hotspot"].map(_label).to_numpy(),
                test=GRID_TEST.format(size=cell_size),
                caveat=caveat,
            )
        )
        if period.length < 2:
            notes.skipped[f"hotspot_classes:{group.id}"] = (
                f"the period has {period.length} month: emerging and persistent hot spots need"
                " at least 2"
            )
            continue
        months = chosen["month"].map(month_index).to_numpy(dtype="int64")
        by_month = counts_by_period(
            x=x,
            y=y,
            period=np.repeat(months, chosen["count"].to_numpy(dtype="int64")),
            grid=grid,
            crs=BRITISH_NATIONAL_GRID,
        )
        if by_month.shape[1] < period.length:
            by_month = np.pad(by_month, ((0, 0), (0, period.length - by_month.shape[1])))
        with notes.recording(f"hotspot_classes:{group.id}"):
            classes = classify_hotspots(counts=by_month, weights=weights, critical_p=ALPHA)
        class_frames.append(
            base[["cell_id", "x_centre", "y_centre", "group_id", "source", "period"]].assign(
                **{
                    column: classes[column].to_numpy()
                    for column in classes.columns
                    if column not in ("id", "hotspot_category")
                },
                hotspot_category=classes["hotspot_category"].map(_label).to_numpy(),
                test=CLASS_TABLE_TEST.format(size=cell_size),
                caveat=caveat,
            )
        )
    return GridTables(
        hotspots=_with_row_ids(hot_frames, prefix="hotspots_grid", period=period),
        classes=_with_row_ids(class_frames, prefix="hotspot_classes", period=period),
        kde=_with_row_ids(kde_frames, prefix="kde_grid", period=period),
    )


def _too_sparse_for_grid(
    *,
    located: int,
    cells: int,
    minimum_per_cell: float,
    cell_size: float,
    unit: str,
    source: str,
    rules: SparseDataRules,
) -> str:
    """Why a group is not mapped on the grid: the rule and its crimes per cell, never a count.

    The average per cell is given to two decimals for data.police.uk (published crime by
    crime); for other sources only that it is below the minimum, so no small count of a
    protected source can be recovered from the text.
    """
    mean = located / cells
    needs = (
        f"the grid test needs (at least {rules.gi_min_expected_per_neighbourhood:g} expected in"
        " a typical cell and its neighbours, for the normal approximation of Gi*)"
    )
    if source != DataSource.POLICE_UK.value:
        found = f"under the {minimum_per_cell:.2f} located {unit} per cell on average {needs}"
    else:
        average = "under 0.01" if mean < 0.005 else f"{mean:.2f}"
        found = (
            f"{average} located {unit} per cell on average, under the {minimum_per_cell:.2f}"
            f" {needs}"
        )
    return (
        f"too few {unit} to map reliably on the {cell_size:g} m grid: {found}; grid hot spots,"
        " emerging and persistent classes and kernel density are not computed; see the LSOA"
        " hot spots"
    )


def _kde(*, points: pd.DataFrame, grid: pd.DataFrame, source: str) -> pd.DataFrame | str:
    """KDE at the cell centres, or the reason it cannot be estimated.

    The bandwidth is chosen from every crime (a location counted once per crime); the density
    sums the kernel over distinct locations weighted by their crimes, which is the same sum.
    """
    pooled = pd.DataFrame(points.groupby(["x", "y"], as_index=False)["count"].sum())
    if len(pooled) < 3 or np.ptp(pooled["x"]) == 0 or np.ptp(pooled["y"]) == 0:
        return "fewer than 3 distinct locations, or all on one line: too few to choose a bandwidth"
    x, y = _repeat(pooled)
    bandwidth = default_bandwidth(x=x, y=y)
    snapped = source == DataSource.POLICE_UK.value
    if snapped:
        bandwidth = max(bandwidth, MIN_SNAP_POINT_BANDWIDTH)
    if not np.isfinite(bandwidth) or bandwidth <= 0:
        return "the locations' spread gives no positive KDE bandwidth"
    return kde_grid(
        x=pooled["x"],
        y=pooled["y"],
        point_weights=pooled["count"],
        grid=grid,
        bandwidth=bandwidth,
        crs=BRITISH_NATIONAL_GRID,
        snapped_points=snapped,
    )


def _with_row_ids(frames: list[pd.DataFrame], *, prefix: str, period: Period) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame()
    table = pd.concat(frames, ignore_index=True)
    table.insert(
        0,
        "row_id",
        prefix + ":" + table["group_id"] + ":" + table["cell_id"].astype(str) + ":" + period.label,
    )
    return table


def _with_in_area(tables: GridTables, *, grid: pd.DataFrame, polygons: pd.DataFrame) -> GridTables:
    """Each grid table with ``in_area``: the cell centre lies in the area's LSOA polygons."""
    area = shapely.union_all(polygons["geometry"].to_numpy())
    inside = pd.Series(
        shapely.contains_xy(area, grid["x_centre"].to_numpy(), grid["y_centre"].to_numpy()),
        index=grid["cell_id"].to_numpy(),
    )

    def add(table: pd.DataFrame) -> pd.DataFrame:
        if table.empty:
            return table
        return table.assign(in_area=table["cell_id"].map(inside).to_numpy(dtype=bool))

    return GridTables(add(tables.hotspots), add(tables.classes), add(tables.kde))


def _join(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _lower_first(text: str) -> str:
    return text[0].lower() + text[1:] if text[:2] != text[:2].upper() else text


def lsoa_findings(table: pd.DataFrame, *, groups: Sequence[CrimeGroup]) -> list[Finding]:
    """For each group with hot spots, how many LSOAs and in which wards (citing their rows).

    The sentence names the test the rows were judged by (their ``test``): the permutation test
    for groups with too few crimes for the normal approximation says so.
    """
    findings: list[Finding] = []
    if table.empty:
        return findings
    names = {group.id: group.name for group in groups}
    for group_id, rows in table.groupby("group_id", sort=False):
        hot = rows[rows["hotspot"] == HotspotType.HOT_SPOT.value]
        if hot.empty:
            continue
        wards = hot.groupby("ward_name", dropna=False).size().sort_values(ascending=False)
        ward_names = [str(name) for name in wards.index]
        count = len(hot)
        noun = (
            "LSOA is a statistically significant hotspot"
            if count == 1
            else "LSOAs are statistically significant hotspots"
        )
        test = str(rows["test"].iloc[0])
        sentence = (
            f"{count} {noun} of {_lower_first(names[str(group_id)])} ({test}), "
            f"in {_join(ward_names)} ward{'s' if len(ward_names) > 1 else ''}."
        )
        findings.append(
            Finding(
                finding_id=f"hotspots_lsoa_{group_id}",
                topic=str(group_id),
                sentence=sentence,
                row_ids=tuple(
                    str(row_id) for row_id in hot.sort_values("gi_z", ascending=False)["row_id"]
                ),
                significant=True,
            )
        )
    return findings


def class_findings(
    table: pd.DataFrame, *, groups: Sequence[CrimeGroup], cell_size: float
) -> list[Finding]:
    """For each group with persistent or emerging hot spot cells, how many (citing their rows)."""
    findings: list[Finding] = []
    if table.empty:
        return findings
    names = {group.id: group.name for group in groups}
    wanted = (HotspotCategory.PERSISTENT_HOTSPOT.value, HotspotCategory.EMERGING_HOTSPOT.value)
    for group_id, rows in table.groupby("group_id", sort=False):
        parts = []
        cited: list[str] = []
        for category in wanted:
            chosen = rows[rows["hotspot_category"] == category]
            if not chosen.empty:
                parts.append(f"{len(chosen)} {category}{'s' if len(chosen) > 1 else ''}")
                cited.extend(str(row_id) for row_id in chosen["row_id"])
        if not parts:
            continue
        periods = int(rows["periods"].iloc[0])
        sentence = (
            f"Of the {cell_size:g} m grid cells, {_join(parts)} of "
            f"{_lower_first(names[str(group_id)])} were found over the {periods} months "
            f"({CLASS_TEST.format(size=cell_size)}: persistent = significant hot spot in at "
            "least 80% of months; emerging = in under 10% of earlier months but at least 10% "
            "of the latest 20%)."
        )
        findings.append(
            Finding(
                finding_id=f"hotspot_classes_{group_id}",
                topic=str(group_id),
                sentence=sentence,
                row_ids=tuple(cited),
                significant=True,
            )
        )
    return findings


def _public(table: pd.DataFrame, *, drop: list[str]) -> pd.DataFrame:
    if table.empty:
        return table
    return table.drop(columns=[column for column in drop if column in table.columns])


def hotspots(inputs: AssessmentInputs) -> FamilyOutput:
    """Family 7: Gi* hot spots on LSOAs and a grid, emerging/persistent classes, KDE."""
    notes = HotspotNotes()
    output = FamilyOutput()
    rules = load_sparse_data_rules()
    area = inputs.area
    codes = area.lsoas["lsoa_code"].tolist()
    manifest: dict[str, Any] = {
        "snap_point_caveat": SNAP_POINT_NOTE,
        "alpha": ALPHA,
        "multiple_testing": "Benjamini–Hochberg FDR across the units of each map",
        "gi_bin": "ArcGIS Gi_Bin from BH-adjusted p-values",
        "sparse_data": {
            "min_expected_per_neighbourhood": rules.gi_min_expected_per_neighbourhood,
            "lsoa": "below the minimum, a two-sided conditional permutation test (ties in both"
            " tails), with enough permutations for one LSOA to pass Benjamini–Hochberg",
            "grid": "below the minimum, the grid, its classes and the KDE are not computed",
            "rule": "expected crimes in a typical neighbourhood (a unit and its neighbours, the"
            " median over the units) = crimes in the period / units x that neighbourhood's size",
        },
    }

    polygons = lsoa_polygons_bng(inputs.warehouse, lsoa_codes=codes, lsoa_vintage=area.lsoa_vintage)
    lsoa_table = pd.DataFrame()
    if len(polygons) < 3:
        notes.skipped["hotspots_lsoa"] = (
            f"{len(polygons)} of the area's {len(codes)} LSOA boundaries of the "
            f"{area.lsoa_vintage} vintage are loaded (warehouse table boundary); load the LSOA "
            "boundaries to compute LSOA hot spots"
        )
    else:
        with notes.recording("hotspots_lsoa"):
            weights = queen_weights(
                polygons["geometry"].to_numpy(),
                ids=polygons["lsoa_code"].tolist(),
                islands=IslandPolicy.NEAREST,
                crs=BRITISH_NATIONAL_GRID,
            )
            lsoa_table = lsoa_hotspots(
                counts=inputs.counts,
                weights=weights,
                lsoas=area.lsoas,
                groups=inputs.groups,
                sources=inputs.sources,
                period=inputs.period,
                skipped=notes.skipped,
                rules=rules,
                seed=inputs.seed,
            )
        permuted: list[str] = []
        if not lsoa_table.empty:
            chosen = lsoa_table["inference"] == Inference.PERMUTATION.value
            permuted = sorted({str(group) for group in lsoa_table.loc[chosen, "group_id"]})
        manifest["lsoa"] = {
            "lsoas_with_boundaries": len(polygons),
            "lsoas_without_boundaries": sorted(set(codes) - set(polygons["lsoa_code"])),
            "weights": "queen contiguity on the LSOA polygons (BNG), self-weight added; "
            "islands joined to the nearest centroid",
            "values": "crimes per LSOA in the period",
            "typical_neighbourhood": typical_neighbourhood(weights),
            "permutation_groups": permuted,
        }

    located = group_points(
        inputs.warehouse,
        lsoa_codes=codes,
        period=inputs.period,
        groups=inputs.groups,
        sources=inputs.sources,
    )
    manifest["without_coordinates"] = located.without_coordinates
    grid_tables = GridTables(pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
    if located.points[["x", "y"]].drop_duplicates().shape[0] < 3:
        notes.skipped["hotspots_grid"] = "fewer than 3 distinct crime locations in the period"
    else:
        grid, cell_size = area_grid(located.points)
        grid_tables = grid_hotspots(
            points=located.points,
            grid=grid,
            cell_size=cell_size,
            groups=inputs.groups,
            sources=inputs.sources,
            period=inputs.period,
            notes=notes,
            rules=rules,
        )
        if len(polygons) > 0:
            grid_tables = _with_in_area(grid_tables, grid=grid, polygons=polygons)
        manifest["grid"] = {
            "crs": BRITISH_NATIONAL_GRID,
            "in_area": "whether the cell centre lies in the area's LSOA polygons (clip maps to"
            " it; methods.md §6.2); absent when no boundaries are loaded",
            "cell_size_m": cell_size,
            "cells": len(grid),
            "rule": "sfhotspot set_cell_size (shorter side / 50, rounded down to 100 m), "
            f"at least {MIN_CELL_SIZE:g} m",
            "weights": "cells whose centres are within cell_size·√2, self included (binary)",
            "classification": "sfhotspot hotspot_classify over the period's months "
            "(hotspot_prop 0.1, persistent_prop 0.8, recent_prop 0.2, Holm across months)",
            "kde": "quartic kernel at cell centres, bandwidth.nrd (mean of x and y), at least "
            f"{MIN_SNAP_POINT_BANDWIDTH:g} m on data.police.uk snap points",
            "kde_groups": [group.id for group in inputs.groups if group.id in KDE_GROUPS],
        }
        output.findings.extend(
            class_findings(grid_tables.classes, groups=inputs.groups, cell_size=cell_size)
        )
    output.findings[:0] = lsoa_findings(lsoa_table, groups=inputs.groups)
    tables = {
        "hotspots_lsoa": lsoa_table,
        "hotspots_grid": grid_tables.hotspots,
        "hotspot_classes": grid_tables.classes,
        "kde_grid": grid_tables.kde,
    }
    output.tables = {name: table for name, table in tables.items() if not table.empty}
    public = {
        "hotspots_lsoa": _public(lsoa_table, drop=_LSOA_PUBLIC_DROP),
        "hotspots_grid": _public(grid_tables.hotspots, drop=_GRID_PUBLIC_DROP),
        "hotspot_classes": grid_tables.classes,
        "kde_grid": grid_tables.kde[
            [column for column in _KDE_PUBLIC_KEEP if column in grid_tables.kde.columns]
        ],
    }
    output.public_tables = {name: table for name, table in public.items() if not table.empty}
    output.skipped = notes.skipped
    manifest["warnings"] = notes.warnings
    output.manifest = manifest
    return output
