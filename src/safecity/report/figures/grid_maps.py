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
    alt_text = (
        f"Map of {area_name} on a grid of {format_number(side, digits=0)} m cells showing the"
        f" {hot} cells that are significant hot spots of {group_name} in {period}"
        f" ({counts[HOT_BINS[0]]} at 99% confidence) and the {cold} significant cold spots"
        f", of {len(inside)} cells in the area (Getis-Ord Gi*, Benjamini-Hochberg FDR)."
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
            "stroke": {"condition": {"test": hot_test, "value": "#5A2C00"}, "value": "#08306B"},
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


_SEAM_METRES = 8.0
"""Each density square is drawn this much larger on every side (under a pixel on a city map),
so that no hairline seams of anti-aliasing show between neighbouring squares."""


def kde_table(cells: pd.DataFrame) -> pd.DataFrame:
    """The plotted table of a density map: the in-area cells, by cell id."""
    require_columns(
        cells, ("cell_id", "x_centre", "y_centre", "density_per_km2"), where="kernel density map"
    )
    inside = _in_area(cells)
    columns = [
        column
        for column in ("cell_id", "x_centre", "y_centre", "bandwidth", "density_per_km2")
        if column in inside.columns
    ]
    table = inside.loc[:, columns].sort_values("cell_id", kind="mergesort")
    return table.reset_index(drop=True)


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
    half = cell_size / 2
    drawn = half + _SEAM_METRES
    extent = (
        float(table["x_centre"].min() - half),
        float(table["y_centre"].min() - half),
        float(table["x_centre"].max() + half),
        float(table["y_centre"].max() + half),
    )
    spec = _grid_spec(
        table=table,
        extent=extent,
        transforms=[
            {"calculate": f"datum.x_centre - {drawn}", "as": "x_min"},
            {"calculate": f"datum.x_centre + {drawn}", "as": "x_max"},
            {"calculate": f"datum.y_centre - {drawn}", "as": "y_min"},
            {"calculate": f"datum.y_centre + {drawn}", "as": "y_max"},
        ],
        boundaries=boundaries,
        area_level=area_level,
        title=title,
        subtitle=[
            f"{area_name}: crimes per km², quartic kernel{bandwidth}; darker = more crime per km².",
        ],
        alt_text=alt_text,
        cell_encoding={
            "fill": {
                "field": "density_per_km2",
                "type": "quantitative",
                "title": "Crimes per km²",
                "scale": {"range": list(palette.VIRIDIS_RANGE)},
                "legend": {"orient": "right", "format": ",.0f", "type": "gradient"},
            },
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
