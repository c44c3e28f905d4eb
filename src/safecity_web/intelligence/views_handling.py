"""The receivers' pages: the queue, one submission and its handling, exports, its audit trail.

Who may see and handle what is :mod:`safecity_web.intelligence.access`; what each action does
is :mod:`safecity_web.intelligence.handling` and :mod:`safecity_web.intelligence.sanitising`.
Every page that shows a submission's content writes one ``VIEWED_INTELLIGENCE`` audit event;
every export writes ``EXPORTED``; every change ``EDITED``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from safecity_web import core_gateway
from safecity_web.accounts.models import AuditAction, AuditEvent
from safecity_web.accounts.permissions import role_required
from safecity_web.intelligence.access import (
    AUDIT_OBJECT_TYPE,
    RECEIVER_ROLES,
    may_handle,
    receiver_topics,
    record_intelligence_event,
    require_handle,
    require_receiver,
    require_see,
    routed_submissions,
)
from safecity_web.intelligence.boundary_places import boundary_places, ward_names
from safecity_web.intelligence.forms_handling import (
    LinkActionForm,
    LinkPlaceForm,
    OutcomeForm,
    QueueFilterForm,
    RegradeForm,
    SanitiseForm,
)
from safecity_web.intelligence.handling import (
    HandlingError,
    grade_text,
    link_action,
    link_place,
    original_content,
    record_outcome,
    regrade,
    submission_grade,
)
from safecity_web.intelligence.models import (
    IntelligenceSubmission,
    SanitisedCopy,
    SubmissionStatus,
)
from safecity_web.intelligence.sanitising import (
    copy_content,
    export_csv,
    export_json,
    make_sanitised_copy,
)
from safecity_web.intelligence.submission import decrypt

QUEUE_PAGE_SIZE = 50
AUDIT_PAGE_SIZE = 50
NO_STORE = "no-store, private"
EXPORT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}


def _labels() -> dict[str, dict[str, str]]:
    config = core_gateway.intelligence_config()

    def grades(scale: Any) -> dict[str, str]:
        return {grade.code: grade.label for grade in scale}

    return {
        "topics": {topic.id: topic.label for topic in config.topics},
        "outcomes": {choice.id: choice.label for choice in config.outcomes},
        "source_evaluation": grades(config.source_evaluation),
        "intelligence_assessment": grades(config.intelligence_assessment),
        "handling_codes": grades(config.handling_codes),
    }


def _row(
    submission: IntelligenceSubmission, labels: dict[str, dict[str, str]], wards: dict[str, str]
) -> dict[str, Any]:
    return {
        "submission": submission,
        "topic_label": labels["topics"].get(submission.topic, submission.topic),
        "ward": wards.get(submission.ward_code, submission.ward_code),
        "grade": submission_grade(submission),
    }


@role_required(*RECEIVER_ROLES)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The submissions routed to the user's designations, newest first; no content."""
    require_receiver(request)
    form = QueueFilterForm(request.GET or None, topics=receiver_topics(user=request.user))
    submissions = routed_submissions(user=request.user)
    status = 200
    filters: dict[str, str] = {}
    if form.is_bound:
        if form.is_valid():
            filters = {name: value for name, value in form.cleaned_data.items() if value}
        else:
            status = 400
            submissions = submissions.none()
    if "status" not in filters:
        submissions = submissions.exclude(status=SubmissionStatus.DELETED)
    submissions = submissions.filter(**filters)
    page = Paginator(submissions.order_by("-submitted_at", "-id"), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    labels, wards = _labels(), ward_names()
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "intelligence/handling/queue.html",
        {
            "form": form,
            "page": page,
            "rows": [_row(submission, labels, wards) for submission in page.object_list],
            "total": page.paginator.count,
            "query": query.urlencode(),
        },
        status=status,
    )


def _submission_or_404(reference: str) -> IntelligenceSubmission:
    return get_object_or_404(
        IntelligenceSubmission.objects.select_related("organisation", "submitted_by"),
        reference=reference,
    )


def _gradings(submission: IntelligenceSubmission) -> list[dict[str, Any]]:
    return [
        {
            "grading": grading,
            "grade": grade_text(
                source_evaluation=grading.source_evaluation,
                intelligence_assessment=grading.intelligence_assessment,
                handling_code=grading.handling_code,
            ),
            "conditions": decrypt(grading.encrypted_handling_conditions),
            "reason": decrypt(grading.encrypted_reason),
        }
        for grading in submission.gradings.select_related("graded_by")
    ]


def _copy_view(copy: SanitisedCopy) -> dict[str, Any]:
    """A copy's content for the page, with each kept subject field named by its label."""
    content = copy_content(copy=copy)
    config = core_gateway.intelligence_config()
    subjects = []
    for subject in content.get("subjects", []):
        try:
            labels = {item.id: item.label for item in config.subject_kind(subject["kind"]).fields}
        except KeyError:
            labels = {}
        subjects.append(
            {
                "kind_label": subject["kind_label"],
                "details": [
                    (labels.get(name, name), text) for name, text in subject["details"].items()
                ],
            }
        )
    return {"copy": copy, "content": content, "subjects": subjects}


def _receiver_context(submission: IntelligenceSubmission, **bound: Any) -> dict[str, Any]:
    original = original_content(submission=submission)
    places = boundary_places()
    forms: dict[str, Any] = {
        "regrade_form": RegradeForm(
            initial={
                "source_evaluation": submission.source_evaluation,
                "intelligence_assessment": submission.intelligence_assessment,
                "handling_code": submission.handling_code,
                "handling_conditions": original.handling_conditions,
            }
        ),
        "sanitise_form": SanitiseForm(original=original),
        "action_form": LinkActionForm(),
        "place_form": LinkPlaceForm(),
        "outcome_form": OutcomeForm(initial={"outcome": submission.outcome}),
    }
    forms.update(bound)
    return {
        "original": original,
        "gradings": _gradings(submission),
        "copies": [
            _copy_view(copy) for copy in submission.sanitised_copies.select_related("created_by")
        ],
        "action_links": submission.action_links.select_related("action", "linked_by"),
        "place_links": [
            {"link": link, "place": places.get(link.area_code)}
            for link in submission.place_links.select_related("linked_by")
        ],
        "outcome_note": decrypt(submission.encrypted_outcome_note),
        **forms,
    }


def _render_submission(
    request: HttpRequest,
    submission: IntelligenceSubmission,
    *,
    status: int = 200,
    **bound: Any,
) -> HttpResponse:
    """The submission's page for this user; showing its content writes one audit event."""
    labels = _labels()
    context: dict[str, Any] = {
        **_row(submission, labels, ward_names()),
        "labels": labels,
        "outcome_label": labels["outcomes"].get(submission.outcome, submission.outcome),
        "failed_form": next(iter(bound.values()), None),
        "refused": status >= 400,
        "grade_words": "; ".join(
            (
                labels["source_evaluation"].get(submission.source_evaluation, ""),
                labels["intelligence_assessment"].get(submission.intelligence_assessment, ""),
                labels["handling_codes"].get(submission.handling_code, ""),
            )
        ),
    }
    if submission.is_deleted:
        template = "intelligence/handling/deleted.html"
        detail = "submission page: deleted, no content shown"
    elif may_handle(user=request.user, submission=submission):
        template = "intelligence/handling/receiver.html"
        context.update(_receiver_context(submission, **bound))
        detail = "receiver's page: content, grading history, copies, links and outcome"
    else:
        template = "intelligence/handling/submitter.html"
        first = submission.gradings.filter(by_submitter=True).first()
        context.update(
            {
                "original": original_content(submission=submission),
                "own_grading": first,
                "own_grade": submission_grade(submission)
                if first is None
                else grade_text(
                    source_evaluation=first.source_evaluation,
                    intelligence_assessment=first.intelligence_assessment,
                    handling_code=first.handling_code,
                ),
                "own_conditions": decrypt(first.encrypted_handling_conditions) if first else "",
            }
        )
        detail = "submitter's page: their original, status and outcome"
    record_intelligence_event(
        request=request,
        action=AuditAction.VIEWED_INTELLIGENCE,
        submission=submission,
        detail=detail,
    )
    response = render(request, template, context, status=status)
    response["Cache-Control"] = NO_STORE
    return response


@role_required(*RECEIVER_ROLES)
@require_GET
def submission_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """One submission: its submitter sees their original; a routed receiver everything."""
    submission = _submission_or_404(reference)
    require_see(request, submission=submission)
    return _render_submission(request, submission)


def _handle(
    request: HttpRequest,
    reference: str,
    *,
    form_name: str,
    build: Callable[[IntelligenceSubmission], Any],
    act: Callable[[IntelligenceSubmission, Any], str],
) -> HttpResponse:
    submission = _submission_or_404(reference)
    require_handle(request, submission=submission)
    form = None if submission.is_deleted else build(submission)
    if form is not None and form.is_valid():
        try:
            done = act(submission, form)
        except HandlingError as error:
            place = getattr(form, "field_for", lambda name: name)(error.field_name)
            message = error.message[:1].upper() + error.message[1:]
            form.add_error(place if place in form.fields else None, message)
        else:
            messages.success(request, done)
            return redirect("intelligence:submission", reference=submission.reference)
    if form is None:
        return _render_submission(request, submission, status=400)
    submission.refresh_from_db()
    return _render_submission(request, submission, status=400, **{form_name: form})


@role_required(*RECEIVER_ROLES)
@require_POST
def submission_regrade(request: HttpRequest, reference: str) -> HttpResponse:
    """Re-grade the submission under the 3x5x2 model, with the reason."""

    def act(submission: IntelligenceSubmission, form: Any) -> str:
        data = form.cleaned_data
        regrade(
            submission=submission,
            source_evaluation=data["source_evaluation"],
            intelligence_assessment=data["intelligence_assessment"],
            handling_code=data["handling_code"],
            handling_conditions=data["handling_conditions"],
            reason=data["reason"],
            by=request.user,
            request=request,
        )
        return f"Re-graded {submission_grade(submission)}"

    return _handle(
        request,
        reference,
        form_name="regrade_form",
        build=lambda submission: RegradeForm(request.POST),
        act=act,
    )


@role_required(*RECEIVER_ROLES)
@require_POST
def submission_sanitise(request: HttpRequest, reference: str) -> HttpResponse:
    """Make a sanitised copy holding only the fields the receiver keeps."""

    def act(submission: IntelligenceSubmission, form: Any) -> str:
        copy = make_sanitised_copy(
            submission=submission, choice=form.choice(), by=request.user, request=request
        )
        return f"Sanitised copy {copy.pk} made"

    return _handle(
        request,
        reference,
        form_name="sanitise_form",
        build=lambda submission: SanitiseForm(
            request.POST, original=original_content(submission=submission)
        ),
        act=act,
    )


@role_required(*RECEIVER_ROLES)
@require_POST
def submission_link_action(request: HttpRequest, reference: str) -> HttpResponse:
    """Link the submission to an action of the current action plan."""

    def act(submission: IntelligenceSubmission, form: Any) -> str:
        action = form.cleaned_data["action"]
        link_action(submission=submission, action=action, by=request.user, request=request)
        return f"Linked to action {action.code}"

    return _handle(
        request,
        reference,
        form_name="action_form",
        build=lambda submission: LinkActionForm(request.POST),
        act=act,
    )


@role_required(*RECEIVER_ROLES)
@require_POST
def submission_link_place(request: HttpRequest, reference: str) -> HttpResponse:
    """Link the submission to a ward or LSOA of the published boundaries."""

    def act(submission: IntelligenceSubmission, form: Any) -> str:
        link = link_place(
            submission=submission,
            area_code=form.cleaned_data["area_code"],
            by=request.user,
            request=request,
        )
        place = boundary_places().get(link.area_code)
        return f"Linked to {place.label if place else link.area_code}"

    return _handle(
        request,
        reference,
        form_name="place_form",
        build=lambda submission: LinkPlaceForm(request.POST),
        act=act,
    )


@role_required(*RECEIVER_ROLES)
@require_POST
def submission_outcome(request: HttpRequest, reference: str) -> HttpResponse:
    """Record the outcome (and an optional note)."""

    def act(submission: IntelligenceSubmission, form: Any) -> str:
        record_outcome(
            submission=submission,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
            by=request.user,
            request=request,
        )
        return "Outcome recorded"

    return _handle(
        request,
        reference,
        form_name="outcome_form",
        build=lambda submission: OutcomeForm(request.POST),
        act=act,
    )


@role_required(*RECEIVER_ROLES)
@require_GET
def sanitised_export(
    request: HttpRequest, reference: str, copy_id: int, export_format: str
) -> HttpResponse:
    """A sanitised copy as CSV or JSON (only the fields it kept); audit-logged."""
    submission = _submission_or_404(reference)
    require_handle(request, submission=submission)
    if export_format not in EXPORT_TYPES:
        raise Http404("The sanitised copy can be downloaded as csv or json")
    if submission.is_deleted:
        raise Http404("The submission's content, and its sanitised copies, have been deleted")
    copy = get_object_or_404(submission.sanitised_copies, pk=copy_id)
    text = export_csv(copy=copy) if export_format == "csv" else export_json(copy=copy)
    record_intelligence_event(
        request=request,
        action=AuditAction.EXPORTED,
        submission=submission,
        detail=f"downloaded sanitised copy {copy.pk} as {export_format.upper()}",
    )
    response = HttpResponse(text, content_type=EXPORT_TYPES[export_format])
    response["Content-Disposition"] = (
        f'attachment; filename="{submission.reference}-sanitised-{copy.pk}.{export_format}"'
    )
    response["Cache-Control"] = NO_STORE
    response["X-Content-Type-Options"] = "nosniff"
    return response


@role_required(*RECEIVER_ROLES)
@require_GET
def submission_audit(request: HttpRequest, reference: str) -> HttpResponse:
    """Who saw, changed, exported this submission, or was refused it: its audit events."""
    submission = _submission_or_404(reference)
    require_handle(request, submission=submission)
    page_path = reverse("intelligence:submission", kwargs={"reference": submission.reference})
    events = (
        AuditEvent.objects.filter(
            Q(object_type=AUDIT_OBJECT_TYPE, object_id=submission.reference)
            | Q(action=AuditAction.PERMISSION_DENIED, path__startswith=page_path)
        )
        .select_related("organisation")
        .order_by("-occurred_at", "-id")
    )
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "intelligence/handling/audit.html",
        {"submission": submission, "page": page},
    )
