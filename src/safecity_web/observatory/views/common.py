"""What every observatory page shares: which assessment it shows, and the base context.

A page shows the currently published assessment (``/``), an archived one
(``/assessments/<id>/``: published or superseded, never a draft), or a draft in preview
(``/preview/<id>/``: analysts and administrators only; the URLs wrap those views in
``role_required``).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.functional import SimpleLazyObject

from safecity_web.observatory import queries
from safecity_web.observatory.models import AssessmentStatus, PublishedAssessment


class Mode(StrEnum):
    """Which assessment a page shows."""

    CURRENT = "current"
    ARCHIVE = "archive"
    PREVIEW = "preview"


class NoPublishedAssessmentError(Exception):
    """Nothing has been published yet: pages show how to publish one."""


def resolve_assessment(*, mode: Mode, assessment_id: int | None) -> PublishedAssessment:
    """The assessment a page shows.

    Raises
    ------
    NoPublishedAssessmentError
        For the current assessment when none is published.
    Http404
        For an unknown id, or a draft outside preview.
    """
    if mode is Mode.CURRENT:
        current = queries.current_assessment()
        if current is None:
            raise NoPublishedAssessmentError
        return current
    found = queries.assessments().filter(pk=assessment_id).first()
    if found is None:
        raise Http404(f"No assessment {assessment_id}")
    if mode is Mode.ARCHIVE and found.status == AssessmentStatus.DRAFT:
        raise Http404(f"No published assessment {assessment_id}")
    return found


def base_path(*, mode: Mode, assessment: PublishedAssessment) -> str:
    """The URL prefix of the pages of this assessment ('' for the current one)."""
    if mode is Mode.ARCHIVE:
        return f"/assessments/{assessment.pk}"
    if mode is Mode.PREVIEW:
        return f"/preview/{assessment.pk}"
    return ""


def page_context(
    request: HttpRequest, *, mode: Mode, assessment: PublishedAssessment, **extra: Any
) -> dict[str, Any]:
    """The context every page of an assessment gets.

    The page body is cached per assessment, status and ``page_key`` (the path) in the
    template, so expensive values should be passed wrapped in :func:`lazy` (built only when
    the cached body is missing).
    """
    current = queries.current_assessment() if mode is not Mode.CURRENT else assessment
    return {
        "assessment": assessment,
        "mode": mode.value,
        "base": base_path(mode=mode, assessment=assessment),
        "is_preview": mode is Mode.PREVIEW,
        "is_archive": mode is Mode.ARCHIVE,
        "current_assessment": current,
        "is_current": current is not None and current.pk == assessment.pk,
        "page_key": request.path,
        **extra,
    }


def lazy(build: Callable[[], Any]) -> Any:
    """A context value computed on first use (not at all when the page body is cached)."""
    return SimpleLazyObject(build)
