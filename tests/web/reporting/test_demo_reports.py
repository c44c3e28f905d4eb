"""The demo's community reporting: duty holders, the scheme, synthetic reports filed once."""

from __future__ import annotations

import datetime
import zoneinfo
from collections import Counter
from decimal import Decimal

import pytest
from django.utils import timezone
from web_reporting import CSP_CODE, EAST_WARD, LSOAS, WEST_WARD, publish_small_area

from safecity_web.accounts.models import User
from safecity_web.encryption import Purpose, decrypt_text
from safecity_web.reporting.demo_reports import (
    DEMO_SCHEME_NAME,
    DemoPeople,
    SyntheticReport,
    report_from_record,
    seed_demo_reporting,
)
from safecity_web.reporting.export import export_text
from safecity_web.reporting.models import (
    AgreementAcceptance,
    BusinessAlert,
    BusinessScheme,
    Channel,
    CommunityReport,
    Moderation,
    ReportStatus,
    TriageDuty,
)
from safecity_web.reporting.schemes import may_see_alert
from safecity_web.site.demo_partnership import (
    BUSINESS,
    DEMO_DUTIES,
    REPORTING_CENTRE,
    ensure_organisations,
    reset_demo_users,
)

pytestmark = pytest.mark.django_db
LONDON = zoneinfo.ZoneInfo("Europe/London")
NOW = timezone.now()

KINDS = [
    ("hate", "verbal_abuse", ("race",), Channel.REPORTING_CENTRE, None),
    ("hate", "harassment", ("religion", "race"), Channel.PUBLIC_FORM, None),
    ("hate", "online", ("disability",), Channel.OPEN311, None),
    ("concern", "asb", (), Channel.PUBLIC_FORM, None),
    ("concern", "drug_dealing", (), Channel.OPEN311, None),
    ("business", "theft", (), Channel.BUSINESS, Decimal("23.40")),
    ("business", "criminal_damage", (), Channel.BUSINESS, Decimal("150.00")),
]


def _records(count: int = 60) -> list[SyntheticReport]:
    """Records spread over channels, kinds, both wards, four LSOAs and 14 months."""
    records = []
    for index in range(count):
        kind, category, strands, channel, losses = KINDS[index % len(KINDS)]
        online = category == "online"
        received = NOW - datetime.timedelta(days=30 * (index % 14) + 1, minutes=index)
        records.append(
            SyntheticReport(
                kind=kind,
                category=category,
                channel=channel,
                received_at=received,
                strands=strands,
                latitude=None if online else 50.905 + 0.03 * ((index // 2) % 2),
                longitude=None if online else -1.395 + 0.03 * (index % 2),
                losses_pounds=losses,
                description=f"Synthetic demo report number {index}",
            )
        )
    return records


def _expected_place(record: SyntheticReport) -> tuple[str, str]:
    if record.latitude is None or record.longitude is None:
        return "", ""
    side = "west" if record.longitude < -1.38 else "east"
    half = "south" if record.latitude < 50.92 else "north"
    return (WEST_WARD if side == "west" else EAST_WARD), LSOAS[(side, half)]


@pytest.fixture
def people() -> DemoPeople:
    publish_small_area()
    organisations = ensure_organisations()
    reset_demo_users(organisations=organisations)
    return DemoPeople(
        centre=organisations[REPORTING_CENTRE.name],
        centre_worker=User.objects.get(username="centre.worker@demo"),
        business=organisations[BUSINESS.name],
        business_member=User.objects.get(username="business.member@demo"),
        business_crime_manager=User.objects.get(username="business.crime@demo"),
    )


def test_the_demo_files_every_record_once_and_moves_some_on(people: DemoPeople) -> None:
    records = _records()
    outside = SyntheticReport(
        kind="concern",
        category="asb",
        channel=Channel.PUBLIC_FORM,
        received_at=NOW - datetime.timedelta(days=3),
        latitude=51.5,
        longitude=-0.1,
    )
    first = seed_demo_reporting(people=people, duties=DEMO_DUTIES, records=[*records, outside])
    assert first is not None
    assert (first.created, first.already_filed) == (60, 0)
    assert len(first.refused) == 1
    assert "outside the partnership's area" in first.refused[0]

    again = seed_demo_reporting(people=people, duties=DEMO_DUTIES, records=records)
    assert again is not None
    assert (again.created, again.already_filed, again.refused) == (0, 60, [])
    assert CommunityReport.objects.count() == 60
    assert TriageDuty.objects.count() == 3
    assert BusinessScheme.objects.count() == 1
    assert BusinessAlert.objects.count() == 1
    assert AgreementAcceptance.objects.count() == 1

    reports = CommunityReport.objects.all()
    assert {report.moderation for report in reports} == {Moderation.ACCEPTED}
    statuses = Counter(report.status for report in reports)
    assert statuses == {
        ReportStatus.RECEIVED: 10,
        ReportStatus.IN_REVIEW: 20,
        ReportStatus.REFERRED: 10,
        ReportStatus.CLOSED: 20,
    }
    for report in reports.filter(status=ReportStatus.CLOSED):
        assert report.outcome
        assert report.closed_at is not None
        assert [event.status for event in report.events.all()] == [
            ReportStatus.RECEIVED,
            ReportStatus.IN_REVIEW,
            ReportStatus.CLOSED,
        ]
        assert max(event.occurred_at for event in report.events.all()) <= timezone.now()
    for report in reports.filter(status=ReportStatus.REFERRED):
        assert report.police_reference.startswith("DEMO/")


def test_each_channel_is_filed_by_its_demo_account(people: DemoPeople) -> None:
    seed_demo_reporting(people=people, duties=DEMO_DUTIES, records=_records(21))
    by_channel = {
        channel: set(
            CommunityReport.objects.filter(channel=channel).values_list(
                "organisation__name", "submitted_by__username", "open311_application__name"
            )
        )
        for channel in Channel
    }
    assert by_channel[Channel.REPORTING_CENTRE] == {
        (REPORTING_CENTRE.name, "centre.worker@demo", None)
    }
    assert by_channel[Channel.BUSINESS] == {(BUSINESS.name, "business.member@demo", None)}
    assert by_channel[Channel.PUBLIC_FORM] == {(None, None, None)}
    assert by_channel[Channel.OPEN311] == {(None, None, "Demoton Hate Crime Reporting App (demo)")}
    report = CommunityReport.objects.filter(channel=Channel.BUSINESS).first()
    assert report is not None
    text = decrypt_text(report.encrypted_description, purpose=Purpose.PERSONAL_DATA)
    assert text.startswith("Synthetic demo report number")


def test_the_sites_export_of_the_demo_equals_the_records_counted(people: DemoPeople) -> None:
    """The export (``reporting.export``) has one row per month (Europe/London), kind,
    category, strands, channel, ward and LSOA, as counting the records themselves gives."""
    records = _records()
    seed_demo_reporting(people=people, duties=DEMO_DUTIES, records=records)
    counts: Counter[tuple[str, ...]] = Counter()
    losses: dict[tuple[str, ...], Decimal] = {}
    for record in records:
        ward, lsoa = _expected_place(record)
        key = (
            CSP_CODE,
            timezone.localtime(record.received_at, LONDON).strftime("%Y-%m"),
            record.kind,
            record.category,
            ";".join(sorted(record.strands)),
            record.channel.value,
            ward,
            lsoa,
        )
        counts[key] += 1
        if record.losses_pounds is not None:
            losses[key] = losses.get(key, Decimal(0)) + record.losses_pounds
    expected = [
        ",".join([*key, str(count), f"{losses[key]:.2f}" if key in losses else ""])
        for key, count in counts.items()
    ]
    exported = export_text().splitlines()
    assert exported[0] == (
        "area_code,month,kind,category,strands,channel,ward_code,lsoa_code,reports,losses_pounds"
    )
    assert sorted(exported[1:]) == sorted(expected)
    assert sum(int(line.split(",")[8]) for line in exported[1:]) == 60
    assert len({line.split(",")[1] for line in exported[1:]}) == 14


def test_the_demo_business_member_may_read_the_demo_alert(people: DemoPeople) -> None:
    seed_demo_reporting(people=people, duties=DEMO_DUTIES, records=None)
    alert = BusinessAlert.objects.get(scheme__name=DEMO_SCHEME_NAME)
    assert may_see_alert(user=people.business_member, alert=alert)
    assert may_see_alert(user=people.business_crime_manager, alert=alert)
    assert not may_see_alert(user=people.centre_worker, alert=alert)
    assert CommunityReport.objects.count() == 0


def test_a_generator_record_is_read_from_the_contracts_field_names() -> None:
    record = report_from_record(
        {
            "kind": "hate",
            "category": "verbal_abuse",
            "strands": "race;religion",
            "channel": "open311",
            "received": "2025-03-14",
            "lat": "50.91",
            "lon": "-1.39",
            "losses_pounds": "",
            "description": "Invented",
        }
    )
    assert record == SyntheticReport(
        kind="hate",
        category="verbal_abuse",
        channel=Channel.OPEN311,
        received_at=datetime.datetime(2025, 3, 14, 12, 0, tzinfo=LONDON),
        strands=("race", "religion"),
        latitude=50.91,
        longitude=-1.39,
        losses_pounds=None,
        description="Invented",
    )
    with pytest.raises(ValueError, match="unknown channel 'fax'"):
        report_from_record({"kind": "hate", "category": "x", "channel": "fax", "received": "x"})
