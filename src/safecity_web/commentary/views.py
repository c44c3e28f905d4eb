"""Partner-portal pages: decide on the drafted recommendations, write commentary and notes.

Analysts and administrators only (as the annual statement); every change is audit-logged by
:mod:`safecity_web.commentary.services`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from safecity_web.accounts.models import Role
from safecity_web.accounts.permissions import role_required
from safecity_web.commentary.forms import CommentaryForm, DecisionForm
from safecity_web.commentary.models import Commentary, Decision, Target
from safecity_web.commentary.services import (
    CommentaryRejectedError,
    decide,
    delete_commentary,
    drafts,
    write_commentary,
)
from safecity_web.observatory.models import PublishedAssessment

COMMENTARY_ROLES = (Role.ADMINISTRATOR, Role.ANALYST)


@role_required(*COMMENTARY_ROLES)
def assessment_list(request: HttpRequest) -> HttpResponse:
    """The assessments loaded on the site, each with its recommendations and commentary."""
    return render(
        request,
        "commentary/assessment_list.html",
        {"assessments": PublishedAssessment.objects.all()},
    )


@role_required(*COMMENTARY_ROLES)
def recommendations(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """The drafted recommendations of an assessment and the decision on each."""
    assessment = get_object_or_404(PublishedAssessment, pk=assessment_id)
    return render(
        request,
        "commentary/recommendations.html",
        {"assessment": assessment, "drafts": drafts(assessment).items},
    )


@role_required(*COMMENTARY_ROLES)
@require_http_methods(["GET", "POST"])
def recommendation_decide(request: HttpRequest, assessment_id: int, group_id: str) -> HttpResponse:
    """Accept, edit or reject one drafted recommendation."""
    assessment = get_object_or_404(PublishedAssessment, pk=assessment_id)
    draft = drafts(assessment).by_group().get(group_id)
    if draft is None:
        raise Http404(f"No recommendation about {group_id}")
    status = 200
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                decide(
                    assessment=assessment,
                    group_id=group_id,
                    decision=Decision(form.cleaned_data["decision"]),
                    text=form.cleaned_data["text"],
                    reason=form.cleaned_data["reason"],
                    user=request.user,
                    request=request,
                )
            except CommentaryRejectedError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"Decision saved: {draft.group_name}")
                return redirect("commentary:recommendations", assessment_id=assessment.pk)
        status = 400
    else:
        initial: dict[str, Any] = {"text": draft.text}
        if draft.decision is not None:
            initial = {
                "decision": draft.decision.decision,
                "text": draft.decision.text or draft.text,
                "reason": draft.decision.reason,
            }
        form = DecisionForm(initial=initial)
    return render(
        request,
        "commentary/recommendation_decide.html",
        {"assessment": assessment, "draft": draft, "form": form},
        status=status,
    )


@role_required(*COMMENTARY_ROLES)
@require_http_methods(["GET", "POST"])
def commentary(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """The commentary and context notes of an assessment, and the form to add or replace one."""
    assessment = get_object_or_404(PublishedAssessment, pk=assessment_id)
    status = 200
    if request.method == "POST":
        form = CommentaryForm(request.POST)
        if form.is_valid():
            try:
                write_commentary(
                    assessment=assessment,
                    target=Target(form.cleaned_data["target"]),
                    key=form.cleaned_data["key"],
                    text=form.cleaned_data["text"],
                    user=request.user,
                    request=request,
                )
            except CommentaryRejectedError as error:
                form.add_error("key", str(error))
            else:
                messages.success(request, "Commentary saved")
                return redirect("commentary:commentary", assessment_id=assessment.pk)
        status = 400
    else:
        wanted = Commentary.objects.filter(
            assessment=assessment,
            target=request.GET.get("target", ""),
            key=request.GET.get("key", ""),
        ).first()
        form = CommentaryForm(
            initial={"target": wanted.target, "key": wanted.key, "text": wanted.text}
            if wanted is not None
            else {"target": Target.SECTION, "key": "summary"}
        )
    return render(
        request,
        "commentary/commentary.html",
        {
            "assessment": assessment,
            "form": form,
            "entries": Commentary.objects.filter(assessment=assessment),
        },
        status=status,
    )


@role_required(*COMMENTARY_ROLES)
@require_POST
def commentary_delete(request: HttpRequest, assessment_id: int, commentary_id: int) -> HttpResponse:
    """Remove one piece of commentary."""
    item = get_object_or_404(Commentary, pk=commentary_id, assessment_id=assessment_id)
    delete_commentary(item=item, user=request.user, request=request)
    messages.success(request, "Commentary removed")
    return redirect("commentary:commentary", assessment_id=assessment_id)
