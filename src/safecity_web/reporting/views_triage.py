"""The partnership's triage pages: the queue, one report and its actions, subject access, export.

Who may see what is :mod:`safecity_web.reporting.access`; what each action does is
:mod:`safecity_web.reporting.triage`. Every page that shows a report's personal data (the
report page, an attachment, a subject-access download) writes one audit event.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safecity_web import core_gateway
from safecity_web.accounts.models import AuditAction
from safecity_web.accounts.permissions import role_required
from safecity_web.encryption import Purpose, decrypt_bytes, decrypt_text
from safecity_web.observatory.models import AssessmentStatus, PublishedAssessment
from safecity_web.reporting.access import (
    EXPORT_ROLES,
    TRIAGE_ROLES,
    duty_holders,
    record_report_event,
    require_report,
    require_triage,
    visible_kinds,
    visible_reports,
)
from safecity_web.reporting.anonymising import AnonymisingReason, anonymise_report
from safecity_web.reporting.export import ExportPeriodError, export_text, parse_month
from safecity_web.reporting.forms_triage import (
    AssignForm,
    EraseForm,
    ModerateForm,
    NoteForm,
    OutcomeForm,
    QueueFilterForm,
    ReferForm,
    StatusForm,
    SubjectAccessForm,
    SubjectAccessRequest,
)
from safecity_web.reporting.models import (
    CommunityReport,
    Moderation,
    ReportAttachment,
    ReportStatus,
)
from safecity_web.reporting.subject_access import subject_access_document
from safecity_web.reporting.submission import current_boundaries
from safecity_web.reporting.triage import (
    TriageError,
    add_note,
    assign_report,
    change_status,
    moderate_report,
    record_outcome,
    refer_to_police,
)

QUEUE_PAGE_SIZE = 50
NO_STORE = "no-store, private"
EXPORT_OBJECT_TYPE = "community_reports_export"


def _labels() -> dict[str, dict[str, str]]:
    config = core_gateway.community_reports_config()
    categories = {
        (kind.id, category.id): category.label
        for kind in config.kinds
        for category in kind.categories
    }
    return {
        "kinds": {kind.id: kind.label for kind in config.kinds},
        "categories": {
            f"{kind}/{category}": label for (kind, category), label in categories.items()
        },
        "strands": {strand.id: strand.label for strand in config.strands},
    }


_WARD_NAMES: dict[int, dict[str, str]] = {}


def _ward_names() -> dict[str, str]:
    """Ward names by code from the published boundaries (kept per published assessment)."""
    published = (
        PublishedAssessment.objects.filter(
            status=AssessmentStatus.PUBLISHED, boundaries__isnull=False
        )
        .order_by("-published_at", "-id")
        .values_list("id", flat=True)
        .first()
    )
    if published is None:
        return {}
    if published not in _WARD_NAMES:
        boundaries = current_boundaries()
        names = {}
        for feature in (boundaries[1] if boundaries else {}).get("features", []):
            properties = feature.get("properties") or {}
            if properties.get("area_level") == "ward":
                names[str(properties.get("area_code"))] = str(properties.get("area_name", ""))
        _WARD_NAMES.clear()
        _WARD_NAMES[published] = names
    return _WARD_NAMES[published]


def _row(
    report: CommunityReport, labels: dict[str, dict[str, str]], wards: dict[str, str]
) -> dict[str, Any]:
    return {
        "report": report,
        "kind_label": labels["kinds"].get(report.kind, report.kind),
        "category_label": labels["categories"].get(
            f"{report.kind}/{report.category}", report.category
        ),
        "strand_labels": [labels["strands"].get(strand, strand) for strand in report.strands],
        "ward": wards.get(report.ward_code, report.ward_code),
    }


@role_required(*TRIAGE_ROLES)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The reports routed to the user's duties, newest first, filtered; no personal data."""
    require_triage(request)
    kinds = visible_kinds(user=request.user)
    form = QueueFilterForm(request.GET or None, kinds=kinds)
    reports = visible_reports(user=request.user).select_related("assigned_to")
    status = 200
    if form.is_bound:
        if form.is_valid():
            filters = form.cleaned_data
            if filters["status"]:
                reports = reports.filter(status=filters["status"])
            if filters["kind"]:
                reports = reports.filter(kind=filters["kind"])
            if filters["moderation"]:
                reports = reports.filter(moderation=filters["moderation"])
            if filters["mine"]:
                reports = reports.filter(assigned_to=request.user)
        else:
            status = 400
            reports = reports.none()
    page = Paginator(reports.order_by("-received_at", "-id"), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    labels, wards = _labels(), _ward_names()
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reporting/triage_queue.html",
        {
            "form": form,
            "page": page,
            "rows": [_row(report, labels, wards) for report in page.object_list],
            "total": page.paginator.count,
            "query": query.urlencode(),
            "may_export": request.user.has_role(*EXPORT_ROLES),  # type: ignore[union-attr]
        },
        status=status,
    )


def _report_or_404(request: HttpRequest, reference: str) -> CommunityReport:
    report = get_object_or_404(
        CommunityReport.objects.select_related("organisation", "assigned_to", "duplicate_of"),
        reference=reference,
    )
    require_report(request, report=report)
    return report


def _personal_data(report: CommunityReport) -> dict[str, Any]:
    def plain(token: str) -> str:
        return decrypt_text(token, purpose=Purpose.PERSONAL_DATA)

    return {
        "description": plain(report.encrypted_description),
        "targeted": plain(report.encrypted_targeted),
        "contact": plain(report.encrypted_contact) if report.contact_consent else "",
        "offender_description": plain(report.encrypted_offender_description),
        "victim_consent": sorted(report.victim_consent.items()),
        "attachments": list(report.attachments.defer("encrypted_content")),
        "notes": [
            {"note": note, "text": plain(note.encrypted_text)}
            for note in report.notes.select_related("author")
        ],
    }


def _forms(report: CommunityReport, **bound: Any) -> dict[str, Any]:
    holders = list(duty_holders(kind=report.kind))
    forms = {
        "assign_form": AssignForm(
            initial={"assignee": str(report.assigned_to_id or "")}, holders=holders
        ),
        "status_form": StatusForm(),
        "note_form": NoteForm(),
        "refer_form": ReferForm(initial={"police_reference": report.police_reference}),
        "outcome_form": OutcomeForm(initial={"outcome": report.outcome}),
        "moderate_form": ModerateForm(report=report),
        "erase_form": EraseForm(),
    }
    forms.update(bound)
    return forms


def _render_report(
    request: HttpRequest, report: CommunityReport, *, status: int = 200, **bound: Any
) -> HttpResponse:
    """The report page; showing its personal data writes one audit event."""
    context: dict[str, Any] = {
        **_row(report, _labels(), _ward_names()),
        "events": report.events.select_related("by"),
        "anonymised": report.anonymised_at is not None,
        "failed_form": next(iter(bound.values()), None),
        **_forms(report, **bound),
    }
    if report.anonymised_at is None:
        context["personal"] = _personal_data(report)
        record_report_event(
            request=request,
            action=AuditAction.VIEWED_PERSONAL_DATA,
            reference=report.reference,
            detail="report page",
        )
    response = render(request, "reporting/triage_report.html", context, status=status)
    response["Cache-Control"] = NO_STORE
    return response


@role_required(*TRIAGE_ROLES)
@require_GET
def report_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """One report: its de-identified fields, its personal data (audit-logged), its actions."""
    return _render_report(request, _report_or_404(request, reference))


@role_required(*TRIAGE_ROLES)
@require_GET
def report_attachment(request: HttpRequest, reference: str, attachment_id: int) -> HttpResponse:
    """An attachment's image, as a download that is never cached (audit-logged)."""
    report = _report_or_404(request, reference)
    attachment = get_object_or_404(ReportAttachment, pk=attachment_id, report=report)
    content = decrypt_bytes(bytes(attachment.encrypted_content), purpose=Purpose.PERSONAL_DATA)
    record_report_event(
        request=request,
        action=AuditAction.VIEWED_PERSONAL_DATA,
        reference=report.reference,
        detail=f"attachment {attachment.pk}",
    )
    extension = attachment.content_type.partition("/")[2] or "bin"
    response = HttpResponse(content, content_type=attachment.content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{report.reference}-{attachment.pk}.{extension}"'
    )
    response["Cache-Control"] = NO_STORE
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _action(
    request: HttpRequest,
    reference: str,
    *,
    form_name: str,
    build: Callable[[CommunityReport], Any],
    act: Callable[[CommunityReport, dict[str, Any]], str],
) -> HttpResponse:
    report = _report_or_404(request, reference)
    form = build(report)
    if form.is_valid():
        try:
            with transaction.atomic():
                done = act(report, form.cleaned_data)
        except TriageError as error:
            form.add_error(
                error.field_name if error.field_name in form.fields else None, error.message
            )
        else:
            messages.success(request, done)
            return redirect("reporting:report", reference=report.reference)
    return _render_report(request, report, status=400, **{form_name: form})


@role_required(*TRIAGE_ROLES)
@require_POST
def report_assign(request: HttpRequest, reference: str) -> HttpResponse:
    """Assign the report to a holder of a duty its kind is routed to (or to nobody)."""

    def act(report: CommunityReport, data: dict[str, Any]) -> str:
        assign_report(report=report, assignee=data["assignee"], by=request.user, request=request)
        return "Report assigned" if data["assignee"] else "Report unassigned"

    return _action(
        request,
        reference,
        form_name="assign_form",
        build=lambda report: AssignForm(request.POST, holders=list(duty_holders(kind=report.kind))),
        act=act,
    )


@role_required(*TRIAGE_ROLES)
@require_POST
def report_status(request: HttpRequest, reference: str) -> HttpResponse:
    """Change the status, with the plain words the reporter sees."""

    def act(report: CommunityReport, data: dict[str, Any]) -> str:
        change_status(
            report=report,
            status=ReportStatus(data["status"]),
            public_text=data["public_text"],
            by=request.user,
            request=request,
        )
        return "Status changed"

    return _action(
        request,
        reference,
        form_name="status_form",
        build=lambda report: StatusForm(request.POST),
        act=act,
    )


@role_required(*TRIAGE_ROLES)
@require_POST
def report_note(request: HttpRequest, reference: str) -> HttpResponse:
    """Add a staff note (encrypted; the reporter never sees it)."""

    def act(report: CommunityReport, data: dict[str, Any]) -> str:
        add_note(report=report, text=data["text"], by=request.user, request=request)
        return "Note added"

    return _action(
        request,
        reference,
        form_name="note_form",
        build=lambda report: NoteForm(request.POST),
        act=act,
    )


@role_required(*TRIAGE_ROLES)
@require_POST
def report_refer(request: HttpRequest, reference: str) -> HttpResponse:
    """Record the referral to the police with the police reference."""

    def act(report: CommunityReport, data: dict[str, Any]) -> str:
        refer_to_police(
            report=report,
            police_reference=data["police_reference"],
            public_text=data["public_text"],
            by=request.user,
            request=request,
        )
        return "Referral to the police recorded"

    return _action(
        request,
        reference,
        form_name="refer_form",
        build=lambda report: ReferForm(request.POST),
        act=act,
    )


@role_required(*TRIAGE_ROLES)
@require_POST
def report_outcome(request: HttpRequest, reference: str) -> HttpResponse:
    """Close the report with its outcome in plain words."""

    def act(report: CommunityReport, data: dict[str, Any]) -> str:
        record_outcome(report=report, outcome=data["outcome"], by=request.user, request=request)
        return "Outcome recorded and report closed"

    return _action(
        request,
        reference,
        form_name="outcome_form",
        build=lambda report: OutcomeForm(request.POST),
        act=act,
    )


@role_required(*TRIAGE_ROLES)
@require_POST
def report_moderate(request: HttpRequest, reference: str) -> HttpResponse:
    """Accept the report, mark it a duplicate, or reject it."""

    def act(report: CommunityReport, data: dict[str, Any]) -> str:
        moderate_report(
            report=report,
            moderation=Moderation(data["moderation"]),
            duplicate_of=data["duplicate_of"],
            by=request.user,
            request=request,
        )
        return f"Moderation recorded: {Moderation(data['moderation']).label}"

    return _action(
        request,
        reference,
        form_name="moderate_form",
        build=lambda report: ModerateForm(request.POST, report=report),
        act=act,
    )


@role_required(*TRIAGE_ROLES)
@require_POST
def report_erase(request: HttpRequest, reference: str) -> HttpResponse:
    """Delete the report's personal data (a staff decision); its counts stay."""

    def act(report: CommunityReport, data: dict[str, Any]) -> str:
        if not anonymise_report(
            report=report, reason=AnonymisingReason.STAFF_DECISION, by=request.user
        ):
            return "The personal details in this report were already deleted"
        return "The personal details in this report have been deleted"

    return _action(
        request,
        reference,
        form_name="erase_form",
        build=lambda report: EraseForm(request.POST),
        act=act,
    )


@role_required(*TRIAGE_ROLES)
@require_http_methods(["GET", "POST"])
def subject_access(request: HttpRequest) -> HttpResponse:
    """Find a report by reference; download everything held about it, or erase its personal data."""
    require_triage(request)
    if request.method != "POST":
        return render(
            request, "reporting/triage_subject_access.html", {"form": SubjectAccessForm()}
        )
    form = SubjectAccessForm(request.POST)
    report = None
    if form.is_valid():
        reference = form.cleaned_data["reference"]
        report = visible_reports(user=request.user).filter(reference=reference).first()
        if report is None:
            form.add_error(
                "reference",
                f"There is no report with reference {reference} in the reports you can see",
            )
    if report is None:
        return render(request, "reporting/triage_subject_access.html", {"form": form}, status=400)
    if form.cleaned_data["request_type"] == SubjectAccessRequest.ACCESS.value:
        document = subject_access_document(report=report)
        record_report_event(
            request=request,
            action=AuditAction.EXPORTED,
            reference=report.reference,
            detail="subject access request: everything held, as JSON",
        )
        response = HttpResponse(
            json.dumps(document, indent=2, ensure_ascii=False),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="subject-access-{report.reference}.json"'
        )
        response["Cache-Control"] = NO_STORE
        return response
    erased = anonymise_report(
        report=report, reason=AnonymisingReason.ERASURE_REQUEST, by=request.user
    )
    return render(
        request,
        "reporting/triage_subject_access_erased.html",
        {"report": report, "erased": erased},
    )


@role_required(*EXPORT_ROLES)
@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    """The de-identified ``community-reports`` CSV (optional ``from``/``to`` months)."""
    try:
        from_month = (
            parse_month(text=request.GET["from"], option="from")
            if request.GET.get("from")
            else None
        )
        to_month = (
            parse_month(text=request.GET["to"], option="to") if request.GET.get("to") else None
        )
        text = export_text(from_month=from_month, to_month=to_month)
    except ExportPeriodError as error:
        return HttpResponse(f"{error}\n", status=400, content_type="text/plain; charset=utf-8")
    record_report_event(
        request=request,
        action=AuditAction.EXPORTED,
        reference="",
        object_type=EXPORT_OBJECT_TYPE,
        detail=(
            "de-identified community-reports CSV "
            f"({request.GET.get('from') or 'start'} to {request.GET.get('to') or 'end'})"
        ),
    )
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="community-reports.csv"'
    response["Cache-Control"] = NO_STORE
    return response
