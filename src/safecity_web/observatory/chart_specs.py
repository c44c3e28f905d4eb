"""Minimal Vega-Lite v5 map specifications the report's figure builders do not (yet) provide.

Choropleth maps of wards and LSOAs from the assessment's GeoJSON boundaries, the LSOA Gi*
hotspot map, the grid's emerging/persistent hotspot classes and the KDE surface. Each chart on
a page is followed by its data table (the accessible alternative); ``description`` carries the
short text alternative (Vega-Lite docs, "Accessibility").

References
----------
Vega-Lite v5 documentation: geoshape, https://vega.github.io/vega-lite/docs/geoshape.html;
rect, https://vega.github.io/vega-lite/docs/rect.html. ArcGIS Hot Spot Analysis (Getis-Ord
Gi*) Gi_Bin classes; sfhotspot ``hotspot_classify`` categories.
"""

from __future__ import annotations

from typing import Any

from safecity_web.observatory import visual

VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
MAP_WIDTH = 560
MAP_HEIGHT = 460

GI_BIN_ORDER = [
    "hot spot, 99% confidence",
    "hot spot, 95% confidence",
    "hot spot, 90% confidence",
    "not significant",
    "cold spot, 90% confidence",
    "cold spot, 95% confidence",
    "cold spot, 99% confidence",
]
HOTSPOT_CATEGORY_ORDER = [
    "persistent hotspot",
    "emerging hotspot",
    "intermittent hotspot",
    "former hotspot",
    "no pattern",
]


def gi_bin_colours() -> list[str]:
    """The colours of ``GI_BIN_ORDER``, from the core's palette (the report's map colours)."""
    by_label = dict(visual.colours()["gi_bins"])
    return [by_label[label] for label in GI_BIN_ORDER]


def hotspot_category_colours() -> list[str]:
    """The colours of ``HOTSPOT_CATEGORY_ORDER`` from the palette ("no pattern" is the palette's
    not-significant colour)."""
    palette = visual.colours()
    return [
        palette["hotspot_categories"].get(category, palette["not_significant"])
        for category in HOTSPOT_CATEGORY_ORDER
    ]


def _base(*, title: str, description: str) -> dict[str, Any]:
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "description": description,
        "title": {"text": title, "anchor": "start", "fontSize": 15},
        "background": visual.colours()["background"],
        "width": MAP_WIDTH,
        "height": MAP_HEIGHT,
        "config": {"view": {"stroke": None}, "legend": {"orient": "bottom"}},
    }


def features_of(
    boundaries: dict[str, Any] | None, *, level: str, codes: set[str] | None = None
) -> list[dict[str, Any]]:
    """The boundary features of one level (``ward``, ``lsoa``), optionally only ``codes``."""
    found = []
    for feature in (boundaries or {}).get("features", []):
        properties = feature.get("properties") or {}
        if properties.get("area_level") != level:
            continue
        if codes is not None and properties.get("area_code") not in codes:
            continue
        found.append(feature)
    return found


def _joined(
    features: list[dict[str, Any]], values: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Features with the area's values merged into their properties."""
    joined = []
    for feature in features:
        properties = dict(feature.get("properties") or {})
        properties.update(values.get(str(properties.get("area_code")), {}))
        joined.append(
            {"type": "Feature", "geometry": feature["geometry"], "properties": properties}
        )
    return joined


def choropleth_spec(
    *,
    features: list[dict[str, Any]],
    values: dict[str, dict[str, Any]],
    title: str,
    description: str,
    value_title: str,
) -> dict[str, Any]:
    """A choropleth: areas filled by ``values[code]["value"]``; areas without one in grey.

    ``values`` maps each GSS code to ``{"value": float | None, "label": str, "shown": str}``
    (``shown`` is the value as the page writes it, "suppressed" included, for the tooltip).
    """
    joined = _joined(features, values)
    spec = _base(title=title, description=description)
    spec["data"] = {"values": joined, "format": {"type": "json"}}
    spec["projection"] = {"type": "mercator"}
    tooltip = [
        {"field": "properties.area_name", "type": "nominal", "title": "Area"},
        {"field": "properties.shown", "type": "nominal", "title": value_title},
        {"field": "properties.label", "type": "nominal", "title": "Compared with the area"},
    ]
    spec["layer"] = [
        {
            "mark": {
                "type": "geoshape",
                "fill": visual.colours()["no_data"],
                "stroke": visual.colours()["background"],
            },
            "encoding": {"tooltip": tooltip},
        },
        {
            "transform": [{"filter": "isValid(datum.properties.value)"}],
            "mark": {
                "type": "geoshape",
                "stroke": visual.colours()["background"],
                "strokeWidth": 0.8,
            },
            "encoding": {
                "color": {
                    "field": "properties.value",
                    "type": "quantitative",
                    "title": value_title,
                    "scale": {"range": visual.colours()["sequential"]},
                },
                "tooltip": tooltip,
            },
        },
    ]
    return spec


def gi_bin_map_spec(
    *,
    features: list[dict[str, Any]],
    values: dict[str, dict[str, Any]],
    title: str,
    description: str,
) -> dict[str, Any]:
    """LSOAs coloured by their Gi* class (hot/cold spot at 90/95/99% confidence)."""
    spec = _base(title=title, description=description)
    spec["data"] = {"values": _joined(features, values), "format": {"type": "json"}}
    spec["projection"] = {"type": "mercator"}
    spec["mark"] = {
        "type": "geoshape",
        "stroke": visual.colours()["area_outline"],
        "strokeWidth": 0.4,
    }
    spec["encoding"] = {
        "color": {
            "field": "properties.gi_bin",
            "type": "nominal",
            "title": "Getis-Ord Gi*",
            "scale": {"domain": GI_BIN_ORDER, "range": gi_bin_colours()},
        },
        "tooltip": [
            {"field": "properties.area_name", "type": "nominal", "title": "Neighbourhood"},
            {"field": "properties.ward_name", "type": "nominal", "title": "Ward"},
            {"field": "properties.gi_bin", "type": "nominal", "title": "Gi* class"},
        ],
    }
    return spec


def grid_map_spec(
    *,
    cells: list[dict[str, Any]],
    cell_size: float,
    colour_field: str,
    colour_title: str,
    title: str,
    description: str,
    categories: tuple[list[str], list[str]] | None = None,
) -> dict[str, Any]:
    """Square grid cells (British National Grid metres, ``x``/``y`` centres) coloured by a field.

    ``categories`` (domain, colours) makes the colour nominal; otherwise it is a sequential
    quantitative scale.
    """
    half = cell_size / 2
    spec = _base(title=title, description=description)
    spec["data"] = {"values": cells}
    if cells:
        width = max(cell["x"] for cell in cells) - min(cell["x"] for cell in cells) + cell_size
        height = max(cell["y"] for cell in cells) - min(cell["y"] for cell in cells) + cell_size
        spec["height"] = round(MAP_WIDTH * height / width) if width > 0 else MAP_HEIGHT
    spec["transform"] = [
        {"calculate": f"datum.x - {half}", "as": "x_min"},
        {"calculate": f"datum.x + {half}", "as": "x_max"},
        {"calculate": f"datum.y - {half}", "as": "y_min"},
        {"calculate": f"datum.y + {half}", "as": "y_max"},
    ]
    colour: dict[str, Any] = {"field": colour_field, "title": colour_title}
    if categories is None:
        colour.update({"type": "quantitative", "scale": {"range": visual.colours()["sequential"]}})
    else:
        colour.update(
            {"type": "nominal", "scale": {"domain": categories[0], "range": categories[1]}}
        )
    axis_off = {"axis": None, "scale": {"zero": False, "nice": False}}
    spec["mark"] = {"type": "rect"}
    spec["encoding"] = {
        "x": {"field": "x_min", "type": "quantitative", **axis_off},
        "x2": {"field": "x_max"},
        "y": {"field": "y_min", "type": "quantitative", **axis_off},
        "y2": {"field": "y_max"},
        "color": colour,
        "tooltip": [
            {"field": colour_field, "title": colour_title},
            {"field": "x", "type": "quantitative", "title": "Easting (cell centre)"},
            {"field": "y", "type": "quantitative", "title": "Northing (cell centre)"},
        ],
    }
    return spec


CHART_WIDTH = 560
PANEL_HEIGHT = 110


def monthly_counts_spec(
    *,
    values: list[dict[str, Any]],
    series_order: list[str],
    title: str,
    description: str,
    count_title: str,
) -> dict[str, Any]:
    """Monthly counts as bars, one panel per series (small multiples sharing one scale).

    ``values`` are ``{"month": "YYYY-MM", "series": label, "count": int | None, "shown":
    text}``: a month whose count is withheld (``count`` None) is marked with a cross on the
    axis, never drawn as a zero bar; ``shown`` is what the tooltip says (``suppressed``).
    One colour for every bar (the palette's sequential scale): the panels, not colours, tell
    the series apart, so the chart reads without colour vision.
    """
    palette = visual.colours()
    month = {
        "field": "month",
        "type": "ordinal",
        "title": "Month received",
        "axis": {"labelAngle": -45, "labelOverlap": True},
    }
    tooltip = [
        {"field": "series", "type": "nominal", "title": "Kind"},
        {"field": "month", "type": "ordinal", "title": "Month"},
        {"field": "shown", "type": "nominal", "title": count_title},
    ]
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "description": description,
        "title": {"text": title, "anchor": "start", "fontSize": 15},
        "background": palette["background"],
        "data": {"values": values},
        "facet": {
            "row": {
                "field": "series",
                "type": "nominal",
                "title": None,
                "sort": series_order,
                "header": {
                    "labelOrient": "top",
                    "labelAnchor": "start",
                    "labelAngle": 0,
                    "labelFontSize": 13,
                    "labelFontWeight": "bold",
                },
            }
        },
        "spec": {
            "width": CHART_WIDTH,
            "height": PANEL_HEIGHT,
            "layer": [
                {
                    "transform": [{"filter": "isValid(datum.count)"}],
                    "mark": {"type": "bar", "color": palette["sequential"][3]},
                    "encoding": {
                        "x": month,
                        "y": {"field": "count", "type": "quantitative", "title": count_title},
                        "tooltip": tooltip,
                    },
                },
                {
                    "transform": [{"filter": "!isValid(datum.count)"}],
                    "mark": {
                        "type": "point",
                        "shape": "cross",
                        "filled": True,
                        "size": 90,
                        "color": palette["area_outline"],
                    },
                    "encoding": {"x": month, "y": {"datum": 0}, "tooltip": tooltip},
                },
            ],
        },
        "config": {"view": {"stroke": None}},
    }
