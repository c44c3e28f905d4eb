"""The demo site's community reporting: duty holders, the business scheme and synthetic reports.

``seed_demo_reporting`` gives the demo duty holders their triage duties, creates the demo
business crime scheme (agreement version 1.0, the demo business as a member whose acceptance is
recorded, one synthetic alert) and files the synthetic reports through :func:`submit_report` —
so they are checked, placed in their ward and LSOA and encrypted like real ones — each received
at the record's own time. Some are then moved on (being looked at, passed to the police, closed
with an outcome) so that the queue, the centre's and the business's pages and the status page
have something to show.

The records come from the core's deterministic generator
(``core_gateway.synthetic_community_reports``); :class:`SyntheticReport` is the shape this module
reads, and :func:`report_from_record` turns a generator record (a mapping or an object with the
contract's field names) into one. Running the demo again files no report twice: a report with
the same received time, kind, category, channel and point is taken to be the same record.
"""

from __future__ import annotations

import datetime
import secrets
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from safecity_web import core_gateway
from safecity_web.accounts.models import Organisation, User
from safecity_web.reporting.models import (
    AgreementAcceptance,
    BusinessAlert,
    BusinessScheme,
    Channel,
    CommunityReport,
    Moderation,
    Open311Application,
    ReportEvent,
    ReportStatus,
    SchemeMembership,
    SharingAgreement,
    TriageDuty,
)
from safecity_web.reporting.schemes import create_alert, current_agreement
from safecity_web.reporting.submission import (
    ReportDraft,
    SubmissionRejectedError,
    retention_deadline,
    submit_report,
    token_hash,
)

LONDON = zoneinfo.ZoneInfo("Europe/London")
DEMO_SCHEME_NAME = "Demoton Business Crime Partnership"
DEMO_AGREEMENT_VERSION = "1.0"
DEMO_AGREEMENT_TEXT = (
    "Members of the Demoton Business Crime Partnership use the alerts shared through this "
    "service only to protect their staff, customers and premises. They keep alerts within "
    "their business, do not copy them to social media or pass them on, and delete any copy "
    "when the alert is withdrawn. The partnership keeps alerts for one year.\n\n"
    "This is a demonstration agreement; the people and events in the demo are invented."
)
DEMO_APP_NAME = "Demoton Hate Crime Reporting App (demo)"
DEMO_ALERT_TITLE = "Demo: distraction thefts on the high street"

# What happens to a report, chosen by the minute it was received (the same on every run).
_STAGES = (
    ReportStatus.RECEIVED,
    ReportStatus.IN_REVIEW,
    ReportStatus.REFERRED,
    ReportStatus.CLOSED,
    ReportStatus.CLOSED,
    ReportStatus.IN_REVIEW,
)
_STAGE_TEXT = {
    ReportStatus.IN_REVIEW: "Someone from the partnership is looking at your report.",
    ReportStatus.REFERRED: "Your report has been passed to the police.",
}
_OUTCOMES = {
    "hate": "The hate crime coordinator shared the report with the neighbourhood team, who "
    "increased patrols in the area.",
    "concern": "The council and the police added the place to their weekly patrol plan.",
    "business": "The business crime manager shared a description with the scheme's members.",
}
_STAGE_DAYS = {ReportStatus.IN_REVIEW: 2, ReportStatus.REFERRED: 4, ReportStatus.CLOSED: 9}


@dataclass(frozen=True)
class SyntheticReport:
    """One synthetic report as the demo files it (the core generator's record, read)."""

    kind: str
    category: str
    channel: Channel
    received_at: datetime.datetime
    strands: tuple[str, ...] = ()
    latitude: float | None = None
    longitude: float | None = None
    losses_pounds: Decimal | None = None
    description: str = ""


def _value(record: Any, *names: str) -> Any:
    for name in names:
        if isinstance(record, Mapping) and name in record:
            return record[name]
        if not isinstance(record, Mapping) and hasattr(record, name):
            return getattr(record, name)
    return None


def _received_at(value: Any) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return value if timezone.is_aware(value) else value.replace(tzinfo=LONDON)
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time(12, 0), tzinfo=LONDON)
    if isinstance(value, str):
        return _received_at(
            datetime.datetime.fromisoformat(value)
            if "T" in value or " " in value
            else datetime.date.fromisoformat(value)
        )
    raise ValueError(f"a synthetic report has no usable received date: {value!r}")


def report_from_record(record: Any) -> SyntheticReport:
    """Read one generator record (mapping or object) into a :class:`SyntheticReport`.

    Field names are the contract's: ``kind``, ``category``, ``strands`` (a sequence or a
    ``;``-joined string), ``channel``, ``received_at`` (or ``received``/``received_on``: a
    datetime, a date — taken as noon in Europe/London — or ISO text), ``latitude``/``lat``,
    ``longitude``/``lon``, ``losses_pounds`` and ``description``.

    Raises
    ------
    ValueError
        Naming the field that cannot be read.
    """
    strands = _value(record, "strands") or ()
    if isinstance(strands, str):
        strands = tuple(part for part in strands.split(";") if part)
    channel_text = str(_value(record, "channel") or "")
    try:
        channel = Channel(channel_text)
    except ValueError as error:
        raise ValueError(f"a synthetic report has an unknown channel {channel_text!r}") from error
    losses = _value(record, "losses_pounds")
    latitude = _value(record, "latitude", "lat")
    longitude = _value(record, "longitude", "lon")
    return SyntheticReport(
        kind=str(_value(record, "kind")),
        category=str(_value(record, "category")),
        channel=channel,
        received_at=_received_at(_value(record, "received_at", "received", "received_on")),
        strands=tuple(str(strand) for strand in strands),
        latitude=None if latitude in (None, "") else float(latitude),
        longitude=None if longitude in (None, "") else float(longitude),
        losses_pounds=None if losses in (None, "") else Decimal(str(losses)),
        description=str(_value(record, "description") or ""),
    )


def records_from_core() -> list[SyntheticReport] | None:
    """The core generator's records, or ``None`` while the gateway does not offer it yet."""
    generator = getattr(core_gateway, "synthetic_community_reports", None)
    if generator is None:
        return None
    return [report_from_record(record) for record in generator()]


@dataclass(frozen=True)
class DemoPeople:
    """The demo accounts and organisations the reports and the scheme belong to."""

    centre: Organisation
    centre_worker: User
    business: Organisation
    business_member: User
    business_crime_manager: User


@dataclass
class DemoReportsOutcome:
    """What one run filed: new reports, records already filed, records refused and why."""

    created: int = 0
    already_filed: int = 0
    refused: list[str] = field(default_factory=list)


def ensure_duties(*, duties: Mapping[str, str]) -> int:
    """Give each username its triage duty (``duties``: username -> duty); how many were new."""
    created = 0
    for username, duty in duties.items():
        user = User.objects.get(username=username)
        _, new = TriageDuty.objects.get_or_create(user=user, duty=duty)
        created += int(new)
    return created


@transaction.atomic
def ensure_demo_scheme(*, people: DemoPeople, now: datetime.datetime | None = None) -> Any:
    """The demo scheme with its agreement, the business as member (accepted), one alert."""
    moment = now or timezone.now()
    scheme, _ = BusinessScheme.objects.get_or_create(name=DEMO_SCHEME_NAME)
    SchemeMembership.objects.get_or_create(
        scheme=scheme,
        organisation=people.business,
        defaults={"invited_by": people.business_crime_manager},
    )
    agreement = current_agreement(scheme=scheme, now=moment)
    if agreement is None:
        agreement = SharingAgreement.objects.create(
            scheme=scheme,
            version=DEMO_AGREEMENT_VERSION,
            text=DEMO_AGREEMENT_TEXT,
            effective_from=moment - datetime.timedelta(days=30),
        )
    AgreementAcceptance.objects.get_or_create(
        agreement=agreement,
        user=people.business_member,
        defaults={"accepted_at": moment - datetime.timedelta(days=29)},
    )
    if not BusinessAlert.objects.filter(scheme=scheme, title=DEMO_ALERT_TITLE).exists():
        create_alert(
            scheme=scheme,
            title=DEMO_ALERT_TITLE,
            body=(
                "Two people ask staff for directions while a third takes items from the counter."
                " Invented for the demo."
            ),
            offender_description="Three adults, one in a grey hooded top (invented).",
            by=people.business_crime_manager,
            now=moment - datetime.timedelta(days=3),
        )
    return scheme


def ensure_demo_app() -> Open311Application:
    """The demo reporting app that Open311 records come through (its key is never shown)."""
    app = Open311Application.objects.filter(name=DEMO_APP_NAME).first()
    if app is not None:
        return app
    key = secrets.token_urlsafe(32)
    return Open311Application.objects.create(
        name=DEMO_APP_NAME, key_prefix=key[:8], key_hash=token_hash(key)
    )


def _already_filed(record: SyntheticReport) -> bool:
    return CommunityReport.objects.filter(
        received_at=record.received_at,
        kind=record.kind,
        category=record.category,
        channel=record.channel,
        latitude=record.latitude,
        longitude=record.longitude,
    ).exists()


def _draft(record: SyntheticReport) -> ReportDraft:
    day = timezone.localtime(record.received_at, LONDON).date()
    return ReportDraft(
        kind=record.kind,
        category=record.category,
        strands=record.strands,
        occurred_from=day,
        occurred_to=day,
        latitude=record.latitude,
        longitude=record.longitude,
        online=record.latitude is None,
        description=record.description,
        losses_pounds=record.losses_pounds if record.kind == "business" else None,
    )


def _move_on(report: CommunityReport, *, stage: ReportStatus, now: datetime.datetime) -> None:
    """Walk a report through triage up to ``stage`` (never past ``now``)."""
    if stage == ReportStatus.RECEIVED:
        return
    steps = [ReportStatus.IN_REVIEW]
    if stage == ReportStatus.REFERRED:
        steps.append(ReportStatus.REFERRED)
    if stage == ReportStatus.CLOSED:
        steps.append(ReportStatus.CLOSED)
    for step in steps:
        moment = min(report.received_at + datetime.timedelta(days=_STAGE_DAYS[step]), now)
        text = _OUTCOMES.get(report.kind, "") if step == ReportStatus.CLOSED else _STAGE_TEXT[step]
        ReportEvent.objects.create(report=report, occurred_at=moment, status=step, public_text=text)
        report.status = step
        if step == ReportStatus.REFERRED:
            report.police_reference = f"DEMO/{report.reference[3:]}"
        if step == ReportStatus.CLOSED:
            report.outcome = text
            report.closed_at = moment
            report.retain_until = retention_deadline(kind=report.kind, from_moment=moment)


def create_demo_reports(
    *,
    records: Iterable[SyntheticReport],
    people: DemoPeople,
    app: Open311Application,
    now: datetime.datetime | None = None,
) -> DemoReportsOutcome:
    """File ``records`` as reports (skipping those already filed) and move some on.

    Centre records are filed by the demo centre's worker, business records by the demo
    business's member, Open311 records through the demo app. Demo records are distinct by
    construction, so each is marked accepted (never a duplicate).
    """
    moment = now or timezone.now()
    outcome = DemoReportsOutcome()
    by_channel: dict[Channel, dict[str, Any]] = {
        Channel.PUBLIC_FORM: {},
        Channel.REPORTING_CENTRE: {
            "submitted_by": people.centre_worker,
            "organisation": people.centre,
        },
        Channel.BUSINESS: {
            "submitted_by": people.business_member,
            "organisation": people.business,
        },
        Channel.OPEN311: {"open311_application": app},
    }
    for record in sorted(records, key=lambda item: item.received_at):
        if _already_filed(record):
            outcome.already_filed += 1
            continue
        try:
            with transaction.atomic():
                report = submit_report(
                    draft=_draft(record),
                    channel=record.channel,
                    now=record.received_at,
                    **by_channel[record.channel],
                ).report
                report.moderation = Moderation.ACCEPTED
                report.duplicate_of = None
                stage = _STAGES[int(record.received_at.timestamp()) // 60 % len(_STAGES)]
                _move_on(report, stage=stage, now=moment)
                report.save()
        except SubmissionRejectedError as error:
            outcome.refused.append(
                f"{record.kind}/{record.category} received {record.received_at:%Y-%m-%d}: {error}"
            )
            continue
        outcome.created += 1
    return outcome


def seed_demo_reporting(
    *,
    people: DemoPeople,
    duties: Mapping[str, str],
    records: Sequence[SyntheticReport] | None,
    now: datetime.datetime | None = None,
) -> DemoReportsOutcome | None:
    """Duties, the scheme and (when ``records`` is given) the synthetic reports of the demo."""
    ensure_duties(duties=duties)
    ensure_demo_scheme(people=people, now=now)
    if records is None:
        return None
    return create_demo_reports(records=records, people=people, app=ensure_demo_app(), now=now)
