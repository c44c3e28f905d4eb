"""Shared pieces of the triage, retention, export and job tests (issue 13).

``make_report`` submits a report through the real submission service (so it is placed,
encrypted and given its first event); ``give_duty`` gives a user a triage duty; the blocking job
lets two runs of one job overlap on purpose (:data:`BLOCKING_JOB`).
"""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal
from typing import Any

from django.utils import timezone

from safecity_web.jobs.registry import ScheduledJob
from safecity_web.reporting.models import Channel, CommunityReport, TriageDuty
from safecity_web.reporting.submission import CleanImage, ReportDraft, submit_report

# A 1x1 PNG (what the caller's sniffing and re-encoding would hand on).
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)
EAST_NORTH = (50.93, -1.37)
WEST_SOUTH = (50.91, -1.39)


def make_report(
    *,
    kind: str = "hate",
    category: str = "verbal_abuse",
    strands: tuple[str, ...] = ("race",),
    channel: Channel = Channel.PUBLIC_FORM,
    point: tuple[float, float] | None = EAST_NORTH,
    description: str = "Shouted at outside the corner shop",
    targeted: str = "My neighbour Sam",
    contact: dict[str, str] | None = None,
    contact_consent: bool = True,
    offender_description: str = "",
    losses_pounds: Decimal | None = None,
    victim_consent: dict[str, Any] | None = None,
    attachments: tuple[CleanImage, ...] = (),
    now: datetime.datetime | None = None,
    organisation: Any = None,
) -> CommunityReport:
    """Submit one report through ``submit_report`` and return it."""
    moment = now or timezone.now()
    day = timezone.localdate(moment) - datetime.timedelta(days=1)
    draft = ReportDraft(
        kind=kind,
        category=category,
        strands=strands if kind == "hate" else (),
        occurred_from=day,
        occurred_to=day,
        latitude=None if point is None else point[0],
        longitude=None if point is None else point[1],
        online=point is None,
        description=description,
        targeted=targeted,
        contact={"email": "victim@example.org"} if contact is None else contact,
        contact_consent=contact_consent,
        offender_description=offender_description,
        losses_pounds=losses_pounds,
        victim_consent=victim_consent or {},
        attachments=attachments,
    )
    return submit_report(draft=draft, channel=channel, now=moment, organisation=organisation).report


def give_duty(user: Any, duty: str = "hate_crime_coordinator") -> TriageDuty:
    """Give ``user`` the triage ``duty``."""
    return TriageDuty.objects.create(user=user, duty=duty)


class Gate:
    """Lets a test hold a job run open: the job signals ``entered`` and waits for ``release``."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()


GATE = Gate()


def blocking_job(now: datetime.datetime) -> dict[str, int]:
    """A job that waits (up to 30 s) until the test releases it; its summary is one count."""
    GATE.entered.set()
    GATE.release.wait(timeout=30)
    return {"waited": 1}


def failing_job(now: datetime.datetime) -> dict[str, int]:
    """A job that always fails, with a message naming no person."""
    raise RuntimeError("the warehouse is not reachable")


BLOCKING_JOB = ScheduledJob(
    name="test_blocking_job",
    description="Waits until released (tests only).",
    every=datetime.timedelta(hours=1),
    target="web_triage:blocking_job",
)
FAILING_JOB = ScheduledJob(
    name="test_failing_job",
    description="Always fails (tests only).",
    every=datetime.timedelta(hours=1),
    target="web_triage:failing_job",
)
