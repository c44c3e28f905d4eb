"""Taking in a report (issue 13): placing, encryption at rest, references, duplicates, checks."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from web_reporting import EAST_WARD, LSOAS, WEST_WARD, publish_small_area

from safecity_web.encryption import Purpose, decrypt_text
from safecity_web.reporting.models import Channel, CommunityReport, Moderation, ReportStatus
from safecity_web.reporting.submission import (
    ReportDraft,
    SubmissionRejectedError,
    normalised_reference,
    submit_report,
    token_hash,
)

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def _hate(**changes: object) -> ReportDraft:
    values: dict[str, object] = {
        "kind": "hate",
        "category": "verbal_abuse",
        "strands": ("race",),
        "occurred_from": YESTERDAY,
        "occurred_to": YESTERDAY,
        "latitude": 50.93,
        "longitude": -1.37,
        "description": "Shouted at outside the corner shop",
        "contact": {"email": "victim@example.org"},
        "contact_consent": True,
    }
    values.update(changes)
    return ReportDraft(**values)  # type: ignore[arg-type]


def test_a_report_is_placed_in_its_ward_and_lsoa_and_gets_a_reference() -> None:
    publish_small_area()
    submitted = submit_report(draft=_hate(), channel=Channel.PUBLIC_FORM)
    report = CommunityReport.objects.get(pk=submitted.report.pk)
    assert (report.ward_code, report.lsoa_code) == (EAST_WARD, LSOAS[("east", "north")])
    assert report.status == ReportStatus.RECEIVED
    assert report.events.count() == 1
    assert normalised_reference(report.reference.lower().replace("-", " ")) == report.reference
    assert report.status_token_hash == token_hash(submitted.status_token)
    assert report.retain_until - report.received_at == datetime.timedelta(days=1095)


def test_personal_data_is_not_readable_in_the_database() -> None:
    publish_small_area()
    submitted = submit_report(draft=_hate(), channel=Channel.PUBLIC_FORM)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT encrypted_description, encrypted_contact FROM reporting_communityreport "
            "WHERE id = %s",
            [submitted.report.pk],
        )
        description, contact = cursor.fetchone()
    assert "corner shop" not in description
    assert "victim@example.org" not in contact
    assert decrypt_text(description, purpose=Purpose.PERSONAL_DATA).endswith("corner shop")


def test_the_same_report_twice_within_the_window_is_marked_a_duplicate() -> None:
    publish_small_area()
    first = submit_report(draft=_hate(), channel=Channel.PUBLIC_FORM).report
    second = submit_report(
        draft=_hate(description="shouted at  outside the CORNER shop"), channel=Channel.OPEN311
    ).report
    third = submit_report(draft=_hate(description="Something else"), channel=Channel.PUBLIC_FORM)
    assert second.moderation == Moderation.DUPLICATE
    assert second.duplicate_of_id == first.pk
    assert third.report.moderation == Moderation.PENDING


@pytest.mark.parametrize(
    ("changes", "field_name"),
    [
        ({"kind": "burglary"}, "kind"),
        ({"category": "asb"}, "category"),
        ({"strands": ()}, "strands"),
        ({"strands": ("hair_colour",)}, "strands"),
        ({"occurred_to": timezone.localdate() + datetime.timedelta(days=2)}, "occurred"),
        ({"occurred_from": YESTERDAY + datetime.timedelta(days=1)}, "occurred"),
        ({"latitude": 51.5, "longitude": -0.12}, "location"),
        ({"longitude": None}, "location"),
        ({"losses_pounds": Decimal("10")}, "losses_pounds"),
        ({"description": "x" * 5001}, "description"),
    ],
)
def test_a_bad_report_is_refused_naming_the_field(
    changes: dict[str, object], field_name: str
) -> None:
    publish_small_area()
    with pytest.raises(SubmissionRejectedError) as refused:
        submit_report(draft=_hate(**changes), channel=Channel.PUBLIC_FORM)
    assert refused.value.field_name == field_name
    assert CommunityReport.objects.count() == 0


def test_a_business_report_keeps_its_losses_and_a_west_point_its_ward() -> None:
    publish_small_area()
    draft = ReportDraft(
        kind="business",
        category="theft",
        occurred_from=YESTERDAY,
        occurred_to=YESTERDAY,
        latitude=50.91,
        longitude=-1.39,
        losses_pounds=Decimal("84.50"),
    )
    report = submit_report(draft=draft, channel=Channel.BUSINESS).report
    assert report.ward_code == WEST_WARD
    assert report.losses_pounds == Decimal("84.50")
    assert report.retain_until - report.received_at == datetime.timedelta(days=730)
