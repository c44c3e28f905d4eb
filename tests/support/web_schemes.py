"""Reporting centres, businesses and a business crime scheme for community-reporting tests.

``scheme_world()`` builds (on the small published area of ``web_reporting``):

- two reporting centres (A and B) with a worker each, and a report made by each centre;
- three businesses: A (member of the scheme; its member accepted the current agreement),
  B (member; not accepted), C (not a member of any scheme), with a member each and a report by A;
- the scheme "Smallton Business Crime Partnership" with agreement version 1.0, another scheme
  "Other Scheme" (agreement 1.0, no members), an alert in each (the first with an image);
- a council with a partner officer holding the ``business_crime_manager`` duty and an
  administrator.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from PIL import Image
from web_accounts import make_organisation, make_user
from web_reporting import publish_small_area

from safecity_web.accounts.models import Organisation, OrganisationKind, Role, User
from safecity_web.reporting.models import (
    BusinessAlert,
    BusinessScheme,
    Channel,
    CommunityReport,
    SharingAgreement,
    TriageDuty,
)
from safecity_web.reporting.schemes import (
    accept_agreement,
    clean_alert_image,
    create_alert,
    create_scheme,
    invite_member,
    publish_agreement,
)
from safecity_web.reporting.submission import ReportDraft, submit_report

LAST_WEEK = timezone.localdate() - datetime.timedelta(days=7)


def png_bytes(*, colour: tuple[int, int, int] = (200, 30, 30), size: int = 8) -> bytes:
    """A small PNG picture."""
    output = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(output, format="PNG")
    return output.getvalue()


def jpeg_with_location() -> bytes:
    """A JPEG whose EXIF block carries a GPS position (tag 0x8825) and a camera make."""
    image = Image.new("RGB", (16, 16), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (50.0, 55.0, 12.0), 3: "W", 4: (1.0, 22.0, 30.0)}
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif.tobytes())
    return output.getvalue()


def centre_draft(**changes: object) -> ReportDraft:
    """A hate report a centre makes on a victim's behalf, inside the small area."""
    values: dict[str, object] = {
        "kind": "hate",
        "category": "verbal_abuse",
        "strands": ("religion",),
        "occurred_from": LAST_WEEK,
        "occurred_to": LAST_WEEK,
        "latitude": 50.91,
        "longitude": -1.39,
        "description": "Victim was shouted at at the bus stop",
        "contact": {"phone": "07700 900123"},
        "contact_consent": True,
        "victim_consent": {"share_with_police": True},
    }
    values.update(changes)
    return ReportDraft(**values)  # type: ignore[arg-type]


def business_draft(**changes: object) -> ReportDraft:
    """A shoplifting report with losses, inside the small area."""
    values: dict[str, object] = {
        "kind": "business",
        "category": "theft",
        "occurred_from": LAST_WEEK,
        "occurred_to": LAST_WEEK,
        "latitude": 50.93,
        "longitude": -1.37,
        "description": "Two bottles taken from the shelf",
        "offender_description": "Tall, green coat",
        "losses_pounds": Decimal("12.50"),
    }
    values.update(changes)
    return ReportDraft(**values)  # type: ignore[arg-type]


@dataclass
class SchemeWorld:
    """Everything :func:`scheme_world` creates."""

    centre_a: Organisation
    centre_b: Organisation
    business_a: Organisation
    business_b: Organisation
    business_c: Organisation
    council: Organisation
    worker_a: User
    worker_b: User
    member_a: User
    member_b: User
    member_c: User
    manager: User
    administrator: User
    scheme: BusinessScheme
    other_scheme: BusinessScheme
    agreement: SharingAgreement
    alert: BusinessAlert
    other_alert: BusinessAlert
    report_a: CommunityReport
    report_b: CommunityReport
    business_report: CommunityReport


def scheme_world() -> SchemeWorld:
    """Create the organisations, users, scheme, alerts and reports described above."""
    publish_small_area()
    centre_a = make_organisation(name="Centre A", kind=OrganisationKind.REPORTING_CENTRE)
    centre_b = make_organisation(name="Centre B", kind=OrganisationKind.REPORTING_CENTRE)
    business_a = make_organisation(name="Shop A", kind=OrganisationKind.BUSINESS)
    business_b = make_organisation(name="Shop B", kind=OrganisationKind.BUSINESS)
    business_c = make_organisation(name="Shop C", kind=OrganisationKind.BUSINESS)
    council = make_organisation(name="Smallton Council", kind=OrganisationKind.COUNCIL)
    worker_a = make_user(
        username="worker-a", role=Role.REPORTING_CENTRE_WORKER, organisation=centre_a
    )
    worker_b = make_user(
        username="worker-b", role=Role.REPORTING_CENTRE_WORKER, organisation=centre_b
    )
    member_a = make_user(username="member-a", role=Role.BUSINESS_MEMBER, organisation=business_a)
    member_b = make_user(username="member-b", role=Role.BUSINESS_MEMBER, organisation=business_b)
    member_c = make_user(username="member-c", role=Role.BUSINESS_MEMBER, organisation=business_c)
    manager = make_user(username="bcm", role=Role.PARTNER_OFFICER, organisation=council)
    TriageDuty.objects.create(user=manager, duty="business_crime_manager")
    administrator = make_user(username="admin", role=Role.ADMINISTRATOR, organisation=council)

    scheme = create_scheme(name="Smallton Business Crime Partnership", by=administrator)
    other_scheme = create_scheme(name="Other Scheme", by=administrator)
    invite_member(scheme=scheme, organisation=business_a, by=manager)
    invite_member(scheme=scheme, organisation=business_b, by=manager)
    earlier = timezone.now() - datetime.timedelta(minutes=5)
    agreement = publish_agreement(
        scheme=scheme,
        version="1.0",
        text="Use alerts only to protect staff.",
        by=manager,
        now=earlier,
    )
    publish_agreement(
        scheme=other_scheme, version="1.0", text="Other terms.", by=manager, now=earlier
    )
    accept_agreement(agreement=agreement, user=member_a)
    alert = create_alert(
        scheme=scheme,
        title="Shoplifter targeting high street",
        body="Razor blades taken from three shops on Monday.",
        offender_description="Man in his 30s, red cap",
        image=clean_alert_image(data=png_bytes()),
        by=manager,
    )
    other_alert = create_alert(
        scheme=other_scheme, title="Other scheme alert", body="Not for Smallton.", by=manager
    )
    report_a = submit_report(
        draft=centre_draft(),
        channel=Channel.REPORTING_CENTRE,
        submitted_by=worker_a,
        organisation=centre_a,
    ).report
    report_b = submit_report(
        draft=centre_draft(description="Centre B's victim"),
        channel=Channel.REPORTING_CENTRE,
        submitted_by=worker_b,
        organisation=centre_b,
    ).report
    business_report = submit_report(
        draft=business_draft(),
        channel=Channel.BUSINESS,
        submitted_by=member_a,
        organisation=business_a,
    ).report
    return SchemeWorld(
        centre_a=centre_a,
        centre_b=centre_b,
        business_a=business_a,
        business_b=business_b,
        business_c=business_c,
        council=council,
        worker_a=worker_a,
        worker_b=worker_b,
        member_a=member_a,
        member_b=member_b,
        member_c=member_c,
        manager=manager,
        administrator=administrator,
        scheme=scheme,
        other_scheme=other_scheme,
        agreement=agreement,
        alert=alert,
        other_alert=other_alert,
        report_a=report_a,
        report_b=report_b,
        business_report=business_report,
    )
