"""Reporting-centre and business report journeys (issue 13): who may use them, what is stored."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.db import transaction
from django.test import Client
from web_accounts import make_organisation, make_user
from web_report_journeys import YESTERDAY, answer, answer_all, date_answer
from web_reporting import EAST_WARD, publish_small_area

from safecity_web.accounts.models import (
    AuditAction,
    AuditEvent,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from safecity_web.encryption import Purpose, decrypt_text
from safecity_web.reporting.models import (
    BusinessScheme,
    Channel,
    CommunityReport,
    SchemeMembership,
)

pytestmark = pytest.mark.django_db

CENTRE = "/report/centre/new/"
BUSINESS = "/report/business/new/"
JOURNEY_URLS = {
    "centre": [CENTRE, f"{CENTRE}consent/", f"{CENTRE}check/", f"{CENTRE}done/"],
    "business": [BUSINESS, f"{BUSINESS}category/", f"{BUSINESS}check/", f"{BUSINESS}done/"],
}


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> Iterator[None]:
    caches["rate-limits"].clear()
    yield
    caches["rate-limits"].clear()


class People:
    """A centre, a business in a scheme, a business in none, a council; a user per role each."""

    def __init__(self) -> None:
        self.organisations = {
            "centre": make_organisation(
                name="Smallton Hate Crime Centre", kind=OrganisationKind.REPORTING_CENTRE
            ),
            "business": make_organisation(name="Corner Shop Ltd", kind=OrganisationKind.BUSINESS),
            "business-outside-scheme": make_organisation(
                name="Lonely Shop Ltd", kind=OrganisationKind.BUSINESS
            ),
            "council": make_organisation(name="Smallton Council", kind=OrganisationKind.COUNCIL),
        }
        scheme = BusinessScheme.objects.create(name="Smallton Business Crime Partnership")
        SchemeMembership.objects.create(scheme=scheme, organisation=self.organisations["business"])
        self.users: dict[tuple[str, Role], User] = {
            (where, role): make_user(
                username=f"{role.value}-{where}", role=role, organisation=organisation
            )
            for where, organisation in self.organisations.items()
            for role in Role
        }

    def user(self, where: str, role: Role) -> User:
        return self.users[(where, role)]

    def organisation(self, where: str) -> Organisation:
        return self.organisations[where]


@pytest.fixture
def people() -> People:
    publish_small_area()
    return People()


def _allowed(journey: str, where: str, role: Role) -> bool:
    if journey == "centre":
        return where == "centre" and role is Role.REPORTING_CENTRE_WORKER
    return where == "business" and role is Role.BUSINESS_MEMBER


@pytest.mark.parametrize("journey", ["centre", "business"])
def test_only_the_right_role_in_the_right_organisation_may_use_a_journey(
    journey: str, people: People
) -> None:
    wrong = []
    for url in JOURNEY_URLS[journey]:
        anonymous = Client().get(url)
        if anonymous.status_code != 302 or not anonymous["Location"].startswith(
            "/accounts/sign-in/"
        ):
            wrong.append(f"anonymous {url}: {anonymous.status_code}")
        for (where, role), user in people.users.items():
            client = Client()
            client.force_login(user)
            for method in ("get", "post"):
                with transaction.atomic():
                    response = getattr(client, method)(url)
                    denials = AuditEvent.objects.filter(
                        action=AuditAction.PERMISSION_DENIED
                    ).count()
                    transaction.set_rollback(True)
                allowed = _allowed(journey, where, role)
                refused = response.status_code == 403
                if (
                    refused == allowed
                    or (refused and denials != 1)
                    or (not refused and denials != 0)
                ):
                    wrong.append(
                        f"{method.upper()} {url} as {role.value} of {where}: "
                        f"{response.status_code}, {denials} denials"
                    )
    assert wrong == []


CENTRE_ANSWERS = [
    ("consent", {"agreed": "yes"}),
    ("sharing", {"share": ["description", "contact", "police"]}),
    ("kind", {"kind": "hate"}),
    ("strands", {"strands": ["sexual_orientation"]}),
    ("category", {"category": "physical_assault"}),
    ("when", {"when": "day", **date_answer("on", YESTERDAY)}),
    ("where", {"where": "place", "latitude": "50.93", "longitude": "-1.37"}),
    ("description", {"description": "Pushed over at the bus stop"}),
    ("targeted", {"targeted": ""}),
    ("victim-contact", {"may_contact": "yes", "how": ["phone", "centre"]}),
    ("contact", {"name": "A. Victim", "phone": "07700 900982", "email": ""}),
    ("photos", {}),
]


def test_a_centre_worker_reports_on_behalf_of_a_victim(client: Client, people: People) -> None:
    worker = people.user("centre", Role.REPORTING_CENTRE_WORKER)
    client.force_login(worker)
    start = client.get(CENTRE)
    assert "Smallton Hate Crime Centre" in start.content.decode()
    assert 'href="/report/centre/"' in start.content.decode()
    answer_all(client, CENTRE, CENTRE_ANSWERS[:8])
    targeted = client.get(f"{CENTRE}targeted/").content.decode()
    assert "Who was targeted? (optional)" in targeted
    assert "in the victim&#x27;s words" not in targeted
    assert answer_all(client, CENTRE, CENTRE_ANSWERS[8:]) == f"{CENTRE}check/"
    check = client.get(f"{CENTRE}check/").content.decode()
    assert "What happened, in the victim&#x27;s words" in check
    assert "Yes: By phone; Through the reporting centre" in check
    assert client.post(f"{CENTRE}check/", {"website": ""})["Location"] == f"{CENTRE}done/"
    report = CommunityReport.objects.get()
    assert report.channel == Channel.REPORTING_CENTRE
    assert report.organisation == people.organisation("centre")
    assert report.submitted_by == worker
    assert report.ward_code == EAST_WARD
    assert report.victim_consent == {
        "consent_to_report": True,
        "share_description": True,
        "share_contact_details": True,
        "share_with_police": True,
        "may_contact": True,
        "contact_by": ["phone", "centre"],
    }
    assert report.contact_consent is True
    contact = decrypt_text(report.encrypted_contact, purpose=Purpose.PERSONAL_DATA)
    assert "07700 900982" in contact
    assert "07700" not in report.encrypted_contact
    done = client.get(f"{CENTRE}done/").content.decode()
    assert report.reference in done
    assert 'href="/report/centre/"' in done


def test_a_victim_who_shares_little_gives_no_description_or_contact(
    client: Client, people: People
) -> None:
    client.force_login(people.user("centre", Role.REPORTING_CENTRE_WORKER))
    answers = [
        ("consent", {"agreed": "yes"}),
        ("sharing", {}),
        ("kind", {"kind": "concern"}),
        ("category", {"category": "unsafe_place"}),
        ("when", {"when": "day", **date_answer("on", YESTERDAY)}),
        ("where", {"where": "not_said"}),
        ("targeted", {"targeted": ""}),
        ("victim-contact", {"may_contact": "no"}),
        ("photos", {}),
    ]
    assert answer_all(client, CENTRE, answers) == f"{CENTRE}check/"
    assert client.get(f"{CENTRE}description/")["Location"] == f"{CENTRE}check/"
    client.post(f"{CENTRE}check/", {"website": ""})
    report = CommunityReport.objects.get()
    assert report.victim_consent["share_description"] is False
    assert report.victim_consent["may_contact"] is False
    assert report.contact_consent is False
    assert decrypt_text(report.encrypted_description, purpose=Purpose.PERSONAL_DATA) == ""


def test_the_centre_pages_say_what_is_wrong(client: Client, people: People) -> None:
    client.force_login(people.user("centre", Role.REPORTING_CENTRE_WORKER))
    refused = answer(client, CENTRE, "consent", {"agreed": "no"})
    assert refused.status_code == 200
    assert "You can only report on the victim&#x27;s behalf if they agree" in (
        refused.content.decode()
    )
    assert (
        "Select yes if the victim agreed" in answer(client, CENTRE, "consent", {}).content.decode()
    )
    answer_all(client, CENTRE, CENTRE_ANSWERS[:1])
    answer_all(client, CENTRE, [("sharing", {"share": ["description"]})])
    answer_all(client, CENTRE, CENTRE_ANSWERS[2:9])
    no_how = answer(client, CENTRE, "victim-contact", {"may_contact": "yes"})
    assert "Select how the victim may be contacted" in no_how.content.decode()
    not_shared = answer(client, CENTRE, "victim-contact", {"may_contact": "yes", "how": "email"})
    assert "did not agree to share their contact details" in not_shared.content.decode()


BUSINESS_ANSWERS = [
    ("category", {"category": "theft"}),
    ("when", {"when": "day", **date_answer("on", YESTERDAY)}),
    ("where", {"where": "place", "place": "Westfield"}),
    ("place", {"place": "E05900001"}),
    ("description", {"description": "Two bottles of spirits taken"}),
    ("losses", {"losses": "£1,250.50"}),
    ("offender", {"offender_description": "Tall, green jacket"}),
    ("photos", {}),
]


def test_a_business_member_reports_a_theft_with_losses(client: Client, people: People) -> None:
    member = people.user("business", Role.BUSINESS_MEMBER)
    client.force_login(member)
    assert client.get(f"{BUSINESS}kind/").status_code == 404
    assert answer_all(client, BUSINESS, BUSINESS_ANSWERS) == f"{BUSINESS}check/"
    check = client.get(f"{BUSINESS}check/").content.decode()
    assert "£1,250.50" in check
    assert "Tall, green jacket" in check
    client.post(f"{BUSINESS}check/", {"website": ""})
    report = CommunityReport.objects.get()
    assert report.channel == Channel.BUSINESS
    assert (report.kind, report.category) == ("business", "theft")
    assert report.losses_pounds == Decimal("1250.50")
    assert report.organisation == people.organisation("business")
    assert report.submitted_by == member
    offender = decrypt_text(report.encrypted_offender_description, purpose=Purpose.PERSONAL_DATA)
    assert offender == "Tall, green jacket"
    assert "green jacket" not in report.encrypted_offender_description
    assert report.retain_until - report.received_at == datetime.timedelta(days=730)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("two hundred", "Enter the losses as an amount in pounds"),
        ("-5", "Enter the losses as an amount in pounds"),
        ("12.345", "Enter the losses as an amount in pounds"),
        ("10000000", "The losses must be less than £10,000,000"),
    ],
)
def test_losses_must_be_an_amount_in_pounds(
    client: Client, people: People, typed: str, message: str
) -> None:
    client.force_login(people.user("business", Role.BUSINESS_MEMBER))
    answer_all(client, BUSINESS, BUSINESS_ANSWERS[:5])
    response = answer(client, BUSINESS, "losses", {"losses": typed})
    assert response.status_code == 200
    assert message in response.content.decode()


def test_no_losses_is_allowed(client: Client, people: People) -> None:
    client.force_login(people.user("business", Role.BUSINESS_MEMBER))
    answers = [
        (slug, {"losses": ""} if slug == "losses" else data) for slug, data in BUSINESS_ANSWERS
    ]
    answer_all(client, BUSINESS, answers)
    client.post(f"{BUSINESS}check/", {"website": ""})
    assert CommunityReport.objects.get().losses_pounds is None


def test_signed_in_journeys_count_only_against_the_site_wide_limit(
    client: Client, people: People
) -> None:
    client.force_login(people.user("business", Role.BUSINESS_MEMBER))
    for number in range(11):
        answers = [
            (slug, {"description": f"Theft {number}"} if slug == "description" else data)
            for slug, data in BUSINESS_ANSWERS
        ]
        answer_all(client, BUSINESS, answers)
        assert client.post(f"{BUSINESS}check/", {"website": ""}).status_code == 302
    assert CommunityReport.objects.count() == 11
