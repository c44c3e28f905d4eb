"""The API's community-reports resources, from a published artefact's public tables.

A light copy of the demo artefact gets the ``community_reports`` family's tables
(``community_reports_artefact``), is published, and ``/api/v1/community-reports/...`` is read:
the values answered are the public rows', a withheld count is null with ``suppressed: true``
(and its losses null), filters and pagination work as on the other resources, every answer
validates against the OpenAPI document, and an empty answer says why (nothing published, the
family not assessed with the manifest's reason, or the filters).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from community_reports_artefact import (
    HIDDEN_MONTHS,
    add_community_reports_tables,
    mark_not_assessed,
    ward_names,
)
from django.core.cache import cache
from django.test import Client
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from web_observatory import copy_artefact

from safecity_web.api.reasons import NOTHING_PUBLISHED
from safecity_web.observatory.models import PublishedAssessment
from safecity_web.observatory.publishing import load_draft, publish

DIALECT = "https://json-schema.org/draft/2020-12/schema"
RESOURCES = ("summary", "monthly", "strands", "wards", "business")
TABLES = {
    "summary": "community_reports_summary",
    "monthly": "community_reports_monthly",
    "strands": "community_reports_strand",
    "wards": "community_reports_ward",
    "business": "community_reports_business",
}


@pytest.fixture(scope="module")
def reports_folder(demo_artefact: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = copy_artefact(
        demo_artefact, tmp_path_factory.mktemp("reports-api"), tables=["indicators", "findings"]
    )
    return add_community_reports_tables(folder)


@pytest.fixture
def published(db: None, reports_folder: Path) -> PublishedAssessment:
    cache.clear()
    return publish(load_draft(directory=reports_folder), user=None)


def _document(client: Client) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(client.get("/api/v1/openapi.json").content)
    return body


def _checked(client: Client, document: dict[str, Any], url: str) -> dict[str, Any]:
    """The answer to ``url``, validated against the schema the document gives for it."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == "public, max-age=300"
    path = url.split("?", maxsplit=1)[0].removeprefix("/api/v1")
    schema = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"][
        "schema"
    ]
    validator = Draft202012Validator(
        {"$schema": DIALECT, "components": document["components"], **schema},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    body: dict[str, Any] = json.loads(response.content)
    errors = [error.message for error in validator.iter_errors(body)]
    assert errors == [], url
    return body


def test_the_openapi_document_describes_the_community_reports_resources(
    db: None, client: Client
) -> None:
    document = _document(client)
    validate(document)
    for resource in RESOURCES:
        operation = document["paths"][f"/community-reports/{resource}"]["get"]
        assert operation["tags"] == ["Community reports"]
        assert "never sent" in operation["description"]
    summary = document["paths"]["/community-reports/summary"]["get"]
    assert [parameter["name"] for parameter in summary["parameters"]] == [
        "kind", "channel", "assessment", "page", "page_size",
    ]  # fmt: skip
    channel = next(p for p in summary["parameters"] if p["name"] == "channel")
    assert channel["schema"]["enum"] == ["public_form", "reporting_centre", "business", "open311"]
    for name in ("Summary", "Monthly", "Strand", "Ward", "Business"):
        Draft202012Validator.check_schema(
            document["components"]["schemas"][f"CommunityReports{name}"]
        )
    docs = client.get("/api/v1/docs/").content.decode()
    assert 'id="listCommunityReportsStrands"' in docs
    index = json.loads(client.get("/api/v1/").content)
    assert index["links"]["community_reports_wards"].endswith("/api/v1/community-reports/wards")


def test_every_resource_answers_the_public_rows_and_withheld_counts_are_null(
    client: Client, published: PublishedAssessment, reports_folder: Path
) -> None:
    document = _document(client)
    for resource in RESOURCES:
        body = _checked(
            client,
            document,
            f"/api/v1/community-reports/{resource}?assessment={published.pk}&page_size=500",
        )
        public = pd.read_parquet(reports_folder / "public" / f"{TABLES[resource]}.parquet")
        assert body["meta"]["total"] == len(public) == len(body["data"]), resource
        count = "community_reports" if resource == "strands" else "reports"
        for answered, (_, row) in zip(body["data"], public.iterrows(), strict=True):
            assert answered["assessment"] == published.pk
            assert answered["suppressed"] is bool(row["suppressed"])
            if row["suppressed"]:
                assert answered[count] is None, (resource, answered)
                assert answered.get("losses_pounds") is None
            else:
                assert answered[count] == round(row[count]), (resource, answered)
    text = json.dumps(
        [
            json.loads(client.get(f"/api/v1/community-reports/{r}?page_size=500").content)
            for r in RESOURCES
        ]
    )
    assert "1407.3" not in text


def test_summary_values_filters_and_pagination(
    client: Client, published: PublishedAssessment
) -> None:
    document = _document(client)
    hate = _checked(client, document, "/api/v1/community-reports/summary?kind=hate")
    assert [
        (row["channel"], row["reports"], row["reports_previous"], row["suppressed"])
        for row in hate["data"]
    ] == [
        ("public_form", 42, 35, False),
        ("reporting_centre", 17, 9, False),
        ("open311", None, None, True),
    ]
    business = _checked(
        client, document, "/api/v1/community-reports/summary?kind=business&channel=business"
    )
    assert [(row["reports"], row["losses_pounds"]) for row in business["data"]] == [(26, 4318.5)]
    page = _checked(client, document, "/api/v1/community-reports/monthly?page_size=10&page=2")
    assert page["meta"]["pages"] == 8  # 24 months x 3 kinds
    assert page["links"]["prev"] is not None
    months = _checked(
        client, document, "/api/v1/community-reports/monthly?kind=business&page_size=100"
    )
    withheld = {(row["kind"], row["month"]) for row in months["data"] if row["reports"] is None}
    assert withheld == {key for key in HIDDEN_MONTHS if key[0] == "business"}
    empty = _checked(client, document, "/api/v1/community-reports/summary?kind=no_such_kind")
    assert empty["data"] == []
    assert empty["meta"]["reason"] == (
        "no community report counts by kind and channel match kind=no_such_kind"
    )
    bad = client.get("/api/v1/community-reports/summary?channel=carrier_pigeon")
    assert bad.status_code == 400
    assert json.loads(bad.content)["error"]["parameter"] == "channel"


def test_strands_wards_and_business(
    client: Client, published: PublishedAssessment, reports_folder: Path
) -> None:
    document = _document(client)
    strands = _checked(client, document, "/api/v1/community-reports/strands")
    shown = [
        (row["strand"], row["community_reports"], row["police_recorded"],
         row["police_recorded_note"])
        for row in strands["data"]
    ]  # fmt: skip
    assert shown == [
        ("race", 38, 412, None),
        ("religion", 9, 57, None),
        ("sexual_orientation", 7, 64, None),
        ("disability", None, 21, None),
        ("transgender", None, 11, None),
        ("other", 6, None, "the strand has no police hate-crime flag to compare with"),
    ]
    (first_ward, first_name), *_ = ward_names(reports_folder)
    ward = _checked(client, document, f"/api/v1/community-reports/wards?ward={first_ward}")
    assert [(row["ward_name"], row["kind"], row["reports"]) for row in ward["data"]] == [
        (first_name, "hate", 31), (first_name, "concern", 40), (first_name, "business", 18),
    ]  # fmt: skip
    business = _checked(client, document, "/api/v1/community-reports/business")
    assert [
        (row["category"], row["reports"], row["losses_pounds"]) for row in business["data"]
    ] == [
        ("theft", 14, 2911.2),
        ("abuse_violence_staff", 6, None),
        ("business_asb", None, None),
        ("criminal_damage", None, None),
    ]
    nowhere = _checked(client, document, "/api/v1/community-reports/wards?ward=E05999999")
    assert nowhere["meta"]["reason"] == "no community report counts by ward match ward=E05999999"


def test_without_a_force_extract_the_strands_say_why(
    client: Client, db: None, demo_artefact: Path, tmp_path: Path
) -> None:
    folder = copy_artefact(demo_artefact, tmp_path / "no-police", tables=["indicators"])
    add_community_reports_tables(folder, police_recorded=False)
    cache.clear()
    assessment = publish(load_draft(directory=folder), user=None)
    document = _document(client)
    body = _checked(
        client, document, f"/api/v1/community-reports/strands?assessment={assessment.pk}"
    )
    notes = {row["strand"]: row["police_recorded_note"] for row in body["data"]}
    assert notes["race"] == "no force extract was loaded for the period"
    assert all(row["police_recorded"] is None for row in body["data"])


def test_an_assessment_that_did_not_assess_the_family_says_why_never_zeros(
    client: Client, db: None, demo_artefact: Path, tmp_path: Path
) -> None:
    folder = copy_artefact(demo_artefact, tmp_path / "plain", tables=["indicators"])
    mark_not_assessed(folder, reason="no community reports were loaded into the warehouse")
    cache.clear()
    assessment = publish(load_draft(directory=folder), user=None)
    document = _document(client)
    for resource in RESOURCES:
        body = _checked(client, document, f"/api/v1/community-reports/{resource}")
        assert body["data"] == []
        assert body["meta"]["total"] == 0
        assert body["meta"]["reason"] == (
            f"community reports were not assessed in {assessment.area_name} "
            f"{assessment.period}: no community reports were loaded into the warehouse"
        ), resource


def test_with_nothing_published_the_lists_say_so(db: None, client: Client) -> None:
    PublishedAssessment.objects.all().delete()
    for resource in RESOURCES:
        body = json.loads(client.get(f"/api/v1/community-reports/{resource}").content)
        assert body["data"] == []
        assert body["meta"]["reason"] == NOTHING_PUBLISHED
    unknown = json.loads(client.get("/api/v1/community-reports/summary?assessment=999999").content)
    assert unknown["meta"]["reason"].startswith("unknown assessment 999999")
    assert unknown["data"] == []
