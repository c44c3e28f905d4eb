"""The observatory's own Vega-Lite map specs compile and draw the artefact's real cells/areas."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import vl_convert

from safecity_web.observatory import chart_specs


def test_hotspot_class_grid_spec_renders_every_patterned_cell(demo_artefact: Path) -> None:
    classes = pd.read_parquet(demo_artefact / "public" / "hotspot_classes.parquet")
    group = classes[(classes["group_id"] == "all_crime") & classes["in_area"]]
    patterned = group[group["hotspot_category"] != "no pattern"]
    assert len(patterned) > 0
    cells = [
        {"x": round(row.x_centre), "y": round(row.y_centre), "category": row.hotspot_category}
        for row in patterned.itertuples()
    ]
    spec = chart_specs.grid_map_spec(
        cells=cells,
        cell_size=100.0,
        colour_field="category",
        colour_title="Hotspot class",
        title="Emerging and persistent hotspots",
        description="Grid of cells by hotspot class.",
        categories=(chart_specs.HOTSPOT_CATEGORY_ORDER, chart_specs.hotspot_category_colours()),
    )
    svg = vl_convert.vegalite_to_svg(vl_spec=spec)
    assert svg.startswith("<svg")
    assert svg.count("<path") >= len(cells)  # one rect mark per cell (drawn as paths)
    xs = [cell["x"] for cell in cells]
    ys = [cell["y"] for cell in cells]
    width = max(xs) - min(xs) + 100
    assert spec["height"] == round(chart_specs.MAP_WIDTH * (max(ys) - min(ys) + 100) / width)


def test_rate_choropleth_spec_renders_the_wards_from_the_boundaries(demo_artefact: Path) -> None:
    boundaries = json.loads((demo_artefact / "public" / "boundaries.geojson").read_text("utf-8"))
    wards = chart_specs.features_of(boundaries, level="ward")
    assert len(wards) == 16
    indicators = pd.read_parquet(demo_artefact / "public" / "indicators.parquet")
    rows = indicators[
        (indicators["indicator_id"] == "all_crime") & (indicators["area_level"] == "ward")
    ]
    values = {
        row.area_code: {
            "value": row.value,
            "shown": f"{row.value:,.1f}",
            "label": row.benchmark_label,
        }
        for row in rows.itertuples()
    }
    spec = chart_specs.choropleth_spec(
        features=wards,
        values=values,
        title="All crime by ward",
        description="Map.",
        value_title="Rate",
    )
    joined = {
        feature["properties"]["area_code"]: feature["properties"]
        for feature in spec["data"]["values"]
    }
    assert {code: joined[code]["value"] for code in values} == {
        code: entry["value"] for code, entry in values.items()
    }
    svg = vl_convert.vegalite_to_svg(vl_spec=spec)
    assert svg.startswith("<svg")
    assert svg.count("<path") >= 2 * len(wards)  # grey base layer and the shaded layer
