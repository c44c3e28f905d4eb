"""The hotspot page: Getis-Ord Gi* neighbourhoods, grid hotspot classes and the KDE surface."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from safecity_web import core_gateway
from safecity_web.observatory import chart_specs, queries
from safecity_web.observatory.models import PublishedAssessment
from safecity_web.observatory.views.charts import PageChart, from_gateway
from safecity_web.observatory.views.common import (
    Mode,
    NoPublishedAssessmentError,
    lazy,
    page_context,
    resolve_assessment,
)
from safecity_web.observatory.views.home import no_assessment

DEFAULT_GROUP = "all_crime"
DEFAULT_CELL_SIZE = 100.0
NO_PATTERN = "no pattern"
SPOT_TYPES = ("hot spot", "cold spot")
"""The ``hotspot`` column's values for units significant at the test's level."""
KDE_TOP_CELLS = 10


CONFIDENCE = re.compile(r"([0-9]+(?:\.[0-9]+)?)% confidence")
"""The confidence a Gi* class names (``hot spot, 90% confidence``)."""


def confidence_levels(labels: Iterable[str]) -> str:
    """The confidence levels the given Gi* classes name, in words: ``90%, 95% or 99%``.

    Headings and captions say the levels of the rows they head, never a fixed one.
    """
    levels = sorted(
        {float(match[1]) for label in labels if (match := CONFIDENCE.search(str(label)))}
    )
    words = [f"{level:g}%" for level in levels]
    if len(words) < 2:
        return "".join(words)
    return f"{', '.join(words[:-1])} or {words[-1]}"


def test_level(assessment: PublishedAssessment) -> str:
    """The confidence at which the assessment's Gi* test calls a unit a hot or cold spot
    (``1 - alpha`` of the manifest: ``95%``), or "" when the manifest does not say."""
    hotspots = (queries.manifest(assessment).get("families") or {}).get("hotspots") or {}
    alpha = hotspots.get("alpha")
    if not isinstance(alpha, int | float) or not 0 < alpha < 1:
        return ""
    return f"{(1 - alpha) * 100:g}%"


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def _grid_settings(assessment: PublishedAssessment) -> tuple[float, str]:
    hotspots = (queries.manifest(assessment).get("families") or {}).get("hotspots") or {}
    grid = hotspots.get("grid") or {}
    police_uk = bool(hotspots.get("snap_point_caveat"))
    return float(grid.get("cell_size_m") or DEFAULT_CELL_SIZE), (
        core_gateway.snap_point_note() if police_uk else ""
    )


def _skipped(assessment: PublishedAssessment, key: str) -> str:
    return str((queries.manifest(assessment).get("skipped") or {}).get(key) or "")


def _lsoa_caveat(row: dict[str, Any]) -> str:
    """What to bear in mind reading the neighbourhood hot spots, in the report's words."""
    if row.get("source") == "police_uk":
        return f"{core_gateway.snap_point_note()} {core_gateway.gi_counts_note()}"
    return str(row.get("caveat") or "")


def lsoa_map(assessment: PublishedAssessment, group: str) -> dict[str, Any]:
    """The LSOA Gi* map (when boundaries exist) and the table of significant LSOAs."""

    def build() -> dict[str, Any]:
        table = queries.table_rows(assessment, "hotspots_lsoa", group_key=group)
        if table is None or not table.rows:
            reason = _skipped(assessment, f"hotspots_lsoa:{group}")
            return {
                "reason": "No neighbourhood hotspot analysis for this crime group"
                + (f": {reason}" if reason else ".")
            }
        rows = table.rows
        significant = [row for row in rows if (row.get("gi_bin_code") or 0) != 0]
        significant.sort(
            key=lambda row: (-(row.get("gi_bin_code") or 0), row.get("lsoa_name") or "")
        )
        counts = Counter(str(row.get("gi_bin")) for row in rows)
        summary = [[label, counts.get(label, 0)] for label in chart_specs.GI_BIN_ORDER]
        group_name = str(rows[0].get("group_name") or group)
        test = str(rows[0].get("test") or "")
        boundaries = queries.boundaries(assessment)
        chart: PageChart | None = None
        reason = ""
        if boundaries is None:
            reason = (
                "No neighbourhood map: this assessment was published without boundaries "
                "(no boundaries.geojson); the tables list every hot spot."
            )
        else:
            try:
                chart = from_gateway(
                    core_gateway.hotspot_lsoa_map(
                        hotspots=rows,
                        boundaries=boundaries,
                        group_id=group,
                        group_name=group_name,
                        area_name=assessment.area_name,
                        period=assessment.period,
                    )
                )
            except core_gateway.ChartUnavailableError as error:
                reason = f"No neighbourhood map: {error}"
        level = test_level(assessment)
        at_level = sum(1 for row in significant if row.get("hotspot") in SPOT_TYPES)
        levels = confidence_levels(str(row.get("gi_bin") or "") for row in significant)
        listed = (
            f"Neighbourhoods in a hot or cold spot class ({levels} confidence after"
            " Benjamini–Hochberg adjustment)"
        )
        if level:
            listed += (
                f"; {at_level} of them {'is' if at_level == 1 else 'are'} hot or cold spots at"
                f" the test's {level} confidence"
            )
        return {
            "chart": chart,
            "reason": reason,
            "summary": summary,
            "significant": significant,
            "significant_caption": listed,
            "level": level,
            "test": test,
            "caveat": _lsoa_caveat(rows[0]),
            "group_name": group_name,
        }

    return queries.cached(assessment, f"hotspot-lsoa:{group}", build)


def grid_maps(
    assessment: PublishedAssessment, group: str, *, names: dict[str, str]
) -> dict[str, Any]:
    """Grid Gi* hot spots, hotspot classes over the months and the KDE surface of the group."""

    def build() -> dict[str, Any]:
        cell_size, snap_caveat = _grid_settings(assessment)
        skipped = _skipped(assessment, f"hotspots_grid:{group}")
        result: dict[str, Any] = {}
        classes = queries.table_rows(assessment, "hotspot_classes", group_key=group)
        class_rows = [
            row for row in (classes.rows if classes else []) if row.get("in_area") is not False
        ]
        patterned = [row for row in class_rows if row.get("hotspot_category") != NO_PATTERN]
        if class_rows:
            cells = [
                {
                    "x": round(row["x_centre"]),
                    "y": round(row["y_centre"]),
                    "category": row["hotspot_category"],
                }
                for row in patterned
            ]
            counts = Counter(str(row.get("hotspot_category")) for row in class_rows)
            description = (
                f"Grid of {len(class_rows):,} cells of {cell_size:,.0f} m (cells with no "
                "pattern are not drawn): "
                + ", ".join(
                    f"{counts.get(category, 0):,} {category}"
                    for category in chart_specs.HOTSPOT_CATEGORY_ORDER
                )
                + "."
            )
            title = (
                f"Emerging and persistent hotspots, {cell_size:,.0f} m cells, {assessment.period}"
            )
            result["classes"] = PageChart(
                chart_id=f"hotspot-classes-{group}",
                title=title,
                alt_text=description,
                spec=chart_specs.grid_map_spec(
                    cells=cells,
                    cell_size=cell_size,
                    colour_field="category",
                    colour_title="Hotspot class",
                    title=title,
                    description=description,
                    categories=(
                        chart_specs.HOTSPOT_CATEGORY_ORDER,
                        chart_specs.hotspot_category_colours(),
                    ),
                ),
                headings=["Hotspot class", "Cells"],
                rows=[
                    [category, f"{counts.get(category, 0):,}"]
                    for category in chart_specs.HOTSPOT_CATEGORY_ORDER
                ],
                table_caption=f"Data for the map: {title}",
                note=str(class_rows[0].get("test") or "") or None,
            )
        else:
            result["classes_reason"] = "No grid hotspot classes for this crime group" + (
                f": {skipped}" if skipped else "."
            )
        boundaries = queries.boundaries(assessment)
        group_name = names.get(group, group)
        grid = queries.table_rows(assessment, "hotspots_grid", group_key=group)
        kde = queries.table_rows(assessment, "kde_grid", group_key=group)
        for key, table, build_map in (
            ("grid", grid, core_gateway.hotspot_grid_map),
            ("kde", kde, core_gateway.kde_map),
        ):
            label = "grid hot spots" if key == "grid" else "density surface"
            if table is None or not table.rows:
                result[f"{key}_reason"] = f"No {label} for this crime group" + (
                    f": {skipped}" if skipped else "."
                )
                continue
            if boundaries is None:
                result[f"{key}_reason"] = (
                    f"No {label} map: this assessment was published without boundaries."
                )
                continue
            arguments: dict[str, Any] = {
                "cells": table.rows,
                "boundaries": boundaries,
                "group_id": group,
                "group_name": group_name,
                "area_name": assessment.area_name,
                "period": assessment.period,
                "caveat": snap_caveat or None,
            }
            if key == "kde":
                arguments["cell_size"] = cell_size
            try:
                figure = build_map(**arguments)
            except core_gateway.ChartUnavailableError as error:
                result[f"{key}_reason"] = f"No {label} map: {error}"
                continue
            spots = [
                str(row.get("gi_bin"))
                for row in table.rows
                if str(row.get("gi_bin", "")).startswith(("hot", "cold"))
            ]
            result[key] = (
                from_gateway(
                    figure,
                    keep=lambda row: str(row.get("gi_bin", "")).startswith(("hot", "cold")),
                    caption=(
                        "Grid cells in a hot or cold spot class"
                        f" ({confidence_levels(spots)} confidence after Benjamini–Hochberg"
                        " adjustment; British National Grid)"
                    ),
                )
                if key == "grid"
                else from_gateway(
                    figure,
                    order=lambda row: -_number(row.get("density_per_km2")),
                    limit=KDE_TOP_CELLS,
                    caption=f"The {KDE_TOP_CELLS} densest cells (British National Grid)",
                )
            )
        return result

    return queries.cached(assessment, f"hotspot-grid:{group}", build)


def hotspots(
    request: HttpRequest, mode: Mode = Mode.CURRENT, assessment_id: int | None = None
) -> HttpResponse:
    """Hotspot maps for one crime group, chosen with ``?group=``."""
    try:
        assessment = resolve_assessment(mode=mode, assessment_id=assessment_id)
    except NoPublishedAssessmentError:
        return no_assessment(request)
    groups = queries.cached(
        assessment, "hotspot-groups", lambda: queries.table_groups(assessment, "hotspots_lsoa")
    )
    names = queries.cached(
        assessment,
        "indicator-names",
        lambda: dict(
            queries.values(assessment)
            .filter(area_code=assessment.area_code)
            .values_list("indicator_id", "indicator_name")
        ),
    )
    requested = request.GET.get("group", "")
    group = (
        requested
        if requested in groups
        else (DEFAULT_GROUP if DEFAULT_GROUP in groups else (groups[0] if groups else ""))
    )
    _, snap_caveat = _grid_settings(assessment)
    context = page_context(
        request,
        mode=mode,
        assessment=assessment,
        groups=[(key, names.get(key, key)) for key in groups],
        group=group,
        unknown_group=requested if requested and requested not in groups else "",
        page_key=f"{request.path}?group={group}",
        lsoa=lazy(lambda: lsoa_map(assessment, group))
        if group
        else {"reason": "No hotspot analysis in this assessment."},
        grid=lazy(lambda: grid_maps(assessment, group, names=names) if group else {}),
        snap_caveat=snap_caveat,
    )
    return render(request, "observatory/hotspots.html", context)
