"""Publishing from the browser: an analyst previews a draft, then publishes it (POST + CSRF)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from safecity_web.accounts.models import Role
from safecity_web.accounts.permissions import role_required
from safecity_web.observatory import queries
from safecity_web.observatory.models import AssessmentStatus, PublishedAssessment
from safecity_web.observatory.publishing import PublishingError, publish


@role_required(Role.ANALYST, Role.ADMINISTRATOR)
def draft_list(request: HttpRequest) -> HttpResponse:
    """Drafts waiting to be published, for analysts and administrators."""
    drafts = list(
        queries.assessments().filter(status=AssessmentStatus.DRAFT).order_by("-created_at")
    )
    return render(request, "observatory/draft_list.html", {"drafts": drafts})


@role_required(Role.ANALYST, Role.ADMINISTRATOR)
@require_POST
def publish_draft(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """Publish the draft (superseding the area's published assessment) and audit-log it."""
    assessment = get_object_or_404(
        PublishedAssessment.objects.defer("manifest", "boundaries"), pk=assessment_id
    )
    try:
        publish(assessment, user=request.user, request=request)  # type: ignore[arg-type]
    except PublishingError as error:
        messages.error(request, str(error))
        return redirect("observatory:preview", assessment_id=assessment.pk)
    messages.success(
        request,
        f"Published the {assessment.area_name} assessment for {assessment.period}.",
    )
    return redirect("observatory:home")
