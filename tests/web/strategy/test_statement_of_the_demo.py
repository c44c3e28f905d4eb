"""The statement drafted from the published demo assessment: short, and in readers' words.

The demo city's assessment has 134 public findings, dozens of them significant hot spots; the
draft's summary lists a handful (the headline changes first), hot spots in one line, the top
priorities and the plan's progress. The published page is scanned as the observatory's pages
are (``plain_words``): its own text, then the findings it prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from django.urls import reverse
from plain_words import (
    describe,
    engine_texts,
    finding_texts,
    forbidden_in,
    printed,
    reader_text,
)

from safecity_web.observatory.models import PublishedAssessment
from safecity_web.strategy.models import StatementVersion, Strategy
from safecity_web.strategy.statement import SUMMARY_FINDINGS

pytestmark = pytest.mark.django_db


@pytest.fixture
def published_statement(
    client: Any,
    users: dict[str, Any],
    imported_strategy: Strategy,
    published_demo: PublishedAssessment,
) -> StatementVersion:
    client.force_login(users["analyst"])
    response = client.post(
        reverse("strategy:statement"),
        {
            "period_start_day": "1",
            "period_start_month": "4",
            "period_start_year": "2024",
            "period_end_day": "31",
            "period_end_month": "3",
            "period_end_year": "2025",
        },
    )
    assert response.status_code == 302
    version = StatementVersion.objects.get()
    client.post(reverse("strategy:statement-publish", kwargs={"version_id": version.pk}))
    client.logout()
    return version


def test_the_summary_is_short_and_leads_with_the_headline_changes(
    published_statement: StatementVersion, demo_artefact: Path
) -> None:
    findings = pd.read_parquet(demo_artefact / "public" / "findings.parquet")
    summary = published_statement.body.split("## What we did")[0]
    changed = summary.split("### Top priorities")[0].splitlines()
    bullets = [line for line in changed if line.startswith("- ")]
    sentences = dict(zip(findings["sentence"], findings["finding_id"], strict=True))
    shown = [
        sentences[sentence]
        for line in bullets
        for sentence in sentences
        if line.startswith(f"- {' '.join(sentence.split())}")
    ]
    assert len(shown) == SUMMARY_FINDINGS
    assert shown[:2] == ["change_all_crime", "change_asb"]
    assert not [finding_id for finding_id in shown if "hotspot" in finding_id]
    hot = findings[findings["finding_id"].str.contains("hotspot") & findings["significant"]]
    assert len(hot) > SUMMARY_FINDINGS  # more hot spot findings than the whole summary
    lsoas = pd.read_parquet(demo_artefact / "public" / "hotspots_lsoa.parquet")
    count = lsoas[(lsoas["group_id"] == "all_crime") & (lsoas["hotspot"] == "hot spot")][
        "lsoa_code"
    ].nunique()
    assert bullets[-1] == (
        f"- {count} neighbourhoods were identified as statistically significant hot spots of "
        "all police recorded crime (excluding ASB): [see the map](/hotspots/)."
    )
    top = pd.read_parquet(demo_artefact / "public" / "priority_top.parquet").sort_values("rank")
    first = top.iloc[0]
    assert (
        f"- 1. {first['group_name']} (priority score {round(first['priority_score'], 1):g})"
        in summary
    )


def test_the_published_statement_speaks_readers_words(
    client: Any, published_statement: StatementVersion, demo_artefact: Path
) -> None:
    html = client.get(reverse("strategy-public:statement")).content.decode()
    shown = reader_text(html)
    findings = finding_texts(demo_artefact, public=True)
    hits = forbidden_in(shown, allowed=engine_texts(demo_artefact, public=True) + findings)
    assert hits == [], describe(hits)


def test_the_findings_the_statement_prints_speak_readers_words(
    client: Any, published_statement: StatementVersion, demo_artefact: Path
) -> None:
    html = client.get(reverse("strategy-public:statement")).content.decode()
    findings = printed(finding_texts(demo_artefact, public=True), text=reader_text(html))
    assert findings
    failures = [describe(hits) for finding in findings if (hits := forbidden_in(finding))]
    assert failures == [], "\n".join(failures)
