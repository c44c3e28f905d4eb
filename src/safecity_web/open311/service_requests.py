"""Service requests as the public may see them: de-identified, at ward level, by the day.

Any app and anyone may ``GET requests``, so an answer carries nothing personal and nothing that
points at a person: the reference, the service (for hate reports only "hate incident", never the
strand or what happened), open or closed, where the report is in words (never the outcome
triage wrote for the reporter: that is on the reporter's private status page only), the day
it was received and last updated (never the time), and the ward's name (never the
report's point, no ``lat``/``long``). No description, contact details, attachments or
``media_url`` for any kind of report. Reports moderated as rejected are left out, and so are
reports of kinds no service files (business crime is partner-only).

References
----------
Open311 GeoReport v2 specification, "GET Service Requests" and "GET Service Request".
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import Max, Q, QuerySet
from django.http import QueryDict
from django.utils import timezone

from safecity_web import core_gateway
from safecity_web.open311.errors import bad_request
from safecity_web.open311.places import ward_names
from safecity_web.open311.services import service_for_report
from safecity_web.reporting.models import CommunityReport, Moderation, ReportStatus
from safecity_web.reporting.submission import normalised_reference

WINDOW_DAYS = 90
"""The longest span of ``start_date`` to ``end_date``, and the default span (the spec's)."""
MAX_REQUESTS = 1000
"""The most requests one answer lists, newest first (the specification's default limit)."""
CLOSED_STATUSES = (ReportStatus.CLOSED,)


class RequestStatus(StrEnum):
    """The specification's two statuses."""

    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class RequestFilter:
    """What ``GET requests`` asked for."""

    references: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: datetime.datetime | None = None
    end: datetime.datetime | None = None
    statuses: tuple[str, ...] = ()


def _moment(query: QueryDict, name: str) -> datetime.datetime | None:
    if name not in query:
        return None
    text = query.get(name, "").strip()
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or timezone.is_naive(moment):
        raise bad_request(
            field_name=name,
            message=f"{text!r} is not a W3C date and time with its time zone, "
            "e.g. 2026-01-01T00:00:00Z",
        )
    return moment


def _comma_list(query: QueryDict, name: str) -> list[str]:
    parts = (part.strip() for value in query.getlist(name) for part in value.split(","))
    return [part for part in parts if part]


def read_filter(query: QueryDict) -> RequestFilter:
    """The filters of a ``GET requests`` query, checked.

    ``service_request_id`` (comma list) overrides the others, as the specification says (they
    are still checked).
    Without dates the span is the last 90 days; with one date, the 90 days from or to it; a
    span longer than 90 days is refused.

    Raises
    ------
    Open311Error
        400 naming the parameter at fault.
    """
    references = tuple(
        normalised_reference(text) or text for text in _comma_list(query, "service_request_id")
    )
    if len(references) > MAX_REQUESTS:
        raise bad_request(
            field_name="service_request_id", message=f"at most {MAX_REQUESTS} ids at once"
        )
    config = core_gateway.community_reports_config()
    known_codes = [entry.service_code for entry in config.services]
    codes = tuple(_comma_list(query, "service_code"))
    for code in codes:
        if code not in known_codes:
            raise bad_request(
                field_name="service_code",
                message=f"there is no service {code!r} (services: {', '.join(known_codes)})",
            )
    statuses = tuple(part.lower() for part in _comma_list(query, "status"))
    for status in statuses:
        if status not in {known.value for known in RequestStatus}:
            raise bad_request(field_name="status", message=f"{status!r} is not one of open, closed")
    start, end = _moment(query, "start_date"), _moment(query, "end_date")
    if references:
        return RequestFilter(references=references)
    window = datetime.timedelta(days=WINDOW_DAYS)
    if start is None and end is None:
        end = timezone.now()
        start = end - window
    elif start is None:
        assert end is not None
        start = end - window
    elif end is None:
        end = start + window
    if start > end:
        raise bad_request(field_name="end_date", message="is before start_date")
    if end - start > window:
        raise bad_request(
            field_name="end_date",
            message=f"the span from start_date may be at most {WINDOW_DAYS} days",
        )
    return RequestFilter(service_codes=codes, start=start, end=end, statuses=statuses)


def _service_condition(service_codes: tuple[str, ...]) -> Q:
    """Reports that some (or the chosen) configured service files."""
    condition = Q(pk__in=[])
    for entry in core_gateway.community_reports_config().services:
        if service_codes and entry.service_code not in service_codes:
            continue
        if entry.category is None:
            condition |= Q(kind=entry.kind)
        else:
            condition |= Q(kind=entry.kind, category=entry.category)
    return condition


def matching_reports(request_filter: RequestFilter) -> QuerySet[CommunityReport]:
    """The listable reports matching ``request_filter``, newest first, at most 1,000."""
    reports = CommunityReport.objects.exclude(moderation=Moderation.REJECTED).filter(
        _service_condition(request_filter.service_codes)
    )
    if request_filter.references:
        reports = reports.filter(reference__in=request_filter.references)
    else:
        reports = reports.filter(
            received_at__gte=request_filter.start, received_at__lte=request_filter.end
        )
        if request_filter.statuses and len(set(request_filter.statuses)) == 1:
            closed = Q(status__in=CLOSED_STATUSES)
            reports = reports.filter(
                closed if request_filter.statuses[0] == RequestStatus.CLOSED else ~closed
            )
    return (
        reports.annotate(last_event_at=Max("events__occurred_at"))
        .only(
            "reference",
            "kind",
            "category",
            "status",
            "received_at",
            "closed_at",
            "ward_code",
        )
        .order_by("-received_at", "-id")[:MAX_REQUESTS]
    )


def _day(moment: datetime.datetime | None) -> str | None:
    """The start of ``moment``'s day in the site's time zone, in W3C format (None for None)."""
    if moment is None:
        return None
    day = timezone.localtime(moment).date()
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
    return start.isoformat()


def public_record(report: CommunityReport, *, wards: dict[str, str]) -> dict[str, Any]:
    """The de-identified service request of ``report`` (see the module's docstring)."""
    entry = service_for_report(kind=report.kind, category=report.category)
    closed = report.status in CLOSED_STATUSES
    updated = (
        report.closed_at if closed and report.closed_at else getattr(report, "last_event_at", None)
    )
    record: dict[str, Any] = {
        "service_request_id": report.reference,
        "status": str(RequestStatus.CLOSED if closed else RequestStatus.OPEN),
        "status_notes": ReportStatus(report.status).label,
        "service_name": entry.name if entry is not None else None,
        "service_code": entry.service_code if entry is not None else "",
        "requested_datetime": _day(report.received_at),
        "updated_datetime": _day(updated or report.received_at),
    }
    ward = wards.get(report.ward_code)
    if ward:
        record["address"] = ward
    return record


def public_records(request_filter: RequestFilter) -> list[dict[str, Any]]:
    """The de-identified service requests matching ``request_filter``."""
    reports = list(matching_reports(request_filter))
    wards = ward_names() if any(report.ward_code for report in reports) else {}
    return [public_record(report, wards=wards) for report in reports]
