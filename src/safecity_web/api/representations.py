"""Read-model rows as the JSON objects the schemas in :mod:`safecity_web.api.schemas` describe.

Blank text and non-finite numbers are answered as null; a suppressed value never carries its
count, rate or interval, whatever the row holds.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse

from safecity_web.api.reasons import not_assessed_reason
from safecity_web.core_gateway import indicator_columns
from safecity_web.observatory.models import Area, Indicator, PublishedAssessment

VALUE_FIELDS = tuple(indicator_columns())
"""The columns of the artefact's public ``indicators`` table, in its order."""

SUPPRESSED_FIELDS = ("numerator", "value", "lower_ci", "upper_ci")
"""What small-number suppression withholds: the count and everything computed from it."""

FINDING_FIELDS = ("finding_id", "topic", "sentence", "significant", "row_ids")


def api_url(request: HttpRequest, name: str, *, query: dict[str, Any] | None = None,
            **arguments: Any) -> str:  # fmt: skip
    """The absolute URL of the API view ``name``, with ``query`` as its query string."""
    path = reverse(f"api:{name}", kwargs=arguments or None)
    if query:
        path += "?" + urlencode(query)
    return request.build_absolute_uri(path)


def optional(value: Any) -> Any:
    """``value`` with blank text and non-finite numbers made null.

    JSON has no NaN or infinity: a ratio against a zero baseline (infinite) is answered as
    null, like a value that could not be computed.
    """
    if value == "" or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return value


def assessment_object(request: HttpRequest, assessment: PublishedAssessment) -> dict[str, Any]:
    """An assessment as the ``Assessment`` schema describes it."""
    return {
        "id": assessment.pk,
        "area_code": assessment.area_code,
        "area_name": assessment.area_name,
        "area_level": assessment.area_level,
        "period": assessment.period,
        "baseline": optional(assessment.baseline),
        "status": assessment.status,
        "published_at": assessment.published_at.isoformat() if assessment.published_at else None,
        "artefact_created_at": (
            assessment.artefact_created_at.isoformat() if assessment.artefact_created_at else None
        ),
        "confidence": assessment.confidence,
        "links": {
            "self": api_url(request, "assessment", assessment_id=assessment.pk),
            "values": api_url(request, "values", query={"assessment": assessment.pk}),
            "findings": api_url(request, "findings", query={"assessment": assessment.pk}),
        },
    }


def assessment_detail_object(
    request: HttpRequest, assessment: PublishedAssessment
) -> dict[str, Any]:
    """An assessment with its provenance (the ``AssessmentDetail`` schema)."""
    manifest: dict[str, Any] = assessment.manifest or {}
    return {
        **assessment_object(request, assessment),
        "provenance": {
            "parameters": manifest.get("parameters", {}),
            "vintages": manifest.get("vintages", {}),
            "versions": manifest.get("versions", {}),
            "skipped": {str(key): str(value) for key, value in manifest.get("skipped", {}).items()},
        },
    }


def indicator_download_urls(request: HttpRequest, indicator_id: str) -> dict[str, str]:
    """The observatory's page and files of an indicator (its currently published values)."""
    arguments = {"indicator_id": indicator_id}
    return {
        "page": request.build_absolute_uri(reverse("observatory:indicator", kwargs=arguments)),
        "csv": request.build_absolute_uri(reverse("observatory:indicator-csv", kwargs=arguments)),
        "json": request.build_absolute_uri(reverse("observatory:indicator-json", kwargs=arguments)),
    }


def indicator_object(request: HttpRequest, indicator: Indicator) -> dict[str, Any]:
    """An indicator as the ``Indicator`` schema describes it."""
    return {
        "indicator_id": indicator.indicator_id,
        "name": indicator.name,
        "definition": optional(indicator.definition),
        "polarity": indicator.polarity,
        "method": optional(indicator.method),
        "unit": optional(indicator.unit),
        "denominator_type": optional(indicator.denominator_type),
        "multiplier": indicator.multiplier,
        "source": optional(indicator.source),
        "caveats": optional(indicator.caveats),
        "headline": indicator.headline,
        "not_assessed": not_assessed_reason(indicator.indicator_id),
        "links": {
            "self": api_url(request, "indicator", indicator_id=indicator.indicator_id),
            "values": api_url(request, "values", query={"indicator": indicator.indicator_id}),
            **indicator_download_urls(request, indicator.indicator_id),
        },
    }


def download_object(request: HttpRequest, indicator: Indicator) -> dict[str, Any]:
    """An indicator's files as the ``Download`` schema describes them."""
    urls = indicator_download_urls(request, indicator.indicator_id)
    return {
        "indicator_id": indicator.indicator_id,
        "name": indicator.name,
        "csv": urls["csv"],
        "json": urls["json"],
    }


def area_object(request: HttpRequest, area: Area) -> dict[str, Any]:
    """An area as the ``Area`` schema describes it (its parent selected with it)."""
    parent_code = area.parent.gss_code if area.parent is not None else None
    return {
        "gss_code": area.gss_code,
        "name": area.name,
        "level": area.level,
        "vintage": optional(area.vintage),
        "parent_code": parent_code,
        "links": {
            "self": api_url(request, "area", gss_code=area.gss_code),
            "values": api_url(request, "values", query={"area": area.gss_code}),
            "children": api_url(request, "areas", query={"parent": area.gss_code}),
            "parent": api_url(request, "area", gss_code=parent_code) if parent_code else None,
        },
    }


def value_object(row: dict[str, Any]) -> dict[str, Any]:
    """A value row (from ``.values()``) as the ``Value`` schema describes it.

    A suppressed row is answered with ``value: null`` and no count or interval, even if the
    stored row held numbers.
    """
    answer: dict[str, Any] = {"assessment": row["assessment_id"]}
    for name in VALUE_FIELDS:
        answer[name] = optional(row[name])
    for name in ("multiplier", "rank", "rank_of"):
        if answer[name] is not None:
            answer[name] = int(answer[name])
    if answer["suppressed"]:
        for name in SUPPRESSED_FIELDS:
            answer[name] = None
    return answer


def finding_object(row: dict[str, Any]) -> dict[str, Any]:
    """A finding row (from ``.values()``) as the ``Finding`` schema describes it."""
    return {
        "assessment": row["assessment_id"],
        "finding_id": row["finding_id"],
        "topic": row["topic"],
        "sentence": row["sentence"],
        "significant": row["significant"],
        "row_ids": [str(row_id) for row_id in row["row_ids"] or []],
    }
