"""Maps people can read: ward names, the area's outline, a scale bar, a north arrow and the
main hot spots labelled with their ward, checked in the rendered SVG.

The demo city's maps are checked against its own boundaries and hot spot table (read here with
``json`` and pandas, not through the chart code); the scale bar and ward label points are
checked on Southampton's real ward boundaries (ONS, May 2021, ``../shared/data``) against
pyproj's geodesic distance.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import shape

from safecity.report.artefact_reader import Audience, open_artefact
from safecity.report.figures import choropleth_map, palette, render_svg
from safecity.report.figures.assemble import named_figures
from safecity.report.figures.geo import (
    SCALE_STEPS_KM,
    reading_layers,
    scale_bar_km,
    ward_label_points,
)

SVG_TEXT = re.compile(r"<(?:text|tspan)\b[^>]*>([^<]*)</(?:text|tspan)>")
"""Text of ``<text>`` elements and of the ``<tspan>`` lines of a multi-line title."""


def _svg_texts(svg: str) -> list[str]:
    return [html.unescape(text.strip()) for text in SVG_TEXT.findall(svg)]


@pytest.fixture(scope="module")
def demo_maps(demo_artefact: Path) -> dict[str, str]:
    """The demo city's all-crime maps (public tables), as SVG: LSOA hot spots and quintiles
    (Mercator) and the grid maps of emerging and persistent hot spots and kernel density
    (British National Grid)."""
    artefact = open_artefact(directory=demo_artefact, audience=Audience.PUBLIC)
    figures, left_out = named_figures(
        artefact=artefact,
        names=["hotspot_lsoa", "quintile_map", "hotspot_classes", "kde"],
        crime_group=None,
    )
    assert left_out == []
    return {figure.figure_id: render_svg(spec=figure.spec) for figure in figures}


def _ward_names(demo_artefact: Path) -> set[str]:
    collection = json.loads((demo_artefact / "public" / "boundaries.geojson").read_text())
    return {
        feature["properties"]["area_name"]
        for feature in collection["features"]
        if feature["properties"]["area_level"] == "ward"
    }


@pytest.mark.parametrize(
    "figure_id",
    [
        "hotspot-map-lsoa-all_crime",
        "lsoa-quintile-map-all_crime",
        "hotspot-map-classes-all_crime",
        "kde-map-all_crime",
    ],
)
def test_maps_carry_every_ward_name_a_scale_bar_and_a_north_arrow(
    demo_maps: dict[str, str], demo_artefact: Path, figure_id: str
) -> None:
    texts = _svg_texts(demo_maps[figure_id])
    wards = _ward_names(demo_artefact)
    assert len(wards) == 16
    # Each name twice: its light halo and the name itself.
    for ward in wards:
        assert texts.count(ward) == 2, ward
    scale = [text for text in texts if re.fullmatch(r"\d+(\.\d+)? (km|m)", text)]
    assert len(scale) == 1
    assert "N" in texts


def test_hot_spot_map_numbers_and_names_the_main_hot_spots_by_ward(
    demo_maps: dict[str, str], demo_artefact: Path
) -> None:
    table = pd.read_csv(demo_artefact / "public" / "hotspots_lsoa.csv")
    hot = table[
        (table["group_id"] == "all_crime") & (table["gi_bin"] == "hot spot, 99% confidence")
    ]
    counts = hot.groupby("ward_name")["lsoa_code"].count()
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:3]
    assert ranked, "the demo city has all-crime hot spots at 99%"
    svg = demo_maps["hotspot-map-lsoa-all_crime"]
    texts = _svg_texts(svg)
    key = next(text for text in texts if text.startswith("Main hot spots: "))
    expected = "; ".join(
        f"{number} {ward} ({count} LSOA{'s' if count != 1 else ''} at 99%)"
        for number, (ward, count) in enumerate(ranked, start=1)
    )
    assert key == f"Main hot spots: {expected}."
    # The numbered markers are drawn on the map.
    for number in range(1, len(ranked) + 1):
        assert str(number) in texts


def _southampton_boundaries(shared_data: Path, *, with_force: bool = False) -> dict[str, Any]:
    wards = json.loads((shared_data / "boundaries" / "wards21_southampton.geojson").read_text())
    features = [
        {
            "type": "Feature",
            "properties": {
                "area_code": feature["properties"]["ward21_code"],
                "area_level": "ward",
                "area_name": feature["properties"]["ward21_name"],
            },
            "geometry": feature["geometry"],
        }
        for feature in wards["features"]
    ]
    outline = shapely.union_all([shape(feature["geometry"]) for feature in features])
    features.append(
        {
            "type": "Feature",
            "properties": {"area_code": "E22000120", "area_level": "csp", "area_name": "S"},
            "geometry": shapely.geometry.mapping(outline),
        }
    )
    if with_force:
        forces = json.loads((shared_data / "boundaries" / "pfa20.geojson").read_text())
        hampshire = next(
            feature
            for feature in forces["features"]
            if feature["properties"]["pfa20_name"] == "Hampshire"
        )
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "area_code": hampshire["properties"]["pfa20_code"],
                    "area_level": "pfa",
                    "area_name": "Hampshire",
                },
                "geometry": hampshire["geometry"],
            }
        )
    return {"type": "FeatureCollection", "features": features}


@pytest.mark.parametrize("with_force", [True, False])
def test_real_ward_map_locates_southampton_in_its_force_when_loaded(
    shared_data: Path, with_force: bool
) -> None:
    boundaries = _southampton_boundaries(shared_data, with_force=with_force)
    wards = [
        feature["properties"]
        for feature in boundaries["features"]
        if feature["properties"]["area_level"] == "ward"
    ]
    values = pd.DataFrame(
        {
            "area_code": [ward["area_code"] for ward in wards],
            "band": ["high" if ward["area_name"] == "Bargate" else "other" for ward in wards],
        }
    )
    figure = choropleth_map(
        values=values,
        boundaries=boundaries,
        class_column="band",
        classes={"high": palette.VIRIDIS_5[0], "other": palette.VIRIDIS_5[4]},
        title="Southampton wards",
        subtitle=["Bargate marked."],
        alt_text="Map of Southampton's 16 wards.",
        chart_id="test-map",
        legend_title="Band",
        source_table="indicators",
        crime_group=None,
    )
    texts = _svg_texts(render_svg(spec=figure.spec))
    for ward in wards:
        assert texts.count(ward["area_name"]) == 2, ward["area_name"]
    assert ("Location in Hampshire" in texts) is with_force
    assert "2.5 km" in texts


def test_scale_bar_measures_its_length_on_real_boundaries(shared_data: Path) -> None:
    boundaries = _southampton_boundaries(shared_data)
    layers = reading_layers(boundaries, area_level="csp")
    bar = next(layer for layer in layers if layer.get("mark", {}).get("type") == "rule")
    line = bar["data"]["values"][0]
    label = next(
        layer["data"]["values"][0]["name"]
        for layer in layers
        if layer.get("mark", {}).get("baseline") == "bottom"
    )
    kilometres = float(label.removesuffix(" km")) if label.endswith("km") else 0.0
    # Southampton's wards span 10.9 km west to east (pyproj, WGS84): a quarter is 2.7 km, so
    # the bar is the longest step within it, 2.5 km.
    assert kilometres == 2.5
    _, _, metres = Geod(ellps="WGS84").inv(
        line["longitude"], line["latitude"], line["longitude2"], line["latitude2"]
    )
    assert metres == pytest.approx(2500, rel=0.01)


def test_ward_labels_sit_inside_their_real_wards(shared_data: Path) -> None:
    boundaries = _southampton_boundaries(shared_data)
    points = ward_label_points(boundaries)
    assert len(points) == 16
    polygons = {
        feature["properties"]["area_name"]: shape(feature["geometry"])
        for feature in boundaries["features"]
        if feature["properties"]["area_level"] == "ward"
    }
    assert {point["name"] for point in points} == set(polygons)
    for point in points:
        inside = polygons[point["name"]].buffer(1e-5)
        assert inside.contains(shapely.Point(point["longitude"], point["latitude"])), point


@pytest.mark.parametrize(
    ("width_km", "expected"), [(0.2, 0.1), (0.45, 0.1), (4.0, 1.0), (9.3, 2.0), (30.0, 5.0)]
)
def test_scale_bar_is_the_longest_step_within_a_quarter_of_the_width(
    width_km: float, expected: float
) -> None:
    assert scale_bar_km(width_km) == expected
    assert expected in SCALE_STEPS_KM
