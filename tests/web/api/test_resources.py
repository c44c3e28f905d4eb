"""The API's resources on the published demo assessment: values equal the artefact's public
rows, pagination covers every row once, filters, 400s naming the parameter, empty results
that say why, suppressed values without their number, drafts invisible, caching and CORS.

Expected values come from the artefact's own public tables (``public/indicators.parquet`` and
``public/findings.parquet``), read here with pandas.
"""

from __future__ import annotations

import json
import math
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import resolve
from django.utils.http import http_date
from web_api import DRAFT_ONLY_AREA, DRAFT_ONLY_INDICATOR, PublishedDemo

SUPPRESSED_FIELDS = ("numerator", "value", "lower_ci", "upper_ci")
WARD = "E05900002"


def get(client: Client, url: str, status: int = 200) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == status, (url, response.content[:400])
    body: dict[str, Any] = json.loads(response.content)
    return body


def every_row(client: Client, url: str) -> tuple[list[dict[str, Any]], int]:
    """Every row of a collection, following ``links.next``; and how many pages it took."""
    rows: list[dict[str, Any]] = []
    pages = 0
    next_url: str | None = url
    while next_url is not None:
        body = get(client, next_url)
        rows.extend(body["data"])
        pages += 1
        assert body["meta"]["page"] == pages
        next_url = body["links"]["next"]
    assert len(rows) == body["meta"]["total"]
    return rows, pages


def plain(value: Any) -> Any:
    """An artefact cell as the API answers it: NaN and blank text are null."""
    if value is None or value == "":
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value.item() if hasattr(value, "item") else value


@pytest.mark.django_db
def test_values_equal_the_artefact_public_rows_and_pages_cover_them_once(
    published_demo: PublishedDemo, client: Client
) -> None:
    rows, pages = every_row(client, "/api/v1/values?page_size=500")
    artefact = published_demo.indicators
    assert len(rows) == len(artefact) == 6012
    assert pages == math.ceil(6012 / 500) == 13
    by_row_id = {row["row_id"]: row for row in rows}
    assert len(by_row_id) == len(rows), "a row appeared on two pages"
    assert [row["row_id"] for row in rows] == artefact["row_id"].tolist()
    for record in artefact.to_dict(orient="records"):
        answered = by_row_id[record["row_id"]]
        assert answered["assessment"] == published_demo.current_id
        for column, value in record.items():
            expected = (
                None if record["suppressed"] and column in SUPPRESSED_FIELDS else plain(value)
            )
            assert answered[str(column)] == expected, (record["row_id"], column)
        assert set(answered) == {"assessment", *record}


@pytest.mark.django_db
def test_previous_page_links_lead_back_to_the_first(
    published_demo: PublishedDemo, client: Client
) -> None:
    body = get(client, "/api/v1/values?indicator=all_crime&page_size=7")
    total = int((published_demo.indicators["indicator_id"] == "all_crime").sum())
    assert body["meta"] == {
        "total": total,
        "page": 1,
        "page_size": 7,
        "pages": math.ceil(total / 7),
    }
    page = get(client, body["links"]["last"])
    seen: list[str] = [row["row_id"] for row in page["data"]]
    while page["links"]["prev"] is not None:
        page = get(client, page["links"]["prev"])
        seen = [row["row_id"] for row in page["data"]] + seen
    assert page["meta"]["page"] == 1
    expected = published_demo.indicators
    assert seen == expected.loc[expected["indicator_id"] == "all_crime", "row_id"].tolist()


@pytest.mark.django_db
def test_filters_select_the_artefact_rows_they_name(
    published_demo: PublishedDemo, client: Client
) -> None:
    artefact = published_demo.indicators
    cases = {
        "indicator=all_crime&area_level=ward": (artefact["indicator_id"] == "all_crime")
        & (artefact["area_level"] == "ward"),
        f"area={published_demo.area_code}": artefact["area_code"] == published_demo.area_code,
        f"area={WARD}&indicator=burglary": (artefact["area_code"] == WARD)
        & (artefact["indicator_id"] == "burglary"),
        "area_level=lsoa&indicator=asb&period=2024/25": (artefact["area_level"] == "lsoa")
        & (artefact["indicator_id"] == "asb")
        & (artefact["period"] == "2024/25"),
    }
    for query, selected in cases.items():
        rows, _ = every_row(client, f"/api/v1/values?{query}&page_size=500")
        expected = artefact.loc[selected, "row_id"].tolist()
        assert expected, query
        assert [row["row_id"] for row in rows] == expected, query
    assert len(every_row(client, "/api/v1/values?indicator=all_crime&area_level=ward")[0]) == 16


@pytest.mark.django_db
def test_a_superseded_assessment_is_read_by_naming_it(
    published_demo: PublishedDemo, client: Client
) -> None:
    body = get(client, f"/api/v1/values?assessment={published_demo.superseded_id}&page_size=3")
    assert body["meta"]["total"] == len(published_demo.indicators)
    assert {row["assessment"] for row in body["data"]} == {published_demo.superseded_id}
    listed = get(client, "/api/v1/assessments?status=superseded")["data"]
    assert [assessment["id"] for assessment in listed] == [published_demo.superseded_id]


@pytest.mark.django_db
def test_an_empty_result_points_to_the_assessment_that_has_the_data(
    published_demo: PublishedDemo, client: Client
) -> None:
    from safecity_web.observatory.models import IndicatorValue, PublishedAssessment

    older = published_demo.superseded_id
    PublishedAssessment.objects.filter(pk=older).update(period="2023/24")
    IndicatorValue.objects.filter(assessment_id=older).update(period="2023/24")
    body = get(client, f"/api/v1/values?area={WARD}&period=2023/24")
    assert body["meta"]["reason"] == (
        f"no published data for {WARD} in 2023/24; assessment {older} (superseded, 2023/24) "
        f"has them: add assessment={older}"
    )
    body = get(client, f"/api/v1/values?area={WARD}&period=2023/24&assessment={older}")
    assert body["meta"]["total"] == int((published_demo.indicators["area_code"] == WARD).sum())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "parameter", "message"),
    [
        (
            "page_size=501",
            "page_size",
            "page_size='501' is not valid: page_size must be a whole number from 1 to 500",
        ),
        ("page=0", "page", "page='0' is not valid: page must be a whole number from 1"),
        ("page=99", "page", "page=99 is beyond the last page (61) of 6012 rows at page_size=100"),
        (
            "area=E0509",
            "area",
            "area='E0509' is not valid: area must be a GSS code: a capital E, W, S, N or K and "
            "eight digits, e.g. E05002462",
        ),
        (
            "area_level=county",
            "area_level",
            "area_level='county' is not valid: area_level must be one of csp, lad, pfa, ward, lsoa",
        ),
        (
            "period=2019-20",
            "period",
            "period='2019-20' is not valid: period must be a financial year written like 2024/25",
        ),
        (
            "indicator=All Crime",
            "indicator",
            "indicator='All Crime' is not valid: indicator must be an indicator id: lower-case "
            "letters, digits and underscores, e.g. all_crime",
        ),
        (
            "assessment=latest",
            "assessment",
            "assessment='latest' is not valid: assessment must be a whole number from 1 "
            "(an assessment's id)",
        ),
        (
            "areas=E05900002",
            "areas",
            "unknown parameter 'areas'; this endpoint takes: area, area_level, assessment, "
            "indicator, page, page_size, period",
        ),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter_and_value(
    published_demo: PublishedDemo, client: Client, query: str, parameter: str, message: str
) -> None:
    body = get(client, f"/api/v1/values?{query}", status=400)
    assert body["error"]["parameter"] == parameter
    assert body["error"]["message"] == message


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("/api/v1/values?area=E05099999", "unknown area E05099999"),
        (f"/api/v1/values?area={WARD}&period=2019/20", f"no published data for {WARD} in 2019/20"),
        ("/api/v1/values?period=2019/20", "no published data for 2019/20"),
        ("/api/v1/values?indicator=no_such_thing", "unknown indicator no_such_thing"),
        (
            "/api/v1/values?area=E01900001&area_level=ward",
            "area E01900001 is at level lsoa, not ward",
        ),
        (
            "/api/v1/values?area_level=pfa",
            "no published data at area level pfa in the current assessments",
        ),
        (f"/api/v1/values?area={DRAFT_ONLY_AREA}", f"unknown area {DRAFT_ONLY_AREA}"),
        (
            f"/api/v1/values?indicator={DRAFT_ONLY_INDICATOR}",
            f"unknown indicator {DRAFT_ONLY_INDICATOR}",
        ),
        ("/api/v1/areas?parent=E05099999", "unknown area E05099999"),
        ("/api/v1/areas?level=lad", "no published data at area level lad"),
        (
            "/api/v1/areas?parent=E01900001",
            "no areas with published data lie within E01900001",
        ),
        ("/api/v1/assessments?area=E22000099", "no published assessment of area E22000099"),
        (
            "/api/v1/findings?topic=no_such_thing",
            "unknown topic no_such_thing: no published finding is about it",
        ),
        ("/api/v1/downloads?indicator=no_such_thing", "unknown indicator no_such_thing"),
    ],
)
def test_an_empty_result_says_why(
    published_demo: PublishedDemo, client: Client, url: str, reason: str
) -> None:
    body = get(client, url)
    assert body["data"] == []
    assert body["meta"]["total"] == 0
    assert body["meta"]["reason"] == reason


@pytest.mark.django_db
def test_a_draft_is_an_unknown_assessment(published_demo: PublishedDemo, client: Client) -> None:
    draft = published_demo.draft_id
    body = get(client, f"/api/v1/values?assessment={draft}")
    assert body["meta"]["reason"] == (
        f"unknown assessment {draft}: no published assessment has this id"
    )
    body = get(client, f"/api/v1/findings?assessment={draft}")
    assert body["meta"]["total"] == 0
    assert body["meta"]["reason"].startswith(f"unknown assessment {draft}")
    error = get(client, f"/api/v1/assessments/{draft}", status=404)["error"]
    assert error == {
        "code": "not_found",
        "message": f"no published assessment '{draft}'",
        "parameter": "assessment_id",
    }
    get(client, f"/api/v1/areas/{DRAFT_ONLY_AREA}", status=404)
    get(client, f"/api/v1/indicators/{DRAFT_ONLY_INDICATOR}", status=404)
    listed = get(client, "/api/v1/assessments")["data"]
    assert [assessment["id"] for assessment in listed] == [
        published_demo.current_id,
        published_demo.superseded_id,
    ]
    assert [assessment["status"] for assessment in listed] == ["published", "superseded"]
    index = get(client, "/api/v1/")
    assert [assessment["id"] for assessment in index["assessments"]] == [published_demo.current_id]
    areas = every_row(client, "/api/v1/areas?page_size=500")[0]
    assert DRAFT_ONLY_AREA not in {area["gss_code"] for area in areas}
    levels = [area["level"] for area in areas]
    assert levels == ["csp"] + ["ward"] * 16 + ["lsoa"] * (len(areas) - 17)
    assert len(areas) == published_demo.indicators["area_code"].nunique()


@pytest.mark.django_db
def test_suppressed_values_never_carry_their_number(
    published_demo: PublishedDemo, client: Client
) -> None:
    from safecity_web.observatory.models import IndicatorValue

    rows = every_row(client, "/api/v1/values?area_level=ward&page_size=500")[0]
    suppressed = [row for row in rows if row["suppressed"]]
    artefact = published_demo.indicators
    assert len(suppressed) == int(
        (artefact["suppressed"] & (artefact["area_level"] == "ward")).sum()
    )
    assert suppressed
    for row in suppressed:
        assert {name: row[name] for name in SUPPRESSED_FIELDS} == dict.fromkeys(SUPPRESSED_FIELDS)
    # Even a stored row that held its number (a loading fault) is answered without it.
    row_id = "hate_crime_disability:E05900002:2024/25"
    IndicatorValue.objects.filter(assessment_id=published_demo.current_id, row_id=row_id).update(
        numerator=3.0, value=0.1835, lower_ci=0.0379, upper_ci=0.5363
    )
    response = client.get("/api/v1/values?indicator=hate_crime_disability&area=E05900002")
    answered = json.loads(response.content)["data"]
    assert [row["row_id"] for row in answered] == [row_id]
    assert answered[0]["suppressed"] is True
    assert {name: answered[0][name] for name in SUPPRESSED_FIELDS} == dict.fromkeys(
        SUPPRESSED_FIELDS
    )
    for number in (b"0.1835", b"0.0379", b"0.5363"):
        assert number not in response.content


@pytest.mark.django_db
def test_areas_by_level_and_parent(published_demo: PublishedDemo, client: Client) -> None:
    artefact = published_demo.indicators
    wards = every_row(client, "/api/v1/areas?level=ward")[0]
    expected_wards = sorted(artefact.loc[artefact["area_level"] == "ward", "area_code"].unique())
    assert [area["gss_code"] for area in wards] == expected_wards
    assert {area["parent_code"] for area in wards} == {published_demo.area_code}
    children = every_row(client, f"/api/v1/areas?parent={published_demo.area_code}")[0]
    assert [area["gss_code"] for area in children] == expected_wards
    lsoas = every_row(client, f"/api/v1/areas?parent={WARD}&level=lsoa")[0]
    assert lsoas
    assert {(area["level"], area["parent_code"]) for area in lsoas} == {("lsoa", WARD)}
    csp = get(client, f"/api/v1/areas/{published_demo.area_code}")["data"]
    assert (csp["name"], csp["level"], csp["parent_code"]) == ("Demoton", "csp", None)
    assert csp["links"]["children"] == (
        f"http://testserver/api/v1/areas?parent={published_demo.area_code}"
    )
    ward = get(client, f"/api/v1/areas/{WARD}")["data"]
    name = artefact.loc[artefact["area_code"] == WARD, "area_name"].iloc[0]
    assert (ward["name"], ward["level"], ward["vintage"]) == (name, "ward", "2020")
    assert ward["links"]["parent"] == f"http://testserver/api/v1/areas/{published_demo.area_code}"
    error = get(client, "/api/v1/areas/E05099999", status=404)["error"]
    assert error["message"] == "no published area 'E05099999'"
    assert error["parameter"] == "gss_code"


@pytest.mark.django_db
def test_indicators_and_their_download_links(published_demo: PublishedDemo, client: Client) -> None:
    artefact = published_demo.indicators
    indicators = every_row(client, "/api/v1/indicators")[0]
    assert sorted(row["indicator_id"] for row in indicators) == sorted(
        artefact["indicator_id"].unique()
    )
    detail = get(client, "/api/v1/indicators/all_crime")["data"]
    assert detail["name"] == "All police recorded crime (excluding ASB)"
    assert (detail["polarity"], detail["multiplier"]) == ("low_is_good", 1000)
    downloads = every_row(client, "/api/v1/downloads")[0]
    assert [row["indicator_id"] for row in downloads] == [row["indicator_id"] for row in indicators]
    all_crime = get(client, "/api/v1/downloads?indicator=all_crime")["data"]
    assert all_crime == [
        {
            "indicator_id": "all_crime",
            "name": "All police recorded crime (excluding ASB)",
            "csv": "http://testserver/indicators/all_crime/data.csv",
            "json": "http://testserver/indicators/all_crime/data.json",
        }
    ]
    for link, name in ((all_crime[0]["csv"], "indicator-csv"), (detail["links"]["json"],
                                                                "indicator-json")):  # fmt: skip
        path = urlsplit(link).path
        assert resolve(path).url_name == name
        assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_findings_in_the_artefact_order(published_demo: PublishedDemo, client: Client) -> None:
    artefact = published_demo.findings
    findings = every_row(client, "/api/v1/findings?page_size=40")[0]
    assert [row["finding_id"] for row in findings] == artefact["finding_id"].tolist()
    first = findings[0]
    record = artefact.iloc[0]
    assert first["sentence"] == record["sentence"]
    assert first["row_ids"] == [part for part in record["row_ids"].split(";") if part]
    significant = every_row(client, "/api/v1/findings?significant=true")[0]
    assert [row["finding_id"] for row in significant] == artefact.loc[
        artefact["significant"], "finding_id"
    ].tolist()
    about = every_row(client, "/api/v1/findings?topic=all_crime")[0]
    assert [row["finding_id"] for row in about] == artefact.loc[
        artefact["topic"] == "all_crime", "finding_id"
    ].tolist()


@pytest.mark.django_db
def test_caching_validators_and_cors(published_demo: PublishedDemo, client: Client) -> None:
    from safecity_web.observatory.models import PublishedAssessment

    response = client.get("/api/v1/values?indicator=all_crime&area_level=ward")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == "public, max-age=300"
    published_at = PublishedAssessment.objects.get(pk=published_demo.current_id).published_at
    assert response["Last-Modified"] == http_date(published_at.timestamp())
    etag = response["ETag"]
    unchanged = client.get(
        "/api/v1/values?indicator=all_crime&area_level=ward",
        HTTP_IF_MODIFIED_SINCE=response["Last-Modified"],
    )
    assert unchanged.status_code == 304
    again = client.get(
        "/api/v1/values?indicator=all_crime&area_level=ward", HTTP_IF_NONE_MATCH=etag
    )
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    other = client.get("/api/v1/values?indicator=asb&area_level=ward", HTTP_IF_NONE_MATCH=etag)
    assert other.status_code == 200
    head = client.head("/api/v1/values?indicator=all_crime&area_level=ward")
    assert (head.status_code, head["ETag"]) == (200, etag)
    preflight = client.options("/api/v1/values")
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"


@pytest.mark.django_db
def test_index_links_to_every_resource(published_demo: PublishedDemo, client: Client) -> None:
    index = get(client, "/api/v1/")
    assert set(index["links"]) == {
        "self", "assessments", "indicators", "areas", "values", "findings", "downloads",
        "survey_waves", "survey_estimates", "survey_comparisons",
        "community_reports_summary", "community_reports_monthly", "community_reports_strands",
        "community_reports_wards", "community_reports_business", "openapi", "docs",
    }  # fmt: skip
    for link in index["links"].values():
        assert client.get(urlsplit(link).path).status_code == 200, link
    detail = get(client, index["assessments"][0]["links"]["self"])["data"]
    assert detail["period"] == published_demo.period == "2024/25"
    assert detail["provenance"]["parameters"]["suppression_threshold"] == 5
