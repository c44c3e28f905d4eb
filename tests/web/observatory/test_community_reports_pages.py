"""The observatory's community reports page, from the family's published public tables.

A light copy of the demo artefact (indicators and findings) gets the ``community_reports``
family's tables (``community_reports_artefact``: suppressed summary, strand, ward, monthly and
business cells), is published, and its page is read: the values printed are the public rows'
own, a withheld count reads "Suppressed" with the reason and never a number, the monthly chart
marks withheld months instead of drawing zeros and has its data table, the page makes the same
few queries whatever its rows, and an assessment whose family was not assessed says why.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
import vl_convert
from community_reports_artefact import (
    FINDING,
    HIDDEN_MONTHS,
    MONTHS,
    add_community_reports_tables,
    mark_not_assessed,
    monthly_count,
    ward_names,
)
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from plain_words import describe, forbidden_in, reader_text
from web_observatory import cells, copy_artefact, element, spec, text

from safecity_web.observatory import community_reports
from safecity_web.observatory.models import PublishedAssessment
from safecity_web.observatory.publishing import load_draft, publish

PAGE = "community-reports/"


@pytest.fixture(scope="module")
def reports_folder(demo_artefact: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = copy_artefact(
        demo_artefact, tmp_path_factory.mktemp("reports-site"), tables=["indicators", "findings"]
    )
    return add_community_reports_tables(folder)


@pytest.fixture
def published(db: None, reports_folder: Path) -> PublishedAssessment:
    cache.clear()
    return publish(load_draft(directory=reports_folder), user=None)


def _page(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return str(response.content.decode())


def _rows(table: str) -> list[list[str]]:
    return [cells(row) for row in re.findall(r"<tr\b.*?</tr>", table, flags=re.S)][1:]


def _publish_variant(demo_artefact: Path, folder: Path, **options: Any) -> PublishedAssessment:
    copy = copy_artefact(demo_artefact, folder, tables=["indicators"])
    add_community_reports_tables(copy, **options)
    cache.clear()
    return publish(load_draft(directory=copy), user=None)


def test_the_summary_shows_kinds_and_channels_against_the_previous_period(
    client: Any, published: PublishedAssessment
) -> None:
    page = _page(client, f"/assessments/{published.pk}/{PAGE}")
    summary = _rows(element(page, "community-reports-summary"))
    assert summary == [
        ["A hate incident or hate crime", "Public reporting form", "42", "35", "+7",
         "Not applicable"],
        ["A hate incident or hate crime", "Third-party reporting centre", "17", "9", "+8",
         "Not applicable"],
        ["A hate incident or hate crime", "Reporting app (Open311)", "Suppressed", "Suppressed",
         "Not compared", "Not applicable"],
        ["A community safety concern", "Public reporting form", "58", "61", "\u22123",
         "Not applicable"],
        ["A community safety concern", "Reporting app (Open311)", "Suppressed", "Suppressed",
         "Not compared", "Not applicable"],
        ["A crime or incident at a business", "Business crime portal", "26", "19", "+7",
         "£4,318.50"],
    ]  # fmt: skip
    caption = text(element(page, "community-reports-summary"))
    assert "2024/25 against 2023/24" in caption
    note = text(element(page, "community-reports-summary-note"))
    assert note.startswith("Suppressed: fewer than 5 reports, or withheld")
    assert "protected source" in text(element(page, "community-reports-suppression"))
    assert "received from April 2023 to March 2025" in text(page)


def test_strands_sit_beside_police_recorded_hate_crime(
    client: Any, published: PublishedAssessment
) -> None:
    page = _page(client, f"/assessments/{published.pk}/{PAGE}")
    assert _rows(element(page, "community-reports-strands")) == [
        ["Race or ethnicity", "38", "412"],
        ["Religion or belief", "9", "57"],
        ["Sexual orientation", "7", "64"],
        ["Disability", "Suppressed", "21"],
        ["Transgender identity", "Suppressed", "11"],
        ["Something else about who they are", "6", "No police flag for this strand"],
    ]
    assert 'id="community-reports-strands-note"' in page
    assert 'id="community-reports-police-absent"' not in page


def test_without_a_force_extract_the_police_column_says_why(
    client: Any, db: None, demo_artefact: Path, tmp_path: Path
) -> None:
    assessment = _publish_variant(demo_artefact, tmp_path / "no-police", police_recorded=False)
    page = _page(client, f"/assessments/{assessment.pk}/{PAGE}")
    strands = _rows(element(page, "community-reports-strands"))
    assert [row[2] for row in strands] == ["Not available"] * 5 + ["No police flag for this strand"]
    assert text(element(page, "community-reports-police-absent")) == (
        "Police-recorded hate crime is not available: no force extract was loaded for the period."
    )


def test_wards_and_business_crime_with_losses(
    client: Any, published: PublishedAssessment, reports_folder: Path
) -> None:
    page = _page(client, f"/assessments/{published.pk}/{PAGE}")
    wards = ward_names(reports_folder)[:3]
    table = element(page, "community-reports-wards")
    headings = cells(re.findall(r"<tr\b.*?</tr>", table, flags=re.S)[0])
    assert headings == [
        "Ward",
        "A hate incident or hate crime",
        "A community safety concern",
        "A crime or incident at a business",
    ]
    expected = {
        wards[0][1]: ["31", "40", "18"],
        wards[1][1]: ["19", "22", "8"],
        wards[2][1]: ["Suppressed", "Suppressed", "0"],
    }
    shown = {row[0]: row[1:] for row in _rows(table)}
    assert shown == expected
    assert f'href="/assessments/{published.pk}/areas/{wards[0][0]}/"' in table
    assert _rows(element(page, "community-reports-business")) == [
        ["Theft (including shoplifting)", "14", "£2,911.20"],
        ["Abuse or violence against staff", "6", "None recorded"],
        ["Anti-social behaviour", "Suppressed", "Suppressed"],
        ["Criminal damage", "Suppressed", "Suppressed"],
    ]
    assert "losses of a suppressed count are withheld" in text(
        element(page, "community-reports-business-note")
    )


def test_no_withheld_number_reaches_the_page(client: Any, published: PublishedAssessment) -> None:
    page = _page(client, f"/assessments/{published.pk}/{PAGE}")
    assert "1,407.30" not in page
    assert "1407.3" not in page
    for name in ("community-reports-summary", "community-reports-strands"):
        for row in _rows(element(page, name)):
            if "Suppressed" in row:
                assert not any(cell in {"2", "3", "4", "7"} for cell in row), (name, row)
    chart = spec(page, "spec-community-reports-monthly")
    withheld = [value for value in chart["data"]["values"] if value["count"] is None]
    assert {value["shown"] for value in withheld} == {"suppressed"}
    assert len(withheld) == len(HIDDEN_MONTHS)


def test_the_monthly_chart_marks_withheld_months_and_has_its_table(
    client: Any, published: PublishedAssessment
) -> None:
    page = _page(client, f"/assessments/{published.pk}/{PAGE}")
    chart = spec(page, "spec-community-reports-monthly")
    assert chart["description"].startswith("Bar charts, one per kind of report")
    assert "3 monthly count(s) are suppressed and marked with a cross" in chart["description"]
    plotted = {
        (value["series"], value["month"]): value["count"] for value in chart["data"]["values"]
    }
    labels = {"hate": "A hate incident or hate crime", "concern": "A community safety concern",
              "business": "A crime or incident at a business"}  # fmt: skip
    for kind, label in labels.items():
        for month in MONTHS:
            expected = None if (kind, month) in HIDDEN_MONTHS else monthly_count(kind, month)
            assert plotted[(label, month)] == expected, (kind, month)
    svg = vl_convert.vegalite_to_svg(vl_spec=chart)
    assert svg.startswith("<svg")
    figure = page[page.index('id="spec-community-reports-monthly"') :]
    table = re.search(r"<table.*?</table>", figure, flags=re.S)
    assert table is not None
    rows = _rows(table.group(0))
    assert len(rows) == len(MONTHS)
    assert rows[0] == ["April 2023", str(monthly_count("hate", "2023-04")),
                       str(monthly_count("concern", "2023-04")),
                       str(monthly_count("business", "2023-04"))]  # fmt: skip
    may = next(row for row in rows if row[0] == "May 2024")
    assert may[3] == "Suppressed"


def test_each_table_downloads_as_csv_and_json_without_a_withheld_number(
    client: Any, published: PublishedAssessment, reports_folder: Path
) -> None:
    base = f"/assessments/{published.pk}/{PAGE}"
    page = _page(client, base)
    for name in ("summary", "monthly", "strands", "wards", "business"):
        assert f'href="{base}{name}.csv"' in element(page, f"community-reports-{name}-downloads")
    response = client.get(f"{base}business.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].endswith('-community-reports-business.csv"')
    assert list(csv.reader(io.StringIO(response.content.decode()))) == [
        [
            "category",
            "category_label",
            "reports",
            "reports_previous",
            "losses_pounds",
            "suppressed",
        ],
        ["theft", "Theft (including shoplifting)", "14", "11", "2911.20", "false"],
        ["abuse_violence_staff", "Abuse or violence against staff", "6", "5", "", "false"],
        ["business_asb", "Anti-social behaviour", "suppressed", "suppressed", "suppressed", "true"],
        ["criminal_damage", "Criminal damage", "suppressed", "suppressed", "suppressed", "true"],
    ]
    strands = list(csv.DictReader(io.StringIO(client.get(f"{base}strands.csv").content.decode())))
    shown = [(row["strand"], row["community_reports"], row["police_recorded"]) for row in strands]
    assert shown[3:] == [
        ("disability", "suppressed", "21"), ("transgender", "suppressed", "11"), ("other", "6", ""),
    ]  # fmt: skip
    document = json.loads(client.get(f"{base}summary.json").content)
    assert document["table"] == "community_reports_summary"
    assert document["assessment"]["id"] == published.pk
    hidden = [row for row in document["rows"] if row["suppressed"]]
    assert [(row["kind"], row["channel"], row["reports"]) for row in hidden] == [
        ("hate", "open311", None), ("concern", "open311", None),
    ]  # fmt: skip
    assert "never zero" in document["notes"]
    assert client.get(f"{base}no_such_table.csv").status_code == 404
    for name in ("summary", "monthly", "strands", "wards", "business"):
        body = client.get(f"{base}{name}.json").content.decode()
        assert "1407.3" not in body


def test_an_assessment_whose_family_was_not_assessed_says_why_never_zero(
    client: Any, db: None, demo_artefact: Path, tmp_path: Path
) -> None:
    folder = copy_artefact(demo_artefact, tmp_path / "plain", tables=["indicators"])
    mark_not_assessed(folder, reason="no community reports were loaded into the warehouse")
    cache.clear()
    assessment = publish(load_draft(directory=folder), user=None)
    page = _page(client, f"/assessments/{assessment.pk}/{PAGE}")
    absent = text(element(page, "community-reports-absent"))
    assert absent.startswith(
        f"Community reports were not assessed for {assessment.area_name} {assessment.period}:"
        " no community reports were loaded into the warehouse."
    )
    assert 'id="community-reports-summary"' not in page
    assert "spec-community-reports-monthly" not in page
    assert client.get(f"/assessments/{assessment.pk}/{PAGE}summary.csv").status_code == 404
    # An artefact with neither tables nor a record of the family says it has none.
    bare = copy_artefact(demo_artefact, tmp_path / "bare", tables=["indicators"])
    cache.clear()
    older = publish(load_draft(directory=bare), user=None)
    older_page = _page(client, f"/assessments/{older.pk}/{PAGE}")
    assert community_reports.NOT_LOADED in text(element(older_page, "community-reports-absent"))


def test_the_familys_findings_are_listed(client: Any, published: PublishedAssessment) -> None:
    page = _page(client, f"/assessments/{published.pk}/{PAGE}")
    listed = element(page, "community-reports-findings")
    assert [text(item) for item in re.findall(r"<li>.*?</li>", listed, flags=re.S)] == [
        FINDING["sentence"]
    ]


def test_the_navigation_and_home_page_link_to_community_reports(
    client: Any, published: PublishedAssessment
) -> None:
    home = _page(client, f"/assessments/{published.pk}/")
    assert f'href="/assessments/{published.pk}/community-reports/"' in element(
        home, "home-community-reports"
    )
    assert "Community reports</a></li>" in home
    current = _page(client, "/community-reports/")
    assert 'id="community-reports-summary"' in current


def test_the_page_makes_the_same_few_queries_whatever_its_rows(
    client: Any, published: PublishedAssessment, db: None, demo_artefact: Path, tmp_path: Path
) -> None:
    def counts(assessment: PublishedAssessment) -> tuple[int, int]:
        cache.clear()
        with CaptureQueriesContext(connection) as cold:
            _page(client, f"/assessments/{assessment.pk}/{PAGE}")
        with CaptureQueriesContext(connection) as warm:
            _page(client, f"/assessments/{assessment.pk}/{PAGE}")
        return len(cold), len(warm)

    small = counts(published)
    assert small[0] <= 27, small
    assert small[1] <= 8, small
    # Every ward of the area with reports (another artefact): the same number of queries.
    copy = copy_artefact(demo_artefact, tmp_path / "more", tables=["indicators", "findings"])
    add_community_reports_tables(copy, every_ward=True)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["public_tables"]["community_reports_ward"]["rows"] > 3 * 8
    cache.clear()
    other = publish(load_draft(directory=copy), user=None)
    assert counts(other) == small


def test_the_page_is_in_readers_words(client: Any, published: PublishedAssessment) -> None:
    page = _page(client, f"/assessments/{published.pk}/{PAGE}")
    hits = forbidden_in(reader_text(page))
    assert not hits, describe(hits)


def _summary_row(channel: str, reports: int | None, previous: int | None) -> dict[str, Any]:
    return community_reports.public_values(
        community_reports.Table.SUMMARY,
        {"kind": "concern", "kind_label": "A community safety concern", "channel": channel,
         "channel_label": channel.replace("_", " ").capitalize(), "reports": reports,
         "reports_previous": previous, "losses_pounds": None,
         "suppressed": reports is None or previous is None},
    )  # fmt: skip


def _data(summary: list[dict[str, Any]]) -> community_reports.CommunityReportsData:
    return community_reports.CommunityReportsData(
        summary=summary, monthly=[], strands=[], wards=[], business=[], minimum=5
    )


def test_a_kind_has_a_total_only_when_it_reveals_nothing() -> None:
    published = [_summary_row("public_form", 20, 12), _summary_row("open311", 6, 9)]
    (kind,) = community_reports.summary_lines(_data(published))
    assert (kind.total, kind.total_previous, kind.total_change) == (
        community_reports.Cell("26"), community_reports.Cell("21"), "+5",
    )  # fmt: skip
    withheld = [_summary_row("public_form", 20, 12), _summary_row("open311", None, None)]
    (kind,) = community_reports.summary_lines(_data(withheld))
    assert kind.total is None
    assert [line.reports.text for line in kind.lines] == ["20", "Suppressed"]
    # The family's own total row (channel "all") is the total, never summed again.
    own = [*published, _summary_row("all", 26, 21)]
    (kind,) = community_reports.summary_lines(_data(own))
    assert [line.channel for line in kind.lines] == ["public_form", "open311"]
    assert kind.total == community_reports.Cell("26")


def test_a_flagged_row_never_shows_a_number_even_if_the_copy_kept_one() -> None:
    row = community_reports.public_values(
        community_reports.Table.BUSINESS,
        {"category": "theft", "reports": 3, "losses_pounds": 120.0, "suppressed": True},
    )
    assert (row["reports"], row["losses_pounds"]) == (None, None)
    partly = community_reports.public_values(
        community_reports.Table.SUMMARY,
        {"kind": "hate", "reports": None, "reports_previous": 14, "suppressed": True},
    )
    assert (partly["reports"], partly["reports_previous"]) == (None, 14)


def test_the_familys_own_totals_tests_and_notes_are_shown() -> None:
    """Rows as the core's family writes them: total rows (``all``), tested changes, the
    reports without a place, a police note per strand, months as dates."""
    summary = [
        community_reports.public_values(community_reports.Table.SUMMARY, row)
        for row in (
            {"kind": "hate", "kind_label": "Hate", "channel": "public_form",
             "channel_label": "Public form", "reports": 40, "reports_previous": 25,
             "change_pct": 60.0, "change_significant": True, "suppressed": False},
            {"kind": "hate", "kind_label": "Hate", "channel": "all",
             "channel_label": "All channels", "reports": 52, "reports_previous": 50,
             "change_pct": 4.0, "change_significant": False, "suppressed": False},
            {"kind": "all", "kind_label": "All community reports", "channel": "all",
             "channel_label": "All channels", "reports": 70, "reports_previous": None,
             "change_not_made": "no month of the previous period is covered",
             "suppressed": False},
        )
    ]  # fmt: skip
    data = community_reports.CommunityReportsData(
        summary=summary,
        monthly=[],
        strands=[
            {
                "strand": "race",
                "strand_label": "Race",
                "community_reports": 9,
                "police_recorded": None,
                "police_crime_group": "hate_crime_race",
                "police_recorded_note": "no force extract is assessed.",
                "suppressed": False,
            },
            {
                "strand": "transgender",
                "strand_label": "Transgender identity",
                "community_reports": None,
                "police_recorded": None,
                "police_crime_group": "hate_crime_transgender",
                "suppressed": True,
            },
        ],
        wards=[
            {
                "ward_code": None,
                "ward_name": "No location given",
                "kind": "hate",
                "reports": 12,
                "suppressed": False,
            },
            {
                "ward_code": "E05000001",
                "ward_name": "Abbeymoor",
                "kind": "hate",
                "reports": 40,
                "suppressed": False,
            },
        ],
        business=[],
        minimum=5,
    )
    page = community_reports.overview_page(data)
    hate, everything = page.kinds
    assert [(line.channel, line.tested) for line in hate.lines] == [
        ("public_form", "Significant increase (+60.0%)")
    ]
    assert (hate.total, hate.total_tested) == (
        community_reports.Cell("52"), "No significant change",
    )  # fmt: skip
    assert everything.lines == []
    assert everything.label == "All community reports"
    assert everything.total_tested == "Not tested: no month of the previous period is covered"
    assert page.changes_tested
    assert page.strands[0].police.text == "Not available: no force extract is assessed"
    # A police count withheld with the strand's reads "Suppressed", not "Not available".
    assert [page.strands[1].community.text, page.strands[1].police.text] == ["Suppressed"] * 2
    assert page.strands_suppressed
    assert [(line.name, line.is_ward) for line in page.wards] == [
        ("Abbeymoor", True), ("No location given", False),
    ]  # fmt: skip
