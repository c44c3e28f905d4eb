"""Grid maps in British National Grid metres: Gi* hot spot cells and kernel density.

The hot spot family works on a square grid (cell side in metres, EPSG:27700). Cells are drawn
as rectangles on linear x/y scales whose domains keep one metre the same length both ways, with
the ward and area outlines (projected from the boundaries) on top. Only cells inside the area
(``in_area``) are drawn. Significant Gi* cells are coloured on the blue/orange diverging
scale, hot cells outlined solid, cold cells dashed; density uses viridis, light to dark.

References
----------
Getis, A. & Ord, J. K. (1992) *Geographical Analysis* 24(3):189-206; Ord, J. K. & Getis, A.
(1995) *Geographical Analysis* 27(4):286-306; Ashby, M. (2025) sfhotspot (``hotspot_gistar``,
``hotspot_kde``); Silverman, B. W. (1986) *Density Estimation for Statistics and Data
Analysis* (quartic kernel); methods.md §6. Vega-Lite v5 rect mark,
https://vega.github.io/vega-lite/docs/rect.html.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from safecity.report.figures import palette
from safecity.report.figures.figure import (
    Figure,
    FigureDataError,
    FigureKind,
    base_spec,
    figure_id,
    format_number,
    require_columns,
    spec_records,
)
from safecity.report.figures.geo import (
    MAP_WIDTH,
    national_grid_outline_layers,
    national_grid_outlines,
    national_grid_reading_layers,
)
from safecity.report.figures.maps import COLD_BINS, HOT_BINS

_MIN_HEIGHT, _MAX_HEIGHT = 260, 720


def _in_area(cells: pd.DataFrame) -> pd.DataFrame:
    if "in_area" not in cells.columns:
        return cells
    return cells[cells["in_area"].fillna(False).astype(bool)]


def _scales(
    extent: tuple[float, float, float, float], outline: list[dict[str, Any]]
) -> tuple[dict[str, Any], dict[str, Any], int, int]:
    """Equal-metre x and y scales covering the cells and the outlines, and the map size."""
    xs = [extent[0], extent[2], *(row["x"] for row in outline)]
    ys = [extent[1], extent[3], *(row["y"] for row in outline)]
    west, east, south, north = min(xs), max(xs), min(ys), max(ys)
    width = MAP_WIDTH
    height = round(width * (north - south) / max(east - west, 1.0))
    if height > _MAX_HEIGHT:
        # Keep metres square: widen the x domain instead of squashing the y axis.
        height = _MAX_HEIGHT
        middle, half = (west + east) / 2, (north - south) * width / height / 2
        west, east = middle - half, middle + half
    elif height < _MIN_HEIGHT:
        height = _MIN_HEIGHT
        middle, half = (south + north) / 2, (east - west) * height / width / 2
        south, north = middle - half, middle + half
    x_scale = {"domain": [west, east], "nice": False, "zero": False}
    y_scale = {"domain": [south, north], "nice": False, "zero": False}
    return x_scale, y_scale, width, int(height)


def _extent(cells: pd.DataFrame) -> tuple[float, float, float, float]:
    """West, south, east, north of the cells (``x_min`` ... ``y_max``), 0s when empty."""
    if cells.empty:
        return (0.0, 0.0, 0.0, 0.0)
    return (
        float(cells["x_min"].min()),
        float(cells["y_min"].min()),
        float(cells["x_max"].max()),
        float(cells["y_max"].max()),
    )


def _grid_spec(
    *,
    table: pd.DataFrame,
    extent: tuple[float, float, float, float],
    transforms: Sequence[dict[str, Any]] = (),
    boundaries: dict[str, Any],
    area_level: str,
    title: str,
    subtitle: Sequence[str],
    alt_text: str,
    cell_encoding: dict[str, Any],
) -> dict[str, Any]:
    outline = national_grid_outlines(boundaries, area_level=area_level)
    x_scale, y_scale, width, height = _scales(extent, outline)
    spec = base_spec(title=title, subtitle=list(subtitle), description=alt_text)
    spec.update(
        {
            "width": width,
            "height": height,
            "layer": [
                {
                    "data": {"values": spec_records(table)},
                    "transform": list(transforms),
                    "mark": {"type": "rect"},
                    "encoding": {
                        "x": {"field": "x_min", "type": "quantitative", "scale": x_scale,
                              "axis": None},
                        "x2": {"field": "x_max"},
                        "y": {"field": "y_min", "type": "quantitative", "scale": y_scale,
                              "axis": None},
                        "y2": {"field": "y_max"},
                        **cell_encoding,
                    },
                },
                *national_grid_outline_layers(outline, x_scale=x_scale, y_scale=y_scale),
                *national_grid_reading_layers(boundaries, x_scale=x_scale, y_scale=y_scale),
            ],
        }
    )  # fmt: skip
    return spec


def hotspot_grid_map(
    *,
    cells: pd.DataFrame,
    boundaries: dict[str, Any],
    group_name: str,
    area_name: str,
    period: str,
    group_id: str,
    area_level: str = "csp",
    crime_group: str | None = None,
    caveat: str | None = None,
    source_table: str = "hotspots_grid",
) -> Figure:
    """Grid cells that are significant Gi* hot or cold spots, inside the area.

    Parameters
    ----------
    cells
        The ``hotspots_grid`` rows of one group: ``cell_id, x_min, y_min, x_max, y_max,
        gi_bin`` and ``in_area``.
    boundaries
        The artefact's boundaries (for the ward and area outlines).
    group_name, area_name, period, group_id, area_level, crime_group, source_table
        Texts and identity of the figure.
    caveat
        The snap-point caveat or other caveat printed under the map.

    Raises
    ------
    FigureDataError
        When a column is missing.
    """
    require_columns(
        cells, ("cell_id", "x_min", "y_min", "x_max", "y_max", "gi_bin"), where="hot spot grid"
    )
    inside = _in_area(cells)
    significant = inside[inside["gi_bin"].isin([*HOT_BINS, *COLD_BINS])]
    columns = [
        column
        for column in ("cell_id", "x_min", "y_min", "x_max", "y_max", "x_centre", "y_centre",
                       "gi_bin", "gi_z", "p_fdr")
        if column in significant.columns
    ]  # fmt: skip
    table = significant.loc[:, columns].sort_values("cell_id", kind="mergesort")
    table = table.reset_index(drop=True)
    side = float((cells["x_max"] - cells["x_min"]).median()) if not cells.empty else 0.0
    counts = {label: int((table["gi_bin"] == label).sum()) for label in palette.GI_BIN_COLOURS}
    hot = sum(counts[label] for label in HOT_BINS)
    cold = sum(counts[label] for label in COLD_BINS)
    levels = {
        bins: ", ".join(
            f"{counts[label]} at {label.split(', ')[1]}" for label in bins if counts[label]
        )
        for bins in (HOT_BINS, COLD_BINS)
    }
    alt_text = (
        f"Map of {area_name} on a grid of {format_number(side, digits=0)} m cells showing the"
        f" {hot} cells in a hot spot class of {group_name} in {period}"
        + (f" ({levels[HOT_BINS]})" if hot else "")
        + f" and the {cold} cells in a cold spot class"
        + (f" ({levels[COLD_BINS]})" if cold else "")
        + f", of {len(inside)} cells in the area (Getis-Ord Gi*, confidence after"
        " Benjamini-Hochberg FDR)."
    )
    present = [label for label in palette.GI_BIN_COLOURS if counts[label]]
    hot_test = " || ".join(f"datum.gi_bin === '{label}'" for label in HOT_BINS)
    cold_test = " || ".join(f"datum.gi_bin === '{label}'" for label in COLD_BINS)
    spec = _grid_spec(
        table=table,
        extent=_extent(inside),
        boundaries=boundaries,
        area_level=area_level,
        title=f"{group_name}: hot spot grid cells, {period}",
        subtitle=[
            f"{area_name}: {format_number(side, digits=0)} m cells, Getis-Ord Gi*, BH FDR;"
            " only significant cells are drawn.",
            "Hot spots: orange, solid outline; cold spots: blue, dashed outline.",
        ],
        alt_text=alt_text,
        cell_encoding={
            "fill": {
                "field": "gi_bin",
                "type": "nominal",
                "title": "Gi* class",
                "scale": {
                    "domain": present,
                    "range": [palette.GI_BIN_COLOURS[label] for label in present],
                },
                "legend": {"orient": "right", "labelLimit": 220},
            },
            "stroke": {
                "condition": {"test": hot_test, "value": palette.HOT_OUTLINE},
                "value": palette.COLD_OUTLINE,
            },
            "strokeWidth": {"value": 0.4},
            "strokeDash": {"condition": {"test": cold_test, "value": [2, 1]}, "value": [1, 0]},
        },
    )
    return Figure(
        figure_id=figure_id(FigureKind.HOTSPOT_MAP, "grid", group_id),
        title=f"{group_name}: hot spot grid cells, {period}",
        alt_text=alt_text,
        spec=spec,
        data=table,
        source_table=source_table,
        crime_group=crime_group,
        note=caveat,
    )


DENSITY_CLASSES = 7
"""Equal-interval classes of density on the map (a classed map reads better than a continuous
ramp, and lets neighbouring cells of one class be drawn as one rectangle)."""


def _short(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def kde_table(cells: pd.DataFrame) -> pd.DataFrame:
    """The plotted table of a density map: the in-area cells by id, with their density class.

    Classes are equal intervals of density from the smallest to the largest in-area value
    (``density_class`` 1 = lowest, with its label ``density_range``).
    """
    require_columns(
        cells, ("cell_id", "x_centre", "y_centre", "density_per_km2"), where="kernel density map"
    )
    inside = _in_area(cells)
    columns = [
        column
        for column in ("cell_id", "x_centre", "y_centre", "bandwidth", "density_per_km2")
        if column in inside.columns
    ]
    table = inside.loc[:, columns].sort_values("cell_id", kind="mergesort").copy()
    density = table["density_per_km2"].to_numpy(dtype=float)
    if table.empty:
        table["density_class"] = pd.Series(dtype="int64")
        table["density_range"] = pd.Series(dtype="str")
        return table.reset_index(drop=True)
    edges = np.linspace(density.min(), density.max(), DENSITY_CLASSES + 1)
    classes = np.clip(np.digitize(density, edges[1:-1], right=False), 0, DENSITY_CLASSES - 1)
    labels = [
        f"{_short(edges[index])}\u2013{_short(edges[index + 1])}"
        for index in range(DENSITY_CLASSES)
    ]
    table["density_class"] = classes + 1
    table["density_range"] = [labels[index] for index in classes]
    return table.reset_index(drop=True)


def density_runs(table: pd.DataFrame, *, cell_size: float) -> pd.DataFrame:
    """Runs of neighbouring cells in a grid row with the same density class, as rectangles.

    What the map draws: one rectangle per run instead of one per cell, so that a city's map
    has hundreds of marks, not thousands (an SVG of thousands of rectangles is slow to lay out
    in a PDF). Each run keeps its row's ``y`` extent and its first and last cells' ``x``.
    """
    ordered = table.sort_values(["y_centre", "x_centre"], kind="mergesort")
    half = cell_size / 2
    rows: list[dict[str, Any]] = []
    for _, line in ordered.groupby("y_centre", sort=True):
        row_centre = float(line["y_centre"].iloc[0])
        xs = line["x_centre"].to_numpy(dtype=float)
        classes = line["density_class"].to_numpy()
        ranges = line["density_range"].to_numpy()
        breaks = np.flatnonzero((np.abs(np.diff(xs) - cell_size) > 1e-6) | (np.diff(classes) != 0))
        starts = np.concatenate([[0], breaks + 1])
        ends = np.concatenate([breaks, [len(xs) - 1]])
        for start, end in zip(starts, ends, strict=True):
            rows.append(
                {
                    "x_min": float(xs[start]) - half,
                    "x_max": float(xs[end]) + half,
                    "y_min": row_centre - half,
                    "y_max": row_centre + half,
                    "density_class": int(classes[start]),
                    "density_range": str(ranges[start]),
                    "cells": int(end - start + 1),
                }
            )
    return pd.DataFrame(
        rows,
        columns=["x_min", "x_max", "y_min", "y_max", "density_class", "density_range", "cells"],
    )


def kde_map(
    *,
    cells: pd.DataFrame,
    boundaries: dict[str, Any],
    cell_size: float,
    group_name: str,
    area_name: str,
    period: str,
    group_id: str,
    area_level: str = "csp",
    crime_group: str | None = None,
    caveat: str | None = None,
    source_table: str = "kde_grid",
) -> Figure:
    """Kernel density of crime (per km²) on the grid cells inside the area.

    Parameters
    ----------
    cells
        The ``kde_grid`` rows of one group: ``cell_id, x_centre, y_centre,
        density_per_km2`` (``bandwidth``, ``in_area``).
    boundaries
        The artefact's boundaries (for the outlines).
    cell_size
        The grid's cell side in metres (manifest ``families.hotspots.grid.cell_size_m``).
    group_name, area_name, period, group_id, area_level, crime_group, source_table
        Texts and identity of the figure.
    caveat
        Caveat printed under the map (snap points).

    Raises
    ------
    FigureDataError
        When a column is missing, the cell size is not positive or no cell is in the area.
    """
    if not cell_size > 0:
        raise FigureDataError(f"kernel density map: cell size must be positive, got {cell_size}")
    table = kde_table(cells)
    if table.empty:
        raise FigureDataError(f"kernel density map: no cells inside the area for {group_name}")
    ordered = table.sort_values(["density_per_km2", "cell_id"], ascending=[False, True])
    peak = ordered.iloc[0]
    bandwidth = (
        f", bandwidth {format_number(float(table['bandwidth'].iloc[0]), digits=0)} m"
        if "bandwidth" in table.columns and pd.notna(table["bandwidth"].iloc[0])
        else ""
    )
    alt_text = (
        f"Map of the kernel density of {group_name} in {area_name}, {period}, on"
        f" {len(table)} cells of {format_number(cell_size, digits=0)} m (quartic kernel"
        f"{bandwidth}). Density ranges from"
        f" {format_number(float(table['density_per_km2'].min()))} to"
        f" {format_number(float(peak['density_per_km2']))} crimes per km²; the peak is at"
        f" British National Grid {int(peak['x_centre'])} E, {int(peak['y_centre'])} N."
    )
    title = f"{group_name}: kernel density, {period}"
    runs = density_runs(table, cell_size=cell_size)
    labels = [
        label
        for _, label in sorted(
            set(zip(table["density_class"], table["density_range"], strict=True))
        )
    ]
    colours = [palette.VIRIDIS_7[int(index) - 1] for index in sorted(set(table["density_class"]))]
    spec = _grid_spec(
        table=runs,
        extent=_extent(runs),
        boundaries=boundaries,
        area_level=area_level,
        title=title,
        subtitle=[
            f"{area_name}: crimes per km², quartic kernel{bandwidth}, on"
            f" {format_number(cell_size, digits=0)} m cells;",
            f"{DENSITY_CLASSES} equal-interval classes, darker = more crime per km².",
        ],
        alt_text=alt_text,
        cell_encoding={
            "fill": {
                "field": "density_range",
                "type": "ordinal",
                "title": "Crimes per km²",
                "sort": labels,
                "scale": {"domain": labels, "range": colours},
                "legend": {"orient": "right"},
            },
            "stroke": {
                "field": "density_range",
                "type": "ordinal",
                "sort": labels,
                "scale": {"domain": labels, "range": colours},
                "legend": None,
            },
            "strokeWidth": {"value": 0.5},
        },
    )
    return Figure(
        figure_id=figure_id(FigureKind.KDE_MAP, group_id),
        title=title,
        alt_text=alt_text,
        spec=spec,
        data=table,
        source_table=source_table,
        crime_group=crime_group,
        note=caveat,
    )


EMERGING = ("emerging hotspot", "emerging coldspot")


def hotspot_classes_map(
    *,
    cells: pd.DataFrame,
    boundaries: dict[str, Any],
    cell_size: float,
    group_name: str,
    area_name: str,
    period: str,
    group_id: str,
    area_level: str = "csp",
    crime_group: str | None = None,
    caveat: str | None = None,
    source_table: str = "hotspot_classes",
) -> Figure:
    """Grid cells by how their hot or cold spot status developed over the period's months.

    The sfhotspot classes (persistent, emerging, former, intermittent hot or cold spot;
    mixed) from Gi* per month with Holm adjustment across months; cells with no pattern are
    not drawn. Emerging cells have a thick black outline and cold cells a dashed one, so the
    classes are told apart without colour.

    Parameters
    ----------
    cells
        The ``hotspot_classes`` rows of one group: ``cell_id, x_centre, y_centre,
        hotspot_category`` (``in_area``, ``periods``, ``recent_periods``,
        ``significant_hot``, ``significant_cold``).
    boundaries
        The artefact's boundaries (for the outlines).
    cell_size
        The grid's cell side in metres.
    group_name, area_name, period, group_id, area_level, crime_group, source_table
        Texts and identity of the figure.
    caveat
        Caveat printed under the map (snap points).

    Raises
    ------
    FigureDataError
        When a column is missing, the cell size is not positive or a class is unknown.
    """
    require_columns(
        cells, ("cell_id", "x_centre", "y_centre", "hotspot_category"), where="hot spot classes"
    )
    if not cell_size > 0:
        raise FigureDataError(f"hot spot classes map: cell size must be positive, got {cell_size}")
    inside = _in_area(cells)
    categories = palette.HOTSPOT_CATEGORY_COLOURS
    unknown = sorted(set(inside["hotspot_category"].astype(str)) - set(categories) - {"no pattern"})
    if unknown:
        raise FigureDataError(f"hot spot classes map: unknown classes {', '.join(unknown)}")
    drawn = inside[inside["hotspot_category"].isin(list(categories))]
    columns = [
        column
        for column in ("cell_id", "x_centre", "y_centre", "hotspot_category", "periods",
                       "recent_periods", "significant_hot", "significant_cold")
        if column in drawn.columns
    ]  # fmt: skip
    table = drawn.loc[:, columns].sort_values("cell_id", kind="mergesort").reset_index(drop=True)
    counts = {label: int((table["hotspot_category"] == label).sum()) for label in categories}
    present = [label for label in categories if counts[label]]
    months = ""
    if "periods" in inside.columns and not inside.empty:
        months = f" over {int(inside['periods'].iloc[0])} months"
    listed = ", ".join(f"{counts[label]} {label}" for label in present) or "none"
    alt_text = (
        f"Map of {area_name} on {format_number(cell_size, digits=0)} m cells showing how hot"
        f" and cold spots of {group_name} developed{months} of {period}: of {len(inside)}"
        f" cells in the area, {listed} cells (Gi* each month, Holm-adjusted across months,"
        " sfhotspot classes); the other cells show no pattern."
    )
    half = cell_size / 2
    extent = (
        float(inside["x_centre"].min() - half) if not inside.empty else 0.0,
        float(inside["y_centre"].min() - half) if not inside.empty else 0.0,
        float(inside["x_centre"].max() + half) if not inside.empty else 0.0,
        float(inside["y_centre"].max() + half) if not inside.empty else 0.0,
    )
    emerging = " || ".join(f"datum.hotspot_category === '{label}'" for label in EMERGING)
    cold = " || ".join(
        f"datum.hotspot_category === '{label}'" for label in categories if "coldspot" in label
    )
    title = f"{group_name}: emerging and persistent hot spots, {period}"
    spec = _grid_spec(
        table=table,
        extent=extent,
        transforms=[
            {"calculate": f"datum.x_centre - {half}", "as": "x_min"},
            {"calculate": f"datum.x_centre + {half}", "as": "x_max"},
            {"calculate": f"datum.y_centre - {half}", "as": "y_min"},
            {"calculate": f"datum.y_centre + {half}", "as": "y_max"},
        ],
        boundaries=boundaries,
        area_level=area_level,
        title=title,
        subtitle=[
            f"{area_name}: {format_number(cell_size, digits=0)} m cells classed by their Gi*"
            " hot/cold spot months (sfhotspot).",
            "Thick black outline: emerging; dashed outline: cold spot classes.",
        ],
        alt_text=alt_text,
        cell_encoding={
            "fill": {
                "field": "hotspot_category",
                "type": "nominal",
                "title": "Class",
                "scale": {"domain": present, "range": [categories[label] for label in present]},
                "legend": {"orient": "right", "labelLimit": 220},
            },
            "stroke": {
                "condition": {"test": emerging, "value": palette.BLACK},
                "value": palette.CELL_OUTLINE,
            }
            if emerging
            else {"value": palette.CELL_OUTLINE},
            "strokeWidth": {"condition": {"test": emerging, "value": 1.4}, "value": 0.3},
            "strokeDash": {"condition": {"test": cold, "value": [2, 1]}, "value": [1, 0]}
            if cold
            else {"value": [1, 0]},
        },
    )
    return Figure(
        figure_id=figure_id(FigureKind.HOTSPOT_MAP, "classes", group_id),
        title=title,
        alt_text=alt_text,
        spec=spec,
        data=table,
        source_table=source_table,
        crime_group=crime_group,
        note=caveat,
    )
