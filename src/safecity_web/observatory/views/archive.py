"""The archive of published assessments (current and superseded)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from safecity_web.observatory import queries


def assessment_archive(request: HttpRequest) -> HttpResponse:
    """Every published and superseded assessment, newest first."""
    return render(
        request,
        "observatory/assessment_archive.html",
        {
            "assessments": queries.public_archive(),
            "current_assessment": queries.current_assessment(),
        },
    )
