"""Partner intelligence for its submitters: the start page, the form, the grading guide, my list.

- ``/partners/intelligence/`` (any partner role): what the user can do here. Board members see
  only the de-identified counts and the grading guide.
- ``/partners/intelligence/new/...`` (staff who may submit): the Community Partnership
  Intelligence form, one question per page (``journey_submit.py``, ``forms_submit.py``), check
  answers, then :func:`~safecity_web.intelligence.submission.submit_intelligence`; a refusal of
  the service is shown on the page that asks the field it names.
- ``/partners/intelligence/grading/``: the 3x5x2 model explained, from ``intelligence.yaml``.
- ``/partners/intelligence/mine/``: the user's own submissions (no content: reference, topic,
  date, status).

Pages holding a draft are sent with ``Cache-Control: no-store``. The draft lives in the
session, encrypted (``journey_submit.store_draft``); submitting takes a PostgreSQL advisory lock
per user and re-reads the session from the database, so a double click or a resubmitted page
finds the draft already submitted and shows its confirmation instead of making a second one.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from safecity_web.accounts.models import PARTNER_ROLES, Role
from safecity_web.accounts.permissions import deny, role_required
from safecity_web.intelligence import access
from safecity_web.intelligence import forms_submit as pages
from safecity_web.intelligence.journey_submit import (
    DONE_SESSION_KEY,
    DRAFT_SESSION_KEY,
    FORM_STEPS,
    REJECTION_SESSION_KEY,
    SUBMITTED_SESSION_KEY,
    Draft,
    StepSlug,
    first_unanswered,
    forget_draft,
    has_draft,
    intelligence_draft,
    load_draft,
    mark_answered,
    rejection_for,
    remember_submitted,
    step_after,
    step_before,
    store_draft,
)
from safecity_web.intelligence.models import IntelligenceSubmission, SubmissionStatus
from safecity_web.intelligence.submission import (
    MAX_SUBJECTS,
    IntelligenceRejectedError,
    decrypt_json,
    submit_intelligence,
)

SUBMITTING_LOCK = 14_001
"""First key of the advisory lock taken while a user's draft is submitted (the second: user)."""

STEP_FORMS: dict[StepSlug, type[pages.StepForm]] = {
    StepSlug.TOPIC: pages.TopicForm,
    StepSlug.WHAT: pages.WhatForm,
    StepSlug.WHERE: pages.WhereForm,
    StepSlug.WHEN: pages.WhenForm,
    StepSlug.PROVENANCE: pages.ProvenanceForm,
    StepSlug.GRADING: pages.GradingForm,
}
SUMMARY_FORMS: dict[StepSlug, type[pages.StepForm]] = {
    **STEP_FORMS,
    StepSlug.SUBJECTS: pages.SubjectKindForm,
}

submitters = role_required(*access.SUBMIT_ROLES)
partnership = role_required(*PARTNER_ROLES)


def no_store(response: HttpResponse) -> HttpResponse:
    """Mark a page holding a draft's answers: no cache (browser or shared) keeps it."""
    response["Cache-Control"] = "no-store"
    return response


def step_url(slug: StepSlug | None, *, change: bool = False) -> str:
    """The URL of step ``slug`` (None: the check-answers page)."""
    if slug is None:
        return reverse("intelligence:submit-check")
    if slug is StepSlug.SUBJECTS:
        url = reverse("intelligence:submit-subjects")
    else:
        url = reverse("intelligence:submit-step", kwargs={"slug": slug.value})
    return url + "?change=1" if change else url


def _after(draft: Draft, slug: StepSlug, *, change: bool) -> str:
    """Where a saved answer leads: the next step, or back to check answers when changing."""
    if change:
        return step_url(first_unanswered(draft))
    return step_url(step_after(slug))


def _back(slug: StepSlug, *, change: bool) -> str:
    if change:
        return reverse("intelligence:submit-check")
    previous = step_before(slug)
    return step_url(previous) if previous is not None else reverse("intelligence:submit")


def _pending_rejection(request: HttpRequest, *, slug: StepSlug) -> tuple[str, str] | None:
    """A refusal of the service waiting to be shown on ``slug`` (input id, message)."""
    pending = request.session.get(REJECTION_SESSION_KEY)
    if not isinstance(pending, dict) or pending.get("step") != slug.value:
        return None
    request.session.pop(REJECTION_SESSION_KEY, None)
    return str(pending.get("input_id", "main-content")), str(pending.get("message", ""))


def _receiver_labels(topic: str) -> list[str]:
    settings_ = pages.config()
    labels = {receiver.id: receiver.label for receiver in settings_.receivers}
    return [labels[receiver] for receiver in settings_.topic(topic).routed_to]


@partnership
def home(request: HttpRequest) -> HttpResponse:
    """``/partners/intelligence/``: what this user can do with partner intelligence."""
    user: Any = request.user
    may_submit = access.may_submit(user=user)
    own = IntelligenceSubmission.objects.filter(submitted_by=user) if may_submit else None
    return render(
        request,
        "intelligence/home.html",
        {
            "may_submit": may_submit,
            "own_count": own.count() if own is not None else 0,
            "has_draft": may_submit and has_draft(request),
            "may_receive": access.may_receive(user=user),
            "may_designate": user.has_role(Role.ADMINISTRATOR),
            "is_board_member": user.has_role(Role.BOARD_MEMBER),
        },
    )


@partnership
def grading_guide(request: HttpRequest) -> HttpResponse:
    """``/partners/intelligence/grading/``: the 3x5x2 model, explained from the configuration."""
    settings_ = pages.config()
    return render(
        request,
        "intelligence/grading_guide.html",
        {
            "source_evaluation": settings_.source_evaluation,
            "intelligence_assessment": settings_.intelligence_assessment,
            "handling_codes": settings_.handling_codes,
        },
    )


@submitters
def mine(request: HttpRequest) -> HttpResponse:
    """``/partners/intelligence/mine/``: the user's own submissions (no content shown)."""
    topics = {topic.id: topic.label for topic in pages.config().topics}
    rows = [
        {
            "reference": submission.reference,
            "topic": topics.get(submission.topic, submission.topic),
            "submitted_at": submission.submitted_at,
            "status": SubmissionStatus(submission.status).label,
            "deleted": submission.status == SubmissionStatus.DELETED,
            "deleted_at": submission.deleted_at,
        }
        for submission in IntelligenceSubmission.objects.filter(submitted_by=request.user).order_by(
            "-submitted_at", "-pk"
        )
    ]
    return no_store(render(request, "intelligence/mine.html", {"rows": rows}))


@submitters
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """The form's start page: what it is for and who receives it; POST starts a new draft."""
    if request.method == "POST":
        forget_draft(request)
        return HttpResponseRedirect(step_url(StepSlug.TOPIC))
    draft = load_draft(request)
    settings_ = pages.config()
    labels = {receiver.id: receiver.label for receiver in settings_.receivers}
    topics = [
        {"label": topic.label, "receivers": [labels[r] for r in topic.routed_to]}
        for topic in settings_.topics
    ]
    return no_store(
        render(
            request,
            "intelligence/submit/start.html",
            {
                "has_draft": bool(draft.get("done")),
                "continue_url": step_url(first_unanswered(draft)),
                "first_step": step_url(StepSlug.TOPIC),
                "topics": topics,
            },
        )
    )


def _page(
    request: HttpRequest,
    *,
    slug: StepSlug,
    form: pages.StepForm,
    change: bool,
    rejection: tuple[str, str] | None = None,
    status: int = 200,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    error_links = form.error_links() if form.is_bound else []
    if rejection is not None:
        error_links.append(rejection)
    context = {
        "form": form,
        "title": form.heading,
        "error_links": error_links,
        "rejection": rejection[1] if rejection else "",
        "back_url": _back(slug, change=change),
        "action": step_url(slug, change=change),
        "step": slug.value,
        **(extra or {}),
    }
    return no_store(render(request, form.template, context, status=status))


@submitters
@require_http_methods(["GET", "POST"])
def step_page(request: HttpRequest, *, slug: str) -> HttpResponse:
    """One question page: show it with the answer so far; save a valid answer and move on."""
    try:
        step = StepSlug(slug)
    except ValueError as error:
        raise Http404("no such question") from error
    if step not in FORM_STEPS:
        return HttpResponseRedirect(step_url(step))
    change = request.GET.get("change") == "1"
    draft = load_draft(request)
    form_class = STEP_FORMS[step]
    if request.method == "POST":
        form = form_class(request.POST, draft=draft)
        if not form.is_valid():
            return _page(request, slug=step, form=form, change=change, status=400)
        form.save(draft)
        mark_answered(draft, slug=step)
        store_draft(request, draft=draft)
        return HttpResponseRedirect(_after(draft, step, change=change))
    form = form_class(initial=form_class.initial_from(draft), draft=draft)
    rejection = _pending_rejection(request, slug=step)
    return _page(request, slug=step, form=form, change=change, rejection=rejection)


def _subject_rows(draft: Draft) -> list[dict[str, Any]]:
    return [
        {
            "position": position,
            "number": position + 1,
            "heading": f"{pages.subject_heading(subject['kind'])} {position + 1}",
            "text": pages.subject_text(subject),
            "change": reverse("intelligence:submit-subject", kwargs={"position": position}),
            "remove": reverse("intelligence:submit-subject-remove", kwargs={"position": position}),
        }
        for position, subject in enumerate(draft.get("subjects", []))
    ]


@submitters
@require_http_methods(["GET", "POST"])
def subjects_page(request: HttpRequest) -> HttpResponse:
    """About whom or what: the subjects added so far, add another, remove, continue.

    Adding is a round trip: choose the kind here (POST ``action=add``), fill in its page, come
    back here. ``action=continue`` moves on (no subjects is an answer: "not about anyone").
    """
    change = request.GET.get("change") == "1"
    draft = load_draft(request)
    form = pages.SubjectKindForm(draft=draft)
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "continue":
            mark_answered(draft, slug=StepSlug.SUBJECTS)
            store_draft(request, draft=draft)
            return HttpResponseRedirect(_after(draft, StepSlug.SUBJECTS, change=change))
        form = pages.SubjectKindForm(request.POST, draft=draft)
        if form.is_valid():
            url = reverse(
                "intelligence:submit-subject-add", kwargs={"kind": form.cleaned_data["kind"]}
            )
            return HttpResponseRedirect(url + ("?change=1" if change else ""))
        status = 400
    rejection = _pending_rejection(request, slug=StepSlug.SUBJECTS)
    error_links = form.error_links() if form.is_bound else []
    if rejection is not None:
        error_links.append(rejection)
    return no_store(
        render(
            request,
            "intelligence/submit/subjects.html",
            {
                "form": form,
                "title": "Who or what is it about?",
                "subjects": _subject_rows(draft),
                "kind_options": form.options("kind"),
                "error_links": error_links,
                "rejection": rejection[1] if rejection else "",
                "back_url": _back(StepSlug.SUBJECTS, change=change),
                "action": step_url(StepSlug.SUBJECTS, change=change),
                "at_most": len(draft.get("subjects", [])) >= MAX_SUBJECTS,
            },
            status=status,
        )
    )


def _subject_form_page(
    request: HttpRequest, *, kind: str, position: int | None, draft: Draft
) -> HttpResponse:
    change = request.GET.get("change") == "1"
    back = step_url(StepSlug.SUBJECTS, change=change)
    if position is None:
        action = reverse("intelligence:submit-subject-add", kwargs={"kind": kind})
    else:
        action = reverse("intelligence:submit-subject", kwargs={"position": position})
    action += "?change=1" if change else ""
    if request.method == "POST":
        form = pages.SubjectForm(request.POST, draft=draft, kind=kind)
        if form.is_valid():
            subjects = list(draft.get("subjects", []))
            entry = {"kind": kind, "details": form.details()}
            if position is None:
                if len(subjects) >= MAX_SUBJECTS:
                    return HttpResponseRedirect(back)
                subjects.append(entry)
            else:
                subjects[position] = entry
            draft["subjects"] = subjects
            store_draft(request, draft=draft)
            return HttpResponseRedirect(back)
        status = 400
    else:
        initial = dict(draft["subjects"][position]["details"]) if position is not None else {}
        form = pages.SubjectForm(initial=initial, draft=draft, kind=kind)
        status = 200
    return no_store(
        render(
            request,
            form.template,
            {
                "form": form,
                "title": form.title,
                "error_links": form.error_links() if form.is_bound else [],
                "back_url": back,
                "action": action,
                "adding": position is None,
            },
            status=status,
        )
    )


@submitters
@require_http_methods(["GET", "POST"])
def subject_add(request: HttpRequest, *, kind: str) -> HttpResponse:
    """Add a person, vehicle, premises or place (its structured fields)."""
    try:
        pages.config().subject_kind(kind)
    except KeyError as error:
        raise Http404("no such kind of subject") from error
    return _subject_form_page(request, kind=kind, position=None, draft=load_draft(request))


@submitters
@require_http_methods(["GET", "POST"])
def subject_change(request: HttpRequest, *, position: int) -> HttpResponse:
    """Change a subject already added (none at ``position``: back to the list)."""
    draft = load_draft(request)
    subjects = draft.get("subjects", [])
    if position >= len(subjects):
        return HttpResponseRedirect(step_url(StepSlug.SUBJECTS))
    return _subject_form_page(
        request, kind=str(subjects[position]["kind"]), position=position, draft=draft
    )


@submitters
@require_POST
def subject_remove(request: HttpRequest, *, position: int) -> HttpResponse:
    """Remove a subject from the draft and go back to the list."""
    draft = load_draft(request)
    subjects = list(draft.get("subjects", []))
    if position < len(subjects):
        del subjects[position]
        draft["subjects"] = subjects
        store_draft(request, draft=draft)
    change = request.GET.get("change") == "1"
    return HttpResponseRedirect(step_url(StepSlug.SUBJECTS, change=change))


def _check_rows(draft: Draft) -> list[dict[str, str]]:
    rows = []
    for slug in StepSlug:
        for label, value in SUMMARY_FORMS[slug].summary(draft):
            rows.append({"label": label, "value": value, "change": step_url(slug, change=True)})
    return rows


def _fresh_session(request: HttpRequest) -> dict[str, Any]:
    """The session as it is in the store now (another request may have changed it)."""
    key = request.session.session_key
    if key is None:
        return dict(request.session.items())
    engine: Any = import_module(settings.SESSION_ENGINE)
    stored: dict[str, Any] = engine.SessionStore(session_key=key).load()
    return stored


def _done_redirect(request: HttpRequest, *, reference: str) -> HttpResponse:
    request.session[DONE_SESSION_KEY] = reference
    return HttpResponseRedirect(reverse("intelligence:submit-done"))


@submitters
@require_http_methods(["GET", "POST"])
def check_page(request: HttpRequest) -> HttpResponse:
    """Check answers, then submit through ``submit_intelligence`` (never twice per draft)."""
    if request.method == "POST":
        return _submit(request)
    draft = load_draft(request)
    unanswered = first_unanswered(draft)
    if unanswered is not None:
        return HttpResponseRedirect(step_url(unanswered))
    return no_store(
        render(
            request,
            "intelligence/submit/check.html",
            _check_context(draft, error=""),
        )
    )


def _check_context(draft: Draft, *, error: str) -> dict[str, Any]:
    return {
        "rows": _check_rows(draft),
        "receivers": _receiver_labels(str(draft["topic"])),
        "draft_id": draft["id"],
        "back_url": step_url(StepSlug.GRADING),
        "action": reverse("intelligence:submit-check"),
        "error": error,
    }


def _submit(request: HttpRequest) -> HttpResponse:
    form = pages.CheckForm(request.POST)
    if not form.is_valid():
        current = load_draft(request)
        if first_unanswered(current) is not None:
            return HttpResponseRedirect(step_url(first_unanswered(current)))
        context = _check_context(current, error="Submit the form from this page")
        return no_store(render(request, "intelligence/submit/check.html", context, status=400))
    draft_id = form.cleaned_data["draft_id"]
    user: Any = request.user
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [SUBMITTING_LOCK, user.pk])
        fresh = _fresh_session(request)
        request.session.clear()
        request.session.update(fresh)
        already = dict(request.session.get(SUBMITTED_SESSION_KEY) or {}).get(draft_id)
        if already:
            return _done_redirect(request, reference=str(already))
        token = request.session.get(DRAFT_SESSION_KEY)
        stored = decrypt_json(token) if isinstance(token, str) and token else None
        draft: Draft = stored if isinstance(stored, dict) else {}
        if draft.get("id") != draft_id:
            return HttpResponseRedirect(reverse("intelligence:submit"))
        unanswered = first_unanswered(draft)
        if unanswered is not None:
            return HttpResponseRedirect(step_url(unanswered))
        try:
            submission = submit_intelligence(
                draft=intelligence_draft(draft), submitted_by=request.user
            )
        except PermissionError as error:
            raise deny(request, reason=f"{request.path}: {error}") from error
        except IntelligenceRejectedError as error:
            rejection = rejection_for(field_name=error.field_name, message=error.message)
            if rejection is None:
                message = error.message[:1].upper() + error.message[1:]
                context = _check_context(draft, error=message)
                return no_store(
                    render(request, "intelligence/submit/check.html", context, status=400)
                )
            request.session[REJECTION_SESSION_KEY] = {
                "step": rejection.step.value,
                "input_id": rejection.input_id,
                "message": rejection.message,
            }
            return HttpResponseRedirect(step_url(rejection.step, change=True))
        request.session[SUBMITTED_SESSION_KEY] = remember_submitted(
            request.session, draft_id=draft_id, reference=submission.reference
        )
        forget_draft(request)
        response = _done_redirect(request, reference=submission.reference)
        request.session.save()
    return response


@submitters
def done_page(request: HttpRequest) -> HttpResponse:
    """The confirmation: the reference, who receives it (by role, never by name), what next."""
    reference = request.session.get(DONE_SESSION_KEY)
    submission = (
        IntelligenceSubmission.objects.filter(
            reference=reference, submitted_by=request.user
        ).first()
        if isinstance(reference, str)
        else None
    )
    if submission is None:
        return HttpResponseRedirect(reverse("intelligence:mine"))
    return no_store(
        render(
            request,
            "intelligence/submit/done.html",
            {
                "reference": submission.reference,
                "topic": pages.config().topic(submission.topic).label,
                "receivers": _receiver_labels(submission.topic),
                "review_due": submission.review_due,
            },
        )
    )
