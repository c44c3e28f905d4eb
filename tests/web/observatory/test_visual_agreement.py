"""The ward table, the ward chart, the ward map and the spine chart speak one visual language.

Issue 17.4: the ward table showed "Higher (worse)" in red and "Lower (better)" in green while
the chart and the map on the same page used the palette's neutral blues. Every one of them now
shows the artefact's label (Higher, Similar, Lower: the ward against its own area, without
judgement) in the colour ``safecity.report.figures.palette.COMPARISON_STYLES`` gives it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from web_observatory import element, spec

from safecity.report.figures import palette
from safecity.stats.labels import ComparisonLabel
from safecity_web.observatory.models import PublishedAssessment

pytestmark = pytest.mark.django_db


def _palette_rules(css: str) -> dict[str, str]:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    return {selector.strip(): body for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css)}


def test_palette_css_is_the_core_palette(client: Any) -> None:
    response = client.get("/palette.css")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/css; charset=utf-8"
    rules = _palette_rules(response.content.decode())
    for label, style in palette.COMPARISON_STYLES.items():
        name = "-".join(label.value.lower().split())
        tag = rules[f".safecity-comparison--{name}"]
        assert f"background-color: {style.fill};" in tag
        assert f"color: {style.text};" in tag
        assert f" {style.border.value} " in tag
        assert f"fill: {style.fill};" in rules[f".safecity-spine__value--{name}"]
    for direction, style in palette.CHANGE_STYLES.items():
        assert f"background-color: {style.fill};" in rules[f".safecity-change--{direction.value}"]


def test_every_page_links_the_palette_stylesheet(client: Any) -> None:
    assert '<link rel="stylesheet" href="/palette.css">' in client.get("/methods/").content.decode()


def test_ward_table_chart_and_map_agree(
    client: Any, published_demo: PublishedAssessment, demo_artefact: Path
) -> None:
    html = client.get("/indicators/all_crime/").content.decode()
    indicators = pd.read_parquet(demo_artefact / "public" / "indicators.parquet")
    wards = indicators[
        (indicators["indicator_id"] == "all_crime") & (indicators["area_level"] == "ward")
    ]
    labels = set(wards["benchmark_label"])
    assert labels <= {"Higher", "Similar", "Lower"}
    assert {"Higher", "Lower"} <= labels  # the demo city has both, so the test can fail
    fill = {label.value: style.fill for label, style in palette.COMPARISON_STYLES.items()}
    for ward in wards.itertuples():
        row = element(html, f"ward-{ward.area_code}")
        name = ward.benchmark_label.lower()
        assert f'class="govuk-tag safecity-comparison--{name}">{ward.benchmark_label}<' in row
    chart = spec(html, "spec-ward-rates-all_crime")
    scales = [
        layer["encoding"]["fill"]["scale"]
        for layer in chart["layer"]
        if "fill" in layer.get("encoding", {})
    ]
    assert scales, "the ward chart colours its bars by label"
    for scale in scales:
        assert dict(zip(scale["domain"], scale["range"], strict=True)) == {
            label: fill[label] for label in scale["domain"]
        }
    if published_demo.boundaries is not None:
        ward_map = spec(html, "spec-ward-map-all_crime")
        text = json.dumps(ward_map)
        map_scale = re.search(r'"scale": (\{"domain": \[[^]]*\], "range": \[[^]]*\]\})', text)
        assert map_scale is not None
        scale = json.loads(map_scale.group(1))
        assert set(labels) <= set(scale["domain"])
        for label, colour in zip(scale["domain"], scale["range"], strict=True):
            assert colour == fill.get(label, palette.MISSING_FILL)
    # no judgement colours on the page's ward table: GOV.UK's red and green tags are gone
    table = element(html, "ward-table")
    assert "govuk-tag--red" not in table
    assert "govuk-tag--green" not in table
    assert "(worse)" not in table


def test_spine_markers_take_the_labels_class(
    client: Any, published_demo: PublishedAssessment, demo_artefact: Path
) -> None:
    indicators = pd.read_parquet(demo_artefact / "public" / "indicators.parquet")
    row = indicators[
        (indicators["area_code"] == "E05900002") & (indicators["indicator_id"] == "all_crime")
    ].iloc[0]
    html = client.get("/areas/E05900002/").content.decode()
    marker = element(html, "indicator-all_crime")
    label = ComparisonLabel(row["benchmark_label"])
    name = "-".join(label.value.lower().split())
    assert f'<circle class="safecity-spine__value--{name}"' in marker
    assert "fill=" not in marker
