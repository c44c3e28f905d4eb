"""The report journeys' pages: start, one question per page, check answers, confirmation, status.

One set of views serves the three journeys of ``journey.py`` (public, reporting centre,
business); the journey comes from the URL. The public journey and the status page need no
account; the reporting-centre and business journeys need a signed-in user of the right role in
an organisation of the right kind (every refusal is audit-logged by ``deny``).

Pages that hold a reporter's answers or a private status token are sent with
``Cache-Control: no-store``; the pages showing a token without a form (confirmation, status)
also with ``Referrer-Policy: no-referrer`` (see :func:`private`). The ``reporting`` namespace
is not one of the public page cache's URL families (``public_cache.UrlFamily``), so none of
these pages is ever kept there.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from safecity_web.accounts.audit import record_event
from safecity_web.accounts.models import AuditAction, Organisation, OrganisationKind, Role
from safecity_web.accounts.permissions import deny
from safecity_web.reporting import abuse
from safecity_web.reporting.anonymising import AnonymisingReason, anonymise_report
from safecity_web.reporting.forms_public import CheckForm, JourneyForm, config
from safecity_web.reporting.journey import (
    JOURNEYS,
    Journey,
    JourneyId,
    Step,
    forget_draft,
    load_draft,
    mark_answered,
    store_draft,
)
from safecity_web.reporting.models import CommunityReport, Moderation, ReportStatus
from safecity_web.reporting.places import map_outlines
from safecity_web.reporting.submission import (
    SubmissionRejectedError,
    normalised_reference,
    submit_report,
    token_hash,
)

MAX_TOKEN_LENGTH = 64
ACCESS = {
    JourneyId.CENTRE: (Role.REPORTING_CENTRE_WORKER, OrganisationKind.REPORTING_CENTRE),
    JourneyId.BUSINESS: (Role.BUSINESS_MEMBER, OrganisationKind.BUSINESS),
}
"""Who may use the signed-in journeys: the role and the kind of their organisation."""
OWN_REPORTS_PATH = {JourneyId.CENTRE: "/report/centre/", JourneyId.BUSINESS: "/report/business/"}


def no_store(response: HttpResponse) -> HttpResponse:
    """Mark a page holding a reporter's answers: no cache (browser or shared) keeps it."""
    response["Cache-Control"] = "no-store"
    return response


def private(response: HttpResponse) -> HttpResponse:
    """Mark a page showing a status token: not kept by any cache, and no link passes it on.

    Only for pages without a form: under ``no-referrer`` a browser sends ``Origin: null`` with
    a form's POST (Fetch standard, "append a request Origin header"), which CSRF protection
    must refuse. Pages with a form keep the site's ``same-origin`` policy, which never sends
    the address (nor its token) to another site either.
    """
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _journey(journey_id: str) -> Journey:
    try:
        return JOURNEYS[JourneyId(journey_id)]
    except ValueError as error:
        raise Http404("no such journey") from error


def _refused(request: HttpRequest, *, journey: Journey) -> HttpResponse | None:
    """None when the user may use the journey; otherwise the sign-in redirect (or 403 raised)."""
    if journey.id not in ACCESS:
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    role, organisation_kind = ACCESS[journey.id]
    user: Any = request.user
    organisation: Organisation | None = user.organisation
    if not user.has_role(role):
        raise deny(request, reason=f"{request.path}: needs the role {role.label}")
    if organisation is None or organisation.kind != organisation_kind:
        raise deny(
            request,
            reason=f"{request.path}: needs an organisation of kind {organisation_kind.label}",
        )
    if journey.id is JourneyId.BUSINESS and not organisation.scheme_memberships.exists():
        raise deny(request, reason=f"{request.path}: the business is in no business crime scheme")
    return None


def _url(journey: Journey, name: str, **kwargs: Any) -> str:
    return reverse(f"reporting:{journey.id.value}-{name}", kwargs=kwargs or None)


def _step_url(journey: Journey, step: Step | None, *, change: bool = False) -> str:
    if step is None:
        return _url(journey, "check")
    url = _url(journey, "step", slug=step.slug)
    return url + "?change=1" if change else url


def start(request: HttpRequest) -> HttpResponse:
    """``/report/``: signposting first (999, 101, the police online), then how reporting works."""
    return render(
        request,
        "reporting/public_start.html",
        {
            "first_step": _step_url(
                JOURNEYS[JourneyId.PUBLIC], JOURNEYS[JourneyId.PUBLIC].steps[0]
            ),
            "kinds": [kind for kind in config().kinds if kind.id != "business"],
        },
    )


def journey_start(request: HttpRequest, *, journey_id: str) -> HttpResponse:
    """The signed-in journeys' start pages (``/report/centre/new/``, ``/report/business/new/``)."""
    journey = _journey(journey_id)
    refused = _refused(request, journey=journey)
    if refused is not None:
        return refused
    forget_draft(request, journey=journey)
    return no_store(
        render(
            request,
            f"reporting/journey_start_{journey.id.value}.html",
            {
                "journey": journey,
                "first_step": _step_url(journey, journey.steps[0]),
                "own_reports": OWN_REPORTS_PATH.get(journey.id, ""),
            },
        )
    )


def _page(
    request: HttpRequest,
    *,
    journey: Journey,
    step: Step,
    form: JourneyForm,
    draft: dict[str, Any],
    change: bool,
    rejection: str = "",
    status: int = 200,
) -> HttpResponse:
    error_links = form.error_links() if form.is_bound else []
    if rejection:
        error_links.append((form.first_input_id(), rejection))
    previous = journey.before(draft, slug=step.slug)
    if change:
        back = _url(journey, "check")
    elif previous is not None:
        back = _step_url(journey, previous)
    else:
        back = (
            reverse("reporting:start") if journey.id is JourneyId.PUBLIC else _url(journey, "start")
        )
    context = {
        "journey": journey,
        "step": step,
        "form": form,
        "title": form.title(journey.audience),
        "error_links": error_links,
        "rejection": rejection,
        "back_url": back,
        "action": _step_url(journey, step, change=change),
        "audience": journey.audience.value,
        "map_outlines": map_outlines() if step.slug == "where" else None,
    }
    return no_store(render(request, form.template, context, status=status))


@require_http_methods(["GET", "POST"])
def step_page(request: HttpRequest, *, journey_id: str, slug: str) -> HttpResponse:
    """One question page: show it with the answer so far; save a valid answer and move on."""
    journey = _journey(journey_id)
    refused = _refused(request, journey=journey)
    if refused is not None:
        return refused
    step = journey.step(slug)
    if step is None:
        raise Http404("no such question")
    draft = load_draft(request, journey=journey)
    applicable = journey.applicable(draft)
    unanswered = journey.first_unanswered(draft)
    if step not in applicable:
        return HttpResponseRedirect(_step_url(journey, unanswered))
    if unanswered is not None and applicable.index(unanswered) < applicable.index(step):
        return HttpResponseRedirect(_step_url(journey, unanswered))
    change = request.GET.get("change") == "1"
    if request.method == "POST":
        form = step.form(request.POST, request.FILES, draft=draft, audience=journey.audience)
        if not form.is_valid():
            return _page(request, journey=journey, step=step, form=form, draft=draft, change=change)
        form.save(draft)
        mark_answered(draft, slug=step.slug)
        store_draft(request, journey=journey, draft=draft)
        following = (
            journey.first_unanswered(draft) if change else journey.after(draft, slug=step.slug)
        )
        return HttpResponseRedirect(_step_url(journey, following))
    rejection = ""
    pending = request.session.pop(f"{journey.session_key}-rejected", None)
    if isinstance(pending, dict) and pending.get("step") == step.slug:
        rejection = str(pending.get("message", ""))
    form = step.form(initial=step.form.initial_from(draft), draft=draft, audience=journey.audience)
    return _page(
        request,
        journey=journey,
        step=step,
        form=form,
        draft=draft,
        change=change,
        rejection=rejection,
    )


def _check_rows(journey: Journey, draft: dict[str, Any]) -> list[dict[str, str]]:
    rows = []
    for step in journey.applicable(draft):
        for label, value in step.form.summary(draft, journey.audience):
            rows.append(
                {"label": label, "value": value, "change": _step_url(journey, step, change=True)}
            )
    return rows


@require_http_methods(["GET", "POST"])
def check_page(request: HttpRequest, *, journey_id: str) -> HttpResponse:
    """Check your answers, then submit (rate limits, honeypot, then ``submit_report``)."""
    journey = _journey(journey_id)
    refused = _refused(request, journey=journey)
    if refused is not None:
        return refused
    draft = load_draft(request, journey=journey)
    unanswered = journey.first_unanswered(draft)
    if unanswered is not None:
        return HttpResponseRedirect(_step_url(journey, unanswered))
    context: dict[str, Any] = {
        "journey": journey,
        "rows": _check_rows(journey, draft),
        "back_url": _step_url(journey, journey.applicable(draft)[-1]),
        "action": _url(journey, "check"),
        "honeypot": abuse.HONEYPOT_FIELD,
        "error": "",
    }
    if request.method == "GET":
        return no_store(render(request, "reporting/journey_check.html", context))
    form = CheckForm(request.POST)
    form.is_valid()
    over = abuse.submission_refused(request, per_address=journey.id is JourneyId.PUBLIC)
    if over is not None:
        response = render(
            request,
            "reporting/public_too_many.html",
            {"refusal": over, "minutes": max(1, (over.retry_after_seconds + 59) // 60)},
            status=429,
        )
        response["Retry-After"] = str(over.retry_after_seconds)
        return no_store(response)
    spam = abuse.honeypot_filled(value=str(form.cleaned_data.get(abuse.HONEYPOT_FIELD, "")))
    organisation = None if journey.id is JourneyId.PUBLIC else request.user.organisation  # type: ignore[union-attr]
    try:
        report_draft = journey.report_draft(draft)
        with transaction.atomic():
            submitted = submit_report(
                draft=report_draft,
                channel=journey.channel,
                submitted_by=None if journey.id is JourneyId.PUBLIC else request.user,
                organisation=organisation,
            )
            if spam:
                CommunityReport.objects.filter(pk=submitted.report.pk).update(
                    moderation=Moderation.REJECTED
                )
                record_event(
                    request=request,
                    action=AuditAction.EDITED,
                    subject=submitted.report,
                    detail="moderation rejected: the hidden honeypot field was filled",
                )
    except SubmissionRejectedError as error:
        step = journey.step_for_field(error.field_name)
        message = error.message[0].upper() + error.message[1:]
        if step is None or not step.applies(draft):
            context["error"] = message
            return no_store(render(request, "reporting/journey_check.html", context, status=400))
        request.session[f"{journey.session_key}-rejected"] = {
            "step": step.slug,
            "message": message,
        }
        return HttpResponseRedirect(_step_url(journey, step, change=True))
    forget_draft(request, journey=journey)
    request.session[f"{journey.session_key}-done"] = {
        "reference": submitted.report.reference,
        "token": submitted.status_token,
    }
    return HttpResponseRedirect(_url(journey, "done"))


def done_page(request: HttpRequest, *, journey_id: str) -> HttpResponse:
    """The confirmation: reference and private status link, shown this once."""
    journey = _journey(journey_id)
    refused = _refused(request, journey=journey)
    if refused is not None:
        return refused
    done = request.session.pop(f"{journey.session_key}-done", None)
    if not isinstance(done, dict):
        first = (
            reverse("reporting:start") if journey.id is JourneyId.PUBLIC else _url(journey, "start")
        )
        return HttpResponseRedirect(first)
    status_path = reverse("reporting:status", kwargs={"token": done["token"]})
    return private(
        render(
            request,
            "reporting/journey_done.html",
            {
                "journey": journey,
                "reference": done["reference"],
                "status_url": request.build_absolute_uri(status_path),
                "own_reports": OWN_REPORTS_PATH.get(journey.id, ""),
            },
        )
    )


def _report_for(token: str) -> CommunityReport:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise Http404("no such report")
    report = CommunityReport.objects.filter(status_token_hash=token_hash(token)).first()
    if report is None:
        raise Http404("no such report")
    return report


def status_page(request: HttpRequest, *, token: str) -> HttpResponse:
    """``/report/status/<token>/``: the report's status, history and outcome (no personal data)."""
    report = _report_for(token)
    try:
        kind = config().kind(report.kind)
        kind_label = kind.label
        category = kind.category(report.category).label
    except KeyError:  # a kind or category the partnership has since removed from its list
        kind_label, category = report.kind.replace("_", " ").capitalize(), ""
    return private(
        render(
            request,
            "reporting/public_status.html",
            {
                "report": report,
                "kind_label": kind_label,
                "category_label": category,
                "status_label": ReportStatus(report.status).label,
                "events": [
                    {
                        "when": event.occurred_at,
                        "status": ReportStatus(event.status).label,
                        "text": event.public_text,
                    }
                    for event in report.events.all()
                ],
                "token": token,
            },
        )
    )


@require_http_methods(["GET", "POST"])
def erase_page(request: HttpRequest, *, token: str) -> HttpResponse:
    """Delete my personal details: a confirmation page, then ``anonymise_report`` on POST."""
    report = _report_for(token)
    status_url = reverse("reporting:status", kwargs={"token": token})
    if report.anonymised_at is not None:
        return private(HttpResponseRedirect(status_url))
    if request.method == "POST":
        anonymise_report(report=report, reason=AnonymisingReason.ERASURE_REQUEST)
        return private(HttpResponseRedirect(status_url))
    return no_store(
        render(
            request,
            "reporting/public_erase.html",
            {"report": report, "status_url": status_url, "token": token},
        )
    )


def find_page(request: HttpRequest) -> HttpResponse:
    """``/report/find/``: what to do with a reference; never says whether a report exists.

    A report is only shown to whoever holds its private link, so a reference typed here gets
    the same answer whether or not it is one (nothing can be learned by trying references).
    """
    typed = request.GET.get("reference", "")
    reference = normalised_reference(typed) if typed else ""
    error = ""
    if typed and not reference:
        error = "Enter a reference like SC-7K3M-Q9TB (SC, then 8 letters and numbers)"
    return no_store(
        render(
            request,
            "reporting/public_find.html",
            {"typed": typed[:40], "reference": reference, "error": error},
            status=400 if error else 200,
        )
    )
