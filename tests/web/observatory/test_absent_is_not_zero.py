"""Absent is not zero on the observatory and in the API (methods.md §0.2a).

A copy of the demo artefact is changed into what an assessment without some sources looks
like, in the shape ``safecity assess`` writes: two crime groups not assessed (no indicator
rows; the public ``crime_groups`` table says ``computed`` false and why), and two months of
all crime without data (``count`` empty, ``has_data`` false). Its findings name their methods
(the ``methods`` column). The copy is published inside the test's transaction.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from artefact_files import record_hashes
from web_observatory import copy_artefact, element, spec, text

from safecity_web.observatory.models import IndicatorValue, PublishedAssessment
from safecity_web.observatory.publishing import load_draft, publish

NOT_ASSESSED = {
    "hate_crime_transgender": "not assessed: needs a force record-level extract (hate strands)",
    "weapon_firearm": "not assessed: needs a force record-level extract (weapon flags)",
}
GAP_MONTHS = ("2024-06-01", "2024-07-01")
TABLES = ("indicators", "findings", "monthly_series")


def _write(folder: Path, name: str, frame: pd.DataFrame) -> None:
    frame.to_parquet(folder / "public" / f"{name}.parquet")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["public_tables"][name] = {"parquet": f"{name}.parquet", "rows": len(frame)}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    record_hashes(folder)


@pytest.fixture
def gappy_artefact(demo_artefact: Path, tmp_path: Path) -> Path:
    folder = copy_artefact(demo_artefact, tmp_path / "gappy", tables=TABLES)
    public = folder / "public"
    indicators = pd.read_parquet(public / "indicators.parquet")
    groups = indicators[["indicator_id", "indicator_name"]].drop_duplicates("indicator_id")
    _write(folder, "indicators", indicators[~indicators["indicator_id"].isin(NOT_ASSESSED)])
    _write(
        folder,
        "crime_groups",
        pd.DataFrame(
            {
                "group_id": groups["indicator_id"],
                "name": groups["indicator_name"],
                "source": "extract",
                "computed": ~groups["indicator_id"].isin(NOT_ASSESSED),
                "skipped_reason": groups["indicator_id"].map(NOT_ASSESSED).fillna(""),
            }
        ),
    )
    series = pd.read_parquet(public / "monthly_series.parquet")
    series = series[~series["group_id"].isin(NOT_ASSESSED)].copy()
    gap = (series["group_id"] == "all_crime") & series["month"].astype(str).str[:10].isin(
        GAP_MONTHS
    )
    assert gap.sum() == len(GAP_MONTHS)
    series["count"] = series["count"].astype("Int64").mask(gap)
    series["has_data"] = ~gap
    _write(folder, "monthly_series", series)
    findings = pd.read_parquet(public / "findings.parquet")
    findings["methods"] = [
        "rate_ratio_test" if finding_id.startswith("change_") else ""
        for finding_id in findings["finding_id"]
    ]
    _write(folder, "findings", findings)
    return folder


@pytest.fixture
def gappy(gappy_artefact: Path, published_demo: PublishedAssessment) -> PublishedAssessment:
    return publish(load_draft(directory=gappy_artefact), user=None)


@pytest.mark.django_db
def test_groups_not_assessed_are_listed_with_their_reason(client: Any, gappy: Any) -> None:
    html = client.get("/indicators/").content.decode()
    listed = text(element(html, "not-assessed"))
    for group_id, reason in NOT_ASSESSED.items():
        row = text(element(html, f"not-assessed-{group_id}"))
        assert row.endswith(reason[0].upper() + reason[1:]), row
        assert f'href="/indicators/{group_id}/"' in html
    assert "2 crime groups not assessed in Demoton, 2024/25" in listed
    assessed = html.split('<h2 class="govuk-heading-l">Not assessed</h2>')[0]
    for group_id in NOT_ASSESSED:
        assert f'href="/indicators/{group_id}/"' not in assessed  # no row of values, no zero


@pytest.mark.django_db
def test_a_headline_group_not_assessed_says_so_on_the_home_page(
    client: Any, gappy_artefact: Path, published_demo: PublishedAssessment
) -> None:
    """Violent crime is a headline indicator: not assessed, its row says why, with no value."""
    indicators = pd.read_parquet(gappy_artefact / "public" / "indicators.parquet")
    _write(gappy_artefact, "indicators", indicators[indicators["indicator_id"] != "violent_crime"])
    groups = pd.read_parquet(gappy_artefact / "public" / "crime_groups.parquet")
    violent = groups["group_id"] == "violent_crime"
    groups.loc[violent, "computed"] = False
    groups.loc[violent, "skipped_reason"] = "needs a force record-level extract (offence codes)"
    _write(gappy_artefact, "crime_groups", groups)
    publish(load_draft(directory=gappy_artefact), user=None)
    html = client.get("/").content.decode()
    row = text(element(html, "headline-violent_crime"))
    assert row == (
        "Violent crime (violence against the person) "
        "Not assessed: needs a force record-level extract (offence codes)"
    )
    assert "headline-hate_crime_transgender" not in html  # not a headline indicator


@pytest.mark.django_db
@pytest.mark.parametrize("group_id", sorted(NOT_ASSESSED))
def test_a_group_not_assessed_has_a_page_saying_why_never_a_zero(
    client: Any, gappy: Any, group_id: str
) -> None:
    response = client.get(f"/indicators/{group_id}/")
    assert response.status_code == 200
    shown = text(element(response.content.decode(), "not-assessed"))
    reason = NOT_ASSESSED[group_id]
    assert shown.startswith(f"{reason[0].upper()}{reason[1:]}.")
    assert "It is not zero" in shown
    assert "area-count" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("group_id", sorted(NOT_ASSESSED))
def test_the_api_answers_a_group_not_assessed_with_its_reason(
    client: Any, gappy: Any, group_id: str
) -> None:
    """The superseded demo assessment had values of the group, so the indicator exists; the
    current one did not assess it, and says why: in the indicator, and as the reason its values
    are empty (never a zero)."""
    detail = client.get(f"/api/v1/indicators/{group_id}")
    assert detail.status_code == 200
    message = detail.json()["data"]["not_assessed"]
    assert message.endswith(f"was not assessed in Demoton 2024/25: {NOT_ASSESSED[group_id]}")
    assert client.get("/api/v1/indicators/all_crime").json()["data"]["not_assessed"] is None
    values = client.get(f"/api/v1/values?indicator={group_id}").json()
    assert values["data"] == []
    assert values["meta"]["reason"] == message
    # With no public values anywhere, the indicator is not found, and the error says why
    IndicatorValue.objects.filter(indicator_id=group_id).delete()
    missing = client.get(f"/api/v1/indicators/{group_id}")
    assert missing.status_code == 404
    assert missing.json()["error"] == {
        "code": "not_found",
        "message": message,
        "parameter": "indicator_id",
    }


@pytest.mark.django_db
def test_months_without_data_are_gaps_in_the_chart_table_and_downloads(
    client: Any, gappy: Any
) -> None:
    html = client.get("/indicators/all_crime/").content.decode()
    trend = spec(html, "spec-monthly-trend-all_crime")
    by_month = {row["month"]: row for row in trend["data"]["values"]}
    for month in GAP_MONTHS:
        assert by_month[month]["count"] is None
        assert by_month[month]["has_data"] is False
    assert "2 month(s) have no data (June 2024, July 2024)" in text(html)
    assert text(html).count("no data") >= 2
    csv_rows = client.get("/indicators/all_crime/monthly.csv").content.decode().splitlines()
    header = csv_rows[0].split(",")
    count, has_data = header.index("count"), header.index("has_data")
    gaps = [row.split(",") for row in csv_rows[1:] if row.split(",")[has_data] == "false"]
    assert len(gaps) == len(GAP_MONTHS)
    assert [row[count] for row in gaps] == ["", ""]
    document = client.get("/indicators/all_crime/monthly.json").json()
    missing = [row for row in document["rows"] if row["has_data"] is False]
    assert [row["count"] for row in missing] == [None, None]
    assert [row["month"][:10] for row in missing] == list(GAP_MONTHS)
    assert all(row["count"] is not None for row in document["rows"] if row["has_data"])


@pytest.mark.django_db
def test_findings_link_to_how_they_were_worked_out(client: Any, gappy: Any) -> None:
    html = client.get("/indicators/all_crime/").content.decode()
    assert (
        ' (how this was worked out: <a class="govuk-link" href="/methods/#method-rate-ratio-test">'
        "an exact test comparing the two rates</a>)" in html
    )
