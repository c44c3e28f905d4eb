"""Headings state the confidence level actually used (issue 17.4).

The hotspot page's table of neighbourhoods was headed by the test's "95% after BH FDR" while it
listed every neighbourhood in a hot or cold spot Gi* class, 90% ones included. Its caption now
names the levels of the classes it lists, and the level at which the test calls a hot spot
comes from the manifest's ``alpha``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from django.core.cache import cache
from web_observatory import element, text

from safecity_web.observatory.models import PublishedAssessment
from safecity_web.observatory.templatetags.observatory_tags import percent
from safecity_web.observatory.views.hotspots import confidence_levels

pytestmark = pytest.mark.django_db


def test_levels_are_named_from_the_classes() -> None:
    assert confidence_levels(["hot spot, 90% confidence", "cold spot, 99% confidence"]) == (
        "90% or 99%"
    )
    assert confidence_levels(
        ["hot spot, 95% confidence", "hot spot, 90% confidence", "hot spot, 99% confidence"]
    ) == ("90%, 95% or 99%")
    assert confidence_levels(["hot spot, 95% confidence", "not significant"]) == "95%"
    assert confidence_levels([]) == ""


def test_hotspot_captions_say_the_levels_listed_and_the_tests(
    client: Any, published_demo: PublishedAssessment, demo_artefact: Path
) -> None:
    html = client.get("/hotspots/").content.decode()
    manifest = json.loads((demo_artefact / "manifest.json").read_text(encoding="utf-8"))
    level = f"{(1 - manifest['families']['hotspots']['alpha']) * 100:g}%"
    assert level == "95%"
    lsoa = pd.read_parquet(demo_artefact / "public" / "hotspots_lsoa.parquet")
    listed = lsoa[(lsoa["group_id"] == "all_crime") & (lsoa["gi_bin_code"] != 0)]
    assert len(listed) > 0
    levels = sorted(
        {float(re.search(r"([0-9]+)% confidence", label)[1]) for label in listed["gi_bin"]}  # type: ignore[index]
    )
    words = [f"{value:g}%" for value in levels]
    named = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"
    at_level = int(listed["hotspot"].isin(["hot spot", "cold spot"]).sum())
    caption = text(element(html, "hotspot-lsoas"))
    assert (
        f"Neighbourhoods in a hot or cold spot class ({named} confidence after"
        f" Benjamini–Hochberg adjustment); {at_level} of them"
    ) in caption
    assert f"hot or cold spots at the test's {level} confidence" in caption
    assert f"Hot or cold spot at {level} confidence" in caption
    summary = text(element(html, "gi-summary"))
    assert f"calls a neighbourhood a hot or cold spot at {level} confidence" in summary


def test_percent_writes_the_level() -> None:
    assert percent(0.95) == "95%"
    assert percent(0.998) == "99.8%"
    assert percent(None) == ""


def test_interval_headings_follow_the_manifests_confidence(
    client: Any, published_demo: PublishedAssessment
) -> None:
    assert "95% confidence interval" in client.get("/indicators/").content.decode()
    # An assessment made at another level says so in every heading (the manifest's
    # parameters.confidence, which the core writes with the intervals it computes).
    published_demo.manifest["parameters"]["confidence"] = 0.9
    published_demo.save(update_fields=["manifest"])
    cache.clear()
    try:
        for url in ("/", "/indicators/", "/indicators/all_crime/", "/areas/E05900002/"):
            html = client.get(url).content.decode()
            # The residents' survey's table keeps its own level: the survey family computes
            # its intervals at config/survey.yaml's confidence, which its rows carry (95%).
            tables = re.findall(r"<table\b.*?</table>", html, flags=re.S)
            survey = [table for table in tables if "The residents' survey" in table]
            for table in survey:
                assert "95% confidence interval" in table, url
                html = html.replace(table, "")
            headers = re.findall(r"<th\b[^>]*>([^<]*confidence interval[^<]*)</th>", html)
            assert headers, url
            assert all("90% confidence interval" in header for header in headers), (url, headers)
            assert not any("95%" in header for header in headers), (url, headers)
    finally:
        published_demo.manifest["parameters"]["confidence"] = 0.95
        published_demo.save(update_fields=["manifest"])
        cache.clear()
