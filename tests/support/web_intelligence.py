"""Shared pieces of the partner-intelligence tests (issue 14).

``make_submission`` submits through the real service (``submit_intelligence``: checked, placed,
encrypted, graded, given its review date); ``designate`` makes a user a receiver; ``staff`` makes
a partner user of a role in an organisation.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from safecity_web.accounts.models import Organisation, OrganisationKind, Role, User
from safecity_web.intelligence.models import IntelligenceSubmission, ReceiverDesignation
from safecity_web.intelligence.submission import (
    IntelligenceDraft,
    SubjectDraft,
    submit_intelligence,
)

# Inside the small area of ``web_reporting.publish_small_area`` (north-east ward).
EAST_NORTH = (50.93, -1.37)
WHAT_IS_KNOWN = "A flat above the bakery on Station Road is being used to deal drugs."
PERSON_NAME = "Jordan Example"
VEHICLE_REGISTRATION = "AB12 CDE"


def organisation(name: str = "City Council", kind: str = OrganisationKind.COUNCIL) -> Organisation:
    """The organisation called ``name`` (created on first use)."""
    found, _ = Organisation.objects.get_or_create(name=name, defaults={"kind": kind})
    return found


def staff(
    username: str, *, role: Role = Role.PARTNER_OFFICER, at: Organisation | None = None
) -> User:
    """A staff user of ``role`` in ``at`` (default: the council)."""
    return User.objects.create_user(
        username=username,
        password="a long enough passphrase 1",
        role=role,
        organisation=at or organisation(),
        email=f"{username}@example.org",
    )


def designate(user: User, receiver: str, *, by: User | None = None) -> ReceiverDesignation:
    """Designate ``user`` as ``receiver``."""
    return ReceiverDesignation.objects.create(user=user, receiver=receiver, designated_by=by)


def make_submission(
    *,
    submitted_by: User,
    topic: str = "county_lines",
    what_is_known: str = WHAT_IS_KNOWN,
    point: tuple[float, float] | None = EAST_NORTH,
    ward_code: str = "",
    grading: str = "2BC",
    handling_conditions: str = "Do not disclose the originating organisation.",
    subjects: tuple[SubjectDraft, ...] | None = None,
    now: datetime.datetime | None = None,
    **overrides: Any,
) -> IntelligenceSubmission:
    """Submit one piece of intelligence through ``submit_intelligence`` and return it."""
    moment = now or timezone.now()
    day = timezone.localdate(moment) - datetime.timedelta(days=2)
    source, assessment, handling = grading
    draft = IntelligenceDraft(
        topic=topic,
        what_is_known=what_is_known,
        provenance=overrides.pop("provenance", "told_by_person_involved"),
        source_evaluation=source,
        intelligence_assessment=assessment,
        handling_code=handling,
        handling_conditions=handling_conditions if handling == "C" else "",
        subjects=(
            subjects
            if subjects is not None
            else (
                SubjectDraft(kind="person", details={"name": PERSON_NAME, "nickname": "J"}),
                SubjectDraft(kind="vehicle", details={"registration": VEHICLE_REGISTRATION}),
            )
        ),
        place_words=overrides.pop("place_words", "Station Road, above the bakery"),
        latitude=None if point is None else point[0],
        longitude=None if point is None else point[1],
        ward_code=ward_code,
        occurred_from=overrides.pop("occurred_from", day),
        occurred_to=overrides.pop("occurred_to", day),
        **overrides,
    )
    return submit_intelligence(draft=draft, submitted_by=submitted_by, now=moment)
