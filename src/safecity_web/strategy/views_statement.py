"""The annual public statement in the portal: assemble, edit (new versions), publish."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from safecity_web import core_gateway
from safecity_web.accounts.permissions import role_required
from safecity_web.observatory.models import PublishedAssessment
from safecity_web.strategy.access import STATEMENT_ROLES
from safecity_web.strategy.forms import StatementAssembleForm, StatementEditForm
from safecity_web.strategy.models import StatementVersion
from safecity_web.strategy.statement import (
    assemble_statement,
    published_assessment,
    revise_statement,
)
from safecity_web.strategy.statement_pdf import publish_with_pdf
from safecity_web.strategy.statement_text import statement_blocks


def default_period(assessment: PublishedAssessment | None) -> dict[str, datetime.date]:
    """The period a new statement covers unless the analyst says otherwise.

    The published assessment's period (the statement reports on it); with none published, or
    a period the core cannot read, the last complete financial year (April to March).
    """
    if assessment is not None:
        dates = core_gateway.period_dates(assessment.period)
        if dates is not None:
            return {"period_start": dates[0], "period_end": dates[1]}
    today = timezone.localdate()
    end = datetime.date(today.year if today.month > 3 else today.year - 1, 3, 31)
    return {"period_start": datetime.date(end.year - 1, 4, 1), "period_end": end}


@role_required(*STATEMENT_ROLES)
@require_http_methods(["GET", "POST"])
def statement_list(request: HttpRequest) -> HttpResponse:
    """Every statement version, and the form to assemble a new draft."""
    status = 200
    assessment = published_assessment()
    if request.method == "POST":
        form = StatementAssembleForm(request.POST)
        if form.is_valid():
            version = assemble_statement(
                period_start=form.cleaned_data["period_start"],
                period_end=form.cleaned_data["period_end"],
                author=request.user,  # type: ignore[arg-type]
                request=request,
            )
            messages.success(request, "Draft statement assembled")
            return redirect("strategy:statement-edit", version_id=version.pk)
        status = 400
    else:
        form = StatementAssembleForm(initial=default_period(assessment))
    return render(
        request,
        "strategy/statement_list.html",
        {
            "form": form,
            "versions": StatementVersion.objects.select_related("created_by", "published_by"),
            "assessment": assessment,
        },
        status=status,
    )


@role_required(*STATEMENT_ROLES)
@require_http_methods(["GET", "POST"])
def statement_edit(request: HttpRequest, version_id: int) -> HttpResponse:
    """Edit a statement: saving makes a new draft version based on this one."""
    version = get_object_or_404(StatementVersion, pk=version_id)
    status = 200
    if request.method == "POST":
        form = StatementEditForm(request.POST)
        if form.is_valid():
            revision = revise_statement(
                version=version,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                author=request.user,  # type: ignore[arg-type]
                request=request,
            )
            messages.success(request, f"Saved as version {revision.pk}")
            return redirect("strategy:statement-edit", version_id=revision.pk)
        status = 400
    else:
        form = StatementEditForm(initial={"title": version.title, "body": version.body})
    context: dict[str, Any] = {
        "version": version,
        "form": form,
        "blocks": statement_blocks(text=version.body),
    }
    return render(request, "strategy/statement_edit.html", context, status=status)


@role_required(*STATEMENT_ROLES)
@require_POST
def statement_publish(request: HttpRequest, version_id: int) -> HttpResponse:
    """Publish a draft version on the public statement page, with its PDF rendered once.

    Publishing and rendering are one transaction: a version is never public without its PDF.
    """
    version = get_object_or_404(StatementVersion, pk=version_id)
    if version.is_published:
        messages.info(request, "This version is already published")
        return redirect("strategy:statement-edit", version_id=version.pk)
    publish_with_pdf(
        version=version,
        publisher=request.user,  # type: ignore[arg-type]
        site_url=request.build_absolute_uri("/"),
        request=request,
    )
    messages.success(request, "Statement published")
    return redirect("strategy-public:statement")
