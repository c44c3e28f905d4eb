"""The hotspot page: Getis-Ord Gi* neighbourhoods, grid hotspot classes and the KDE surface."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from safecity_web.observatory import chart_specs, queries
from safecity_web.observatory.models import PublishedAssessment
from safecity_web.observatory.views.charts import PageChart
from safecity_web.observatory.views.common import (
    Mode,
    NoPublishedAssessmentError,
    page_context,
    resolve_assessment,
)
from safecity_web.observatory.views.home import no_assessment

DEFAULT_GROUP = "all_crime"
DEFAULT_CELL_SIZE = 100.0
KDE_TOP_CELLS = 10
NO_PATTERN = "no pattern"
KDE_STRIDE = 2
"""The KDE map draws every other cell each way (cells twice the size): the surface is smooth,
and the page stays light. The data table lists the densest cells at full resolution."""


def _grid_settings(assessment: PublishedAssessment) -> tuple[float, str]:
    hotspots = (queries.manifest(assessment).get("families") or {}).get("hotspots") or {}
    grid = hotspots.get("grid") or {}
    return float(grid.get("cell_size_m") or DEFAULT_CELL_SIZE), str(
        hotspots.get("snap_point_caveat") or ""
    )


def _skipped(assessment: PublishedAssessment, key: str) -> str:
    return str((queries.manifest(assessment).get("skipped") or {}).get(key) or "")


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
        description = (
            f"Map of {len(rows)} neighbourhoods (LSOAs) by Getis-Ord Gi* class for "
            f"{group_name.lower()}: {counts.get('hot spot, 99% confidence', 0)} hot spots at "
            f"99% confidence, {counts.get('hot spot, 95% confidence', 0)} at 95%."
        )
        boundaries = queries.boundaries(assessment)
        chart: PageChart | None = None
        reason = ""
        features = chart_specs.features_of(boundaries, level="lsoa")
        if features:
            values = {
                str(row["lsoa_code"]): {
                    "gi_bin": row.get("gi_bin"),
                    "ward_name": row.get("ward_name"),
                }
                for row in rows
            }
            title = f"Neighbourhood hotspots (Gi*): {group_name}, {assessment.period}"
            chart = PageChart(
                chart_id=f"hotspot-lsoa-{group}",
                title=title,
                alt_text=description,
                spec=chart_specs.gi_bin_map_spec(
                    features=features, values=values, title=title, description=description
                ),
                headings=["Gi* class", "Neighbourhoods"],
                rows=summary,
                table_caption=f"Data for the map: {title}",
            )
        else:
            reason = (
                "No neighbourhood map: this assessment was published without boundaries "
                "(no boundaries.geojson); the tables list every hot spot."
            )
        return {
            "chart": chart,
            "reason": reason,
            "summary": summary,
            "significant": significant,
            "test": test,
            "caveat": str(rows[0].get("caveat") or ""),
            "group_name": group_name,
        }

    return queries.cached(assessment, f"hotspot-lsoa:{group}", build)


def grid_maps(assessment: PublishedAssessment, group: str) -> dict[str, Any]:
    """Grid hotspot classes and the KDE surface of the group (or why there are none)."""

    def build() -> dict[str, Any]:
        cell_size, _ = _grid_settings(assessment)
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
                        chart_specs.HOTSPOT_CATEGORY_COLOURS,
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
        kde = queries.table_rows(assessment, "kde_grid", group_key=group)
        kde_rows = [row for row in (kde.rows if kde else []) if row.get("in_area") is not False]
        if kde_rows:
            x_min = min(float(row["x_centre"]) for row in kde_rows)
            y_min = min(float(row["y_centre"]) for row in kde_rows)
            cells = [
                {
                    "x": round(row["x_centre"] + cell_size / 2),
                    "y": round(row["y_centre"] + cell_size / 2),
                    "density": round(float(row["density_per_km2"]), 1),
                }
                for row in kde_rows
                if round((row["x_centre"] - x_min) / cell_size) % KDE_STRIDE == 0
                and round((row["y_centre"] - y_min) / cell_size) % KDE_STRIDE == 0
            ]
            top = sorted(kde_rows, key=lambda row: -(row.get("density_per_km2") or 0.0))
            bandwidth = float(kde_rows[0].get("bandwidth") or 0.0)
            title = f"Crime density (kernel density estimate), {assessment.period}"
            description = (
                f"Density of crimes per square kilometre on {len(kde_rows):,} cells of "
                f"{cell_size:,.0f} m, drawn on cells of {cell_size * KDE_STRIDE:,.0f} m "
                f"({kde_rows[0].get('kernel')} kernel, bandwidth {bandwidth:,.0f} m); highest "
                f"{float(top[0]['density_per_km2']):,.1f} per km²."
            )
            result["kde"] = PageChart(
                chart_id=f"kde-{group}",
                title=title,
                alt_text=description,
                spec=chart_specs.grid_map_spec(
                    cells=cells,
                    cell_size=cell_size * KDE_STRIDE,
                    colour_field="density",
                    colour_title="Crimes per km²",
                    title=title,
                    description=description,
                ),
                headings=["Cell centre easting", "Cell centre northing", "Crimes per km²"],
                rows=[
                    [
                        f"{row['x_centre']:,.0f}",
                        f"{row['y_centre']:,.0f}",
                        f"{float(row['density_per_km2']):,.1f}",
                    ]
                    for row in top[:KDE_TOP_CELLS]
                ],
                table_caption=f"The {KDE_TOP_CELLS} densest cells (British National Grid)",
            )
        else:
            result["kde_reason"] = "No density surface for this crime group" + (
                f": {skipped}" if skipped else "."
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
        lsoa=lsoa_map(assessment, group)
        if group
        else {"reason": "No hotspot analysis in this assessment."},
        grid=grid_maps(assessment, group) if group else {},
        snap_caveat=snap_caveat,
    )
    return render(request, "observatory/hotspots.html", context)
