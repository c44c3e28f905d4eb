"""The receivers' review pages: the reviews due in their topics, and one submission's review.

Neither page shows what a submission says: the list shows the reference, topic and the review's
dates; the review page shows the review's facts (topic, when submitted, last review, grading,
outcome) and links to the submission's own page, where reading its content is audit-logged.
Previous reasons for keeping it are shown on the review page (that read is audit-logged too).
Who may use them is :mod:`safecity_web.intelligence.access` (the reviews list: any receiver;
a review: the receivers the topic routes to); what a decision does is
:mod:`safecity_web.intelligence.review`. A deleted submission cannot be reviewed: its review
page answers 400 and says when and why it was deleted.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import dateformat, timezone
from django.views.decorators.http import require_GET, require_http_methods

from safecity_web import core_gateway
from safecity_web.accounts.models import AuditAction
from safecity_web.accounts.permissions import role_required
from safecity_web.intelligence.access import (
    RECEIVER_ROLES,
    record_intelligence_event,
    require_handle,
    require_receiver,
)
from safecity_web.intelligence.forms_review import ReviewForm
from safecity_web.intelligence.models import (
    IntelligenceSubmission,
    ReviewDecision,
    ReviewDecisionKind,
)
from safecity_web.intelligence.review import (
    DUE_SOON_DAYS,
    ReviewError,
    delete_at_review,
    retain_submission,
    review_state,
    reviews_for,
)
from safecity_web.intelligence.submission import decrypt, review_date

NO_STORE = "no-store, private"
REVIEWS_PAGE_SIZE = 100


def _topic_labels() -> dict[str, str]:
    return {topic.id: topic.label for topic in core_gateway.intelligence_config().topics}


@role_required(*RECEIVER_ROLES)
@require_GET
def reviews(request: HttpRequest) -> HttpResponse:
    """The reviews due soon, due, overdue and escalated in the user's topics (no content)."""
    require_receiver(request)
    today = timezone.localdate()
    labels = _topic_labels()
    every = reviews_for(user=request.user, today=today)
    page = Paginator(every, REVIEWS_PAGE_SIZE).get_page(request.GET.get("page"))
    response = render(
        request,
        "intelligence/review/reviews.html",
        {
            "page": page,
            "rows": [
                {"row": row, "topic_label": labels.get(row.submission.topic, row.submission.topic)}
                for row in page.object_list
            ],
            "total": len(every),
            "today": today,
            "due_soon_days": DUE_SOON_DAYS,
            "escalated": sum(1 for row in every if row.escalated),
            "overdue": sum(1 for row in every if row.days_overdue > 0),
        },
    )
    response["Cache-Control"] = NO_STORE
    return response


def _facts(submission: IntelligenceSubmission) -> dict[str, Any]:
    config = core_gateway.intelligence_config()
    topic = config.topic(submission.topic)
    source = {grade.code: grade.label for grade in config.source_evaluation}
    assessment = {grade.code: grade.label for grade in config.intelligence_assessment}
    handling = {grade.code: grade.label for grade in config.handling_codes}
    outcomes = {choice.id: choice.label for choice in config.outcomes}
    today = timezone.localdate()
    state, days_overdue = review_state(review_due=submission.review_due, today=today)
    return {
        "topic": topic,
        "grading": [
            ("Source", submission.source_evaluation, source.get(submission.source_evaluation)),
            (
                "Intelligence",
                submission.intelligence_assessment,
                assessment.get(submission.intelligence_assessment),
            ),
            ("Handling", submission.handling_code, handling.get(submission.handling_code)),
        ],
        "outcome_label": outcomes.get(submission.outcome, submission.outcome),
        "state": state,
        "days_overdue": days_overdue,
        "next_review_if_kept": review_date(topic=submission.topic, from_day=today, retained=True),
    }


def _history(request: HttpRequest, submission: IntelligenceSubmission) -> list[dict[str, Any]]:
    """The earlier decisions; reading their reasons (encrypted) writes one audit event."""
    decisions = list(
        ReviewDecision.objects.filter(submission=submission).select_related("decided_by")
    )
    history = [
        {"decision": decision, "reason": decrypt(decision.encrypted_reason)}
        for decision in decisions
    ]
    if any(item["reason"] for item in history):
        record_intelligence_event(
            request=request,
            action=AuditAction.VIEWED_INTELLIGENCE,
            submission=submission,
            detail="review page: earlier reasons for keeping it",
        )
    return history


def _render_review(
    request: HttpRequest,
    submission: IntelligenceSubmission,
    *,
    form: ReviewForm | None = None,
    status: int = 200,
) -> HttpResponse:
    if submission.is_deleted:
        response = render(
            request, "intelligence/review/deleted.html", {"submission": submission}, status=400
        )
    else:
        response = render(
            request,
            "intelligence/review/review.html",
            {
                "submission": submission,
                "form": form or ReviewForm(),
                "history": _history(request, submission),
                **_facts(submission),
            },
            status=status,
        )
    response["Cache-Control"] = NO_STORE
    return response


@role_required(*RECEIVER_ROLES)
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, reference: str) -> HttpResponse:
    """One submission's review: keep it (with a reason; next review set) or delete it."""
    submission = get_object_or_404(IntelligenceSubmission, reference=reference)
    require_handle(request, submission=submission)
    if request.method != "POST" or submission.is_deleted:
        return _render_review(request, submission)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["decision"] == ReviewDecisionKind.RETAIN:
                retain_submission(
                    submission=submission,
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                    request=request,
                )
                messages.success(
                    request,
                    f"{submission.reference} is kept; its next review is "
                    f"{dateformat.format(submission.review_due, 'j F Y')}",
                )
            else:
                delete_at_review(submission=submission, by=request.user, request=request)
                messages.success(request, f"The content of {submission.reference} was deleted")
        except ReviewError as error:
            form.add_error(
                error.field_name if error.field_name in form.fields else None, error.message
            )
        else:
            return redirect("intelligence:reviews")
    return _render_review(request, submission, form=form, status=400)
