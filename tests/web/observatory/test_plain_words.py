"""The observatory's pages speak readers' words (as the report does; see ``plain_words``).

The pages of the published demo assessment are scanned for what readers must not see
("methods.md", "§", "polarity", option names, ``*_id``, snake_case identifiers). The methods
page's list keeps the specification's sections (it is the methods appendix), and the
comparison with England and comparators is another part of the project's: both are cut out.
Texts the assessment engine writes (skip reasons, tests, caveats) are allowed; the findings are
scanned on their own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from plain_words import (
    describe,
    engine_texts,
    finding_texts,
    forbidden_in,
    printed,
    reader_text,
)

from safecity_web.observatory.models import PublishedAssessment

CUT = frozenset({"methods", "benchmarking", "benchmark-reason"})
"""The methods page's entries; the England and comparators table (another owner's)."""


def _pages(demo_artefact: Path) -> list[str]:
    indicators = pd.read_parquet(demo_artefact / "public" / "indicators.parquet")
    wards = indicators.loc[indicators["area_level"] == "ward", "area_code"]
    return [
        "/",
        "/indicators/",
        "/indicators/all_crime/",
        "/indicators/asb/",
        "/indicators/residential_burglary/",
        "/indicators/domestic_flagged/",
        f"/areas/{wards.iloc[0]}/",
        "/hotspots/",
        "/hotspots/?group=asb",
        "/assessments/",
        "/methods/",
    ]


def _scan(client: Any, demo_artefact: Path, *, findings_only: bool) -> list[str]:
    """Each page's own text (findings and the engine's texts allowed), or only the findings
    the pages print (each once)."""
    findings = finding_texts(demo_artefact, public=True)
    allowed = engine_texts(demo_artefact, public=True) + findings
    failures: dict[str, str] = {}
    for url in _pages(demo_artefact):
        response = client.get(url)
        assert response.status_code == 200, url
        shown = reader_text(response.content.decode(), cut_ids=CUT)
        if findings_only:
            for finding in printed(findings, text=shown):
                if hits := forbidden_in(finding):
                    failures.setdefault(finding, describe(hits))
        elif hits := forbidden_in(shown, allowed=allowed):
            failures[url] = f"{url}:\n{describe(hits)}"
    return list(failures.values())


@pytest.mark.django_db
def test_the_pages_own_text_speaks_readers_words(
    client: Any, published_demo: PublishedAssessment, demo_artefact: Path
) -> None:
    failures = _scan(client, demo_artefact, findings_only=False)
    assert failures == [], "\n".join(failures)


@pytest.mark.django_db
def test_the_findings_on_the_pages_speak_readers_words(
    client: Any, published_demo: PublishedAssessment, demo_artefact: Path
) -> None:
    failures = _scan(client, demo_artefact, findings_only=True)
    assert failures == [], "\n".join(failures)


@pytest.mark.django_db
def test_the_methods_page_lists_the_appendix_with_anchors(client: Any) -> None:
    html = client.get("/methods/").content.decode()
    assert 'id="method-rate-ratio-test"' in html
    assert "Exact conditional test of two rates (change on the baseline)" in html
    assert "Methods specification section 2.2a." in html
    assert "Przyborowski J. and Wilenski H. (1940)" in html
