"""Choropleth maps on the artefact's boundaries: LSOA rate quintiles and Gi* hot spots.

Areas are drawn from ``boundaries.geojson`` (no map tiles) with a Mercator projection fitted
to the area. The values table drives the map: each row is joined to its boundary by code
(Vega-Lite ``lookup``), so the specification's data is exactly the table plotted. Suppressed
or missing areas are white with a dashed outline and named "suppressed" in the legend, never
shaded as a value. Ward and area outlines are drawn on top for orientation.

References
----------
Vega-Lite v5 documentation: geoshape, lookup, projection,
https://vega.github.io/vega-lite/docs/geoshape.html; Getis, A. & Ord, J. K. (1992) The
analysis of spatial association by use of distance statistics, *Geographical Analysis*
24(3):189-206 (Gi*, methods.md §6); ArcGIS Pro, "Hot Spot Analysis (Getis-Ord Gi*)"
(``Gi_Bin`` classes); equal-count quintiles, methods.md §3.1; viridis (van der Walt & Smith,
2015) and ColorBrewer diverging schemes (Brewer, 2003).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import shapely
from shapely.geometry import shape

from safecity.report.figures import palette
from safecity.report.figures.figure import (
    SUPPRESSED,
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
    features,
    inset_view,
    map_size,
    outline_layers,
    reading_layers,
)
from safecity.report.reader_words import GI_COUNTS_NOTE

QUINTILE_LABELS = {
    1: "1 (highest rates)",
    2: "2",
    3: "3",
    4: "4",
    5: "5 (lowest rates)",
}
PERMUTATION_INFERENCE = "permutation"
"""``hotspots_lsoa.inference`` of groups tested by permutation (too few crimes for the normal
approximation; ``safecity.assess.families.hotspots.Inference``)."""
HOT_BINS = tuple(label for label in palette.GI_BIN_COLOURS if label.startswith("hot"))
COLD_BINS = tuple(label for label in palette.GI_BIN_COLOURS if label.startswith("cold"))


def choropleth_map(
    *,
    values: pd.DataFrame,
    boundaries: dict[str, Any],
    class_column: str,
    classes: Mapping[str, str],
    title: str,
    subtitle: Sequence[str],
    alt_text: str,
    chart_id: str,
    legend_title: str,
    source_table: str,
    crime_group: str | None,
    code_column: str = "area_code",
    area_level: str = "csp",
    solid_classes: Sequence[str] = (),
    dashed_classes: Sequence[str] = (SUPPRESSED,),
    tooltip: Sequence[dict[str, Any]] = (),
    note: str | None = None,
    markers: list[dict[str, Any]] | None = None,
) -> Figure:
    """A map of areas shaded by a class column (quintile, Gi* bin ...), from the boundaries.

    Parameters
    ----------
    values
        One row per area: ``code_column`` (GSS code, as in the boundaries' ``area_code``)
        and ``class_column`` (a label of ``classes``).
    boundaries
        The artefact's GeoJSON FeatureCollection (``area_code``, ``area_level`` properties).
    class_column, classes
        The column shading the areas, and its labels in legend order with their colours.
    title, subtitle, alt_text, chart_id, legend_title, source_table, crime_group, note
        The figure's texts and identity.
    code_column
        The column holding the area codes.
    area_level
        Level of the assessed area's own outline (``csp``, ``lad``, ``pfa``).
    solid_classes, dashed_classes
        Classes drawn with a thick solid outline, and with a dashed outline, so that they
        are told apart without colour.
    tooltip
        Vega-Lite tooltip entries.
    markers
        Numbered places to mark on the map (``number``, ``longitude``, ``latitude``), keyed
        in the subtitle by the caller.

    Every map also carries the ward names, a scale bar and a north arrow
    (:func:`~safecity.report.figures.geo.reading_layers`).

    Raises
    ------
    FigureDataError
        When a column is missing or no row has a boundary.
    """
    require_columns(values, (code_column, class_column), where=chart_id)
    shapes = features(boundaries, levels=["lsoa", "ward"], codes=values[code_column].astype(str))
    if not shapes:
        raise FigureDataError(f"{chart_id}: no boundary for any of the areas in the table")
    unknown = sorted(set(values[class_column].dropna().astype(str)) - set(classes))
    if unknown:
        raise FigureDataError(f"{chart_id}: unknown classes {', '.join(unknown)}")
    present = [label for label in classes if (values[class_column] == label).any()]
    width, height = map_size(shapes)
    solid = " || ".join(f"datum.{class_column} === '{label}'" for label in solid_classes)
    dashed = " || ".join(f"datum.{class_column} === '{label}'" for label in dashed_classes)
    encoding: dict[str, Any] = {
        "shape": {"field": "geo", "type": "geojson"},
        "fill": {
            "field": class_column,
            "type": "nominal",
            "title": legend_title,
            "scale": {"domain": present, "range": [classes[label] for label in present]},
            "legend": {
                "orient": "right",
                "symbolStrokeColor": palette.OUTLINE,
                "labelLimit": 220,
            },
        },
        "strokeWidth": {"condition": {"test": solid, "value": 1.8}, "value": 0.5}
        if solid
        else {"value": 0.5},
        "stroke": {"condition": {"test": solid, "value": palette.BLACK}, "value": palette.MID_GREY}
        if solid
        else {"value": palette.MID_GREY},
        "strokeDash": {"condition": {"test": dashed, "value": [3, 2]}, "value": [1, 0]}
        if dashed
        else {"value": [1, 0]},
    }
    if tooltip:
        encoding["tooltip"] = list(tooltip)
    spec = base_spec(title=title, subtitle=list(subtitle), description=alt_text)
    view: dict[str, Any] = {}
    view.update(
        {
            "width": width,
            "height": height,
            "projection": {"type": "mercator"},
            "layer": [
                {
                    "data": {"values": spec_records(values)},
                    "transform": [
                        {
                            "lookup": code_column,
                            "from": {
                                "data": {"values": shapes},
                                "key": "properties.area_code",
                            },
                            "as": "geo",
                        }
                    ],
                    "mark": {"type": "geoshape"},
                    "encoding": encoding,
                },
                *outline_layers(boundaries, area_level=area_level),
                *reading_layers(boundaries, area_level=area_level, markers=markers),
            ],
        }
    )
    inset = inset_view(boundaries, area_level=area_level)
    if inset is None:
        spec.update(view)
    else:
        spec.update({"hconcat": [view, inset], "spacing": 12})
    return Figure(
        figure_id=chart_id,
        title=title,
        alt_text=alt_text,
        spec=spec,
        data=values,
        source_table=source_table,
        crime_group=crime_group,
        note=note,
    )


def quintile_table(quintiles: pd.DataFrame) -> pd.DataFrame:
    """The plotted table of a quintile map: one row per LSOA with its quintile's label."""
    require_columns(quintiles, ("area_code", "value", "quintile"), where="LSOA quintile map")
    columns = [
        column
        for column in ("indicator_id", "area_code", "area_name", "value", "quintile")
        if column in quintiles.columns
    ]
    table = quintiles.loc[:, columns].copy()
    table["value"] = pd.to_numeric(table["value"], errors="coerce")
    table["quintile"] = pd.to_numeric(table["quintile"], errors="coerce").astype("Int64")
    if "suppressed" in quintiles.columns:
        table["suppressed"] = quintiles["suppressed"].fillna(False).astype(bool)
    else:
        table["suppressed"] = table["quintile"].isna()
    table["quintile_label"] = [
        SUPPRESSED if pd.isna(quintile) else QUINTILE_LABELS[int(quintile)]
        for quintile in table["quintile"]
    ]
    return table.sort_values("area_code", kind="mergesort").reset_index(drop=True)


def _not_grouped_reason(quintiles: pd.DataFrame) -> str:
    """The ``caveat`` of a group whose LSOAs were not grouped (too few crimes), else ``""``."""
    if "caveat" not in quintiles.columns or "quintile" not in quintiles.columns:
        return ""
    if pd.to_numeric(quintiles["quintile"], errors="coerce").notna().any():
        return ""
    reasons = [str(reason) for reason in quintiles["caveat"].dropna() if str(reason)]
    return reasons[0] if reasons else ""


def lsoa_quintile_map(
    *,
    quintiles: pd.DataFrame,
    boundaries: dict[str, Any],
    indicator_name: str,
    area_name: str,
    period: str,
    group_id: str,
    area_level: str = "csp",
    crime_group: str | None = None,
    source_table: str = "lsoa_quintiles",
) -> Figure:
    """LSOAs shaded by quintile of the group's rate within the area (1 = highest fifth).

    Parameters
    ----------
    quintiles
        The ``lsoa_quintiles`` rows of one group: ``area_code, area_name, value, quintile``
        (``suppressed`` in public tables; ``caveat``).

    Raises
    ------
    FigureDataError
        When the group's LSOAs were not grouped (too few crimes): the message is the rows'
        ``caveat``, so the report says why the map is left out.
    boundaries
        The artefact's boundaries.
    indicator_name, area_name, period, group_id, area_level, crime_group, source_table
        Texts and identity of the figure.
    """
    not_grouped = _not_grouped_reason(quintiles)
    if not_grouped:
        raise FigureDataError(not_grouped)
    table = quintile_table(quintiles)
    classes = {
        **{QUINTILE_LABELS[q]: palette.VIRIDIS_5[q - 1] for q in QUINTILE_LABELS},
        SUPPRESSED: palette.MISSING_FILL,
    }
    shown = table[table["value"].notna()].sort_values(
        ["value", "area_code"], ascending=[False, True], kind="mergesort"
    )
    top = shown.head(3)
    name_column = "area_name" if "area_name" in table.columns else "area_code"
    sentences = [
        f"Map of the {len(table)} LSOAs of {area_name} shaded by quintile of the rate of"
        f" {indicator_name} per 1,000 in {period}, from 1 (the fifth with the highest rates,"
        " darkest) to 5 (lowest, lightest)."
    ]
    if not top.empty:
        listed = "; ".join(
            f"{row[name_column]} ({format_number(float(row['value']))})"
            for _, row in top.iterrows()
        )
        sentences.append(f"Highest rates: {listed}.")
    suppressed = int((table["quintile_label"] == SUPPRESSED).sum())
    if suppressed:
        sentences.append(
            f"{suppressed} LSOA(s) are suppressed to protect small counts (white, dashed)."
        )
    alt_text = " ".join(sentences)
    title = f"{indicator_name}: LSOAs by quintile of rate, {period}"
    return choropleth_map(
        values=table,
        boundaries=boundaries,
        class_column="quintile_label",
        classes=classes,
        title=title,
        subtitle=[
            f"{area_name}: equal-count quintiles of the rate per 1,000 within the area.",
            "Thin lines: wards; thick line: the area.",
        ],
        alt_text=alt_text,
        chart_id=figure_id(FigureKind.LSOA_QUINTILE_MAP, group_id),
        legend_title="Quintile",
        source_table=source_table,
        crime_group=crime_group,
        area_level=area_level,
        tooltip=[
            {"field": name_column, "title": "LSOA"},
            {"field": "value", "title": "Rate per 1,000", "format": ",.1f"},
            {"field": "quintile_label", "title": "Quintile"},
        ],
    )


def hotspot_table(hotspots: pd.DataFrame) -> pd.DataFrame:
    """The plotted table of an LSOA hot spot map: one row per LSOA, by code."""
    require_columns(hotspots, ("lsoa_code", "gi_bin"), where="hot spot map")
    columns = [
        column
        for column in ("group_id", "lsoa_code", "lsoa_name", "ward_name", "gi_bin", "gi_z", "p_fdr")
        if column in hotspots.columns
    ]
    table = hotspots.loc[:, columns].copy()
    table["gi_bin"] = table["gi_bin"].astype(str)
    return table.sort_values("lsoa_code", kind="mergesort").reset_index(drop=True)


def _bin_summary(table: pd.DataFrame, bins: Sequence[str], words: str) -> str:
    rows = table[table["gi_bin"].isin(bins)]
    if rows.empty:
        return f"no {words}s"
    levels = ", ".join(
        f"{int((rows['gi_bin'] == label).sum())} at {label.split(', ')[1].split()[0]}"
        for label in bins
        if (rows["gi_bin"] == label).any()
    )
    wards = ""
    if "ward_name" in rows.columns:
        names = sorted(set(rows["ward_name"].dropna().astype(str)))
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        wards = f", in {shown} ward(s)" if names else ""
    return f"{len(rows)} {words}(s) ({levels} confidence){wards}"


def hotspot_lsoa_map(
    *,
    hotspots: pd.DataFrame,
    boundaries: dict[str, Any],
    group_name: str,
    area_name: str,
    period: str,
    group_id: str,
    area_level: str = "csp",
    crime_group: str | None = None,
    source_table: str = "hotspots_lsoa",
) -> Figure:
    """LSOAs coloured by their Getis-Ord Gi* class (hot and cold spots at 99/95/90%).

    Hot spots have a thick solid outline and cold spots a dashed one, so the two are told
    apart in greyscale; the legend names every class.

    Parameters
    ----------
    hotspots
        The ``hotspots_lsoa`` rows of one group: ``lsoa_code, gi_bin`` (and ``lsoa_name,
        ward_name``; ``gi_z, p_fdr`` in partner tables).
    boundaries
        The artefact's boundaries.
    group_name, area_name, period, group_id, area_level, crime_group, source_table
        Texts and identity of the figure.
    """
    table = hotspot_table(hotspots)
    hot = _bin_summary(table, HOT_BINS, "hot spot")
    cold = _bin_summary(table, COLD_BINS, "cold spot")
    permuted = "inference" in hotspots.columns and bool(
        (hotspots["inference"].astype(str) == PERMUTATION_INFERENCE).any()
    )
    test = "Getis-Ord Gi* on counts, queen contiguity, Benjamini-Hochberg FDR"
    if permuted:
        test += (
            "; too few crimes for the usual normal approximation, so tested against random"
            " rearrangements of the counts"
        )
    alt_text = (
        f"Map of the {len(table)} LSOAs of {area_name} by Getis-Ord Gi* hot spot class for"
        f" {group_name}, {period} (Benjamini-Hochberg adjusted"
        f"{'; permutation test, too few crimes for the normal approximation' if permuted else ''}"
        f"): {hot}; {cold}."
    )
    tooltip = [
        {"field": "lsoa_name" if "lsoa_name" in table.columns else "lsoa_code", "title": "LSOA"},
        {"field": "gi_bin", "title": "Gi* class"},
    ]
    main = main_hotspots(table, boundaries=boundaries)
    hotspot_key = (
        "Main hot spots: "
        + "; ".join(
            f"{marker['number']} {marker['ward']} ({marker['lsoas']} LSOA"
            f"{'s' if marker['lsoas'] != 1 else ''} at {marker['confidence']})"
            for marker in main
        )
        + "."
        if main
        else "No hot spots."
    )
    if "gi_z" in table.columns:
        tooltip.append({"field": "gi_z", "title": "Gi* z", "format": ".2f"})
    return choropleth_map(
        values=table,
        boundaries=boundaries,
        class_column="gi_bin",
        classes=palette.GI_BIN_COLOURS,
        title=f"{group_name}: hot and cold spots by LSOA, {period}",
        subtitle=[
            f"{area_name}: {test}.",
            "Hot spots: orange, thick outline; cold spots: blue, dashed outline.",
            hotspot_key,
        ],
        alt_text=alt_text,
        chart_id=figure_id(FigureKind.HOTSPOT_MAP, "lsoa", group_id),
        legend_title="Gi* class",
        source_table=source_table,
        crime_group=crime_group,
        code_column="lsoa_code",
        area_level=area_level,
        solid_classes=HOT_BINS,
        dashed_classes=COLD_BINS,
        tooltip=tooltip,
        markers=[
            {key: marker[key] for key in ("number", "longitude", "latitude")} for marker in main
        ],
        note=GI_COUNTS_NOTE
        + (
            " There are too few crimes for the usual normal approximation of Gi*, so each LSOA"
            " was tested against random rearrangements of the counts."
            if permuted
            else ""
        ),
    )


MAIN_HOTSPOTS = 3
"""Hot spot areas a map marks and names: the wards with the most hot LSOAs."""


def main_hotspots(table: pd.DataFrame, *, boundaries: dict[str, Any]) -> list[dict[str, Any]]:
    """The main hot spots, by ward: the wards with the most hot LSOAs at the highest
    confidence reached, at most :data:`MAIN_HOTSPOTS`.

    Each is numbered, named by its ward (``ward_name`` of ``hotspots_lsoa``) and placed at a
    point inside the union of its hot LSOAs. LSOAs without a ward name or boundary are not
    marked.

    Returns
    -------
    list of dict
        ``number``, ``ward``, ``lsoas`` (hot LSOAs at that confidence), ``confidence``
        (``99%``...), ``longitude``, ``latitude``.
    """
    if "ward_name" not in table.columns:
        return []
    for label in HOT_BINS:
        hot = table[(table["gi_bin"] == label) & table["ward_name"].notna()]
        if not hot.empty:
            break
    else:
        return []
    shapes = {
        str(item["properties"]["area_code"]): shape(item["geometry"])
        for item in features(boundaries, levels=["lsoa"], codes=hot["lsoa_code"].astype(str))
    }
    counts = hot.groupby("ward_name", sort=True)["lsoa_code"].count()
    ranked = sorted(counts.items(), key=lambda item: (-int(item[1]), str(item[0])))
    found: list[dict[str, Any]] = []
    for ward, count in ranked:
        parts = [shapes[code] for code in hot.loc[hot["ward_name"] == ward, "lsoa_code"].astype(str)
                 if code in shapes]  # fmt: skip
        if not parts:
            continue
        point = shapely.union_all(parts).point_on_surface()
        found.append(
            {
                "number": len(found) + 1,
                "ward": str(ward),
                "lsoas": int(count),
                "confidence": label.split(", ")[1].split()[0],
                "longitude": round(point.x, 5),
                "latitude": round(point.y, 5),
            }
        )
        if len(found) == MAIN_HOTSPOTS:
            break
    return found
