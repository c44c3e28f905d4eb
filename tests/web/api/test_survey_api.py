"""The API's survey resources: waves, estimates and comparisons from a published artefact.

A light copy of the demo artefact gets the survey family's tables (``survey_artefact``), is
published, and ``/api/v1/survey/...`` is read: the values answered are the public rows', a
suppressed estimate is ``value: null`` (and its interval null) with ``suppressed: true``,
filters and pagination work as on the other resources, every answer validates against the
OpenAPI document, and an empty answer says why.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from django.core.cache import cache
from django.test import Client
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from survey_artefact import SUPPRESSED_GROUP, add_survey_tables
from web_observatory import copy_artefact

from safecity_web.api.reasons import NOTHING_PUBLISHED
from safecity_web.observatory.models import PublishedAssessment
from safecity_web.observatory.publishing import load_draft, publish

DIALECT = "https://json-schema.org/draft/2020-12/schema"


@pytest.fixture(scope="module")
def survey_folder(demo_artefact: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = copy_artefact(
        demo_artefact, tmp_path_factory.mktemp("survey-api"), tables=["indicators", "findings"]
    )
    return add_survey_tables(folder)


@pytest.fixture
def published(db: None, survey_folder: Path) -> PublishedAssessment:
    cache.clear()
    return publish(load_draft(directory=survey_folder), user=None)


def _document(client: Client) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(client.get("/api/v1/openapi.json").content)
    return body


def _checked(client: Client, document: dict[str, Any], url: str) -> dict[str, Any]:
    """The answer to ``url``, validated against the schema the document gives for it."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
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


def test_the_openapi_document_describes_the_survey_resources(db: None, client: Client) -> None:
    document = _document(client)
    validate(document)
    for path in ("/survey/waves", "/survey/estimates", "/survey/comparisons"):
        assert path in document["paths"]
    estimates = document["paths"]["/survey/estimates"]["get"]
    names = [parameter["name"] for parameter in estimates["parameters"]]
    assert names == ["wave", "measure", "group_variable", "assessment", "page", "page_size"]
    for name in ("SurveyWave", "SurveyEstimate", "SurveyComparison"):
        Draft202012Validator.check_schema(document["components"]["schemas"][name])
    docs = client.get("/api/v1/docs/").content.decode()
    assert 'id="listSurveyEstimates"' in docs


def test_estimates_are_the_public_rows_and_suppressed_ones_carry_no_number(
    client: Client, published: PublishedAssessment, survey_folder: Path
) -> None:
    document = _document(client)
    body = _checked(
        client, document, f"/api/v1/survey/estimates?assessment={published.pk}&page_size=500"
    )
    public = pd.read_parquet(survey_folder / "public" / "survey_estimates.parquet")
    assert body["meta"]["total"] == len(public) == len(body["data"])
    for answered, (_, row) in zip(body["data"], public.iterrows(), strict=True):
        assert answered["assessment"] == published.pk
        assert (answered["wave"], answered["measure"], answered["group"]) == (
            row["wave"], row["measure"], row["group"],
        )  # fmt: skip
        if row["suppressed"]:
            assert answered["suppressed"] is True
            assert (answered["value"], answered["lower_ci"], answered["upper_ci"]) == (None,) * 3
        else:
            assert math.isclose(answered["value"], row["value"])
            assert math.isclose(answered["upper_ci"], row["upper_ci"])
            assert answered["unweighted_base"] == row["unweighted_base"]
    hidden = [row for row in body["data"] if row["suppressed"]]
    assert sorted(row["group"] for row in hidden) == [
        SUPPRESSED_GROUP, SUPPRESSED_GROUP, "All respondents",
    ]  # fmt: skip
    assert "0.713" not in json.dumps(body)


def test_filters_by_wave_measure_and_grouping(
    client: Client, published: PublishedAssessment
) -> None:
    document = _document(client)
    body = _checked(
        client,
        document,
        "/api/v1/survey/estimates?wave=2022&measure=feels_safe_after_dark&group_variable=all",
    )
    shown = [(row["wave"], row["value"], row["lower_ci"], row["upper_ci"]) for row in body["data"]]
    assert shown == [("2022", 0.662, 0.642, 0.682)]
    assert body["data"][0]["method"] == "Taylor linearisation (survey design)"
    by_sex = _checked(client, document, "/api/v1/survey/estimates?group_variable=sex&wave=2021")
    assert [row["group"] for row in by_sex["data"]] == ["Female", "Male"]
    page = _checked(client, document, "/api/v1/survey/estimates?page_size=5&page=2")
    assert page["meta"]["pages"] == 4
    assert page["links"]["prev"] is not None
    empty = _checked(client, document, "/api/v1/survey/estimates?measure=no_such_measure")
    assert empty["data"] == []
    assert empty["meta"]["reason"] == "no survey estimates match measure=no_such_measure"
    bad = client.get("/api/v1/survey/estimates?wave=NOT A VALID VALUE!")
    assert bad.status_code == 400
    assert json.loads(bad.content)["error"]["parameter"] == "wave"
    # Any label `safecity load survey` accepts can be asked for, spaces included.
    spaced = _checked(client, document, "/api/v1/survey/estimates?wave=Autumn%202023")
    assert spaced["data"] == []
    assert spaced["meta"]["reason"] == "no survey estimates match wave=Autumn 2023"


def test_waves_and_comparisons(client: Client, published: PublishedAssessment) -> None:
    document = _document(client)
    waves = _checked(client, document, f"/api/v1/survey/waves?assessment={published.pk}")
    assert [(row["wave"], row["respondents"], row["relation"]) for row in waves["data"]] == [
        ("2021", 2503, "before period"),
        ("2022", 2496, "in period"),
    ]
    changes = _checked(client, document, "/api/v1/survey/comparisons?comparison=waves")
    assert [(row["measure"], row["difference"], row["significant"]) for row in changes["data"]] == [
        ("feels_safe_after_dark", -0.079, True),
        ("victim_of_crime", 0.009, False),
        ("not_reported", -0.012, False),
    ]  # fmt: skip
    groups = _checked(
        client, document, "/api/v1/survey/comparisons?comparison=groups&measure=not_reported"
    )
    (hidden,) = groups["data"]
    assert hidden["suppressed"] is True
    assert [hidden[name] for name in ("to_value", "difference", "p_value", "significant")] == [
        None, None, None, None,
    ]  # fmt: skip


def test_with_nothing_published_the_survey_lists_say_so(db: None, client: Client) -> None:
    PublishedAssessment.objects.all().delete()
    for path in ("/api/v1/survey/waves", "/api/v1/survey/estimates", "/api/v1/survey/comparisons"):
        body = json.loads(client.get(path).content)
        assert body["data"] == []
        assert body["meta"]["reason"] == NOTHING_PUBLISHED
