"""The demo partnership: its partner organisations and one user per role.

The organisations are named as the bodies in the example strategy (Southampton's Safe City
Strategy 2022-2027, imported as the demo action plan), so that the plan's responsible bodies link
to them without an administrator's help. The voluntary-sector body is not named in that strategy.
Passwords are generated afresh on every run (``secrets``) and only printed, never stored in the
repository.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction

from safecity_web.accounts.models import Organisation, OrganisationKind, Role, User

PASSWORD_BYTES = 15
DEMO_EMAIL_DOMAIN = "demo.invalid"


@dataclass(frozen=True)
class DemoOrganisation:
    """A partner organisation of the demo partnership."""

    name: str
    kind: OrganisationKind


@dataclass(frozen=True)
class DemoUser:
    """A demo account: its username, role and organisation (by name)."""

    username: str
    role: Role
    organisation: str
    first_name: str
    last_name: str


POLICE = DemoOrganisation("Hampshire and Isle of Wight Constabulary", OrganisationKind.POLICE)
COUNCIL = DemoOrganisation("Southampton City Council", OrganisationKind.COUNCIL)
FIRE = DemoOrganisation(
    "Hampshire and Isle of Wight Fire and Rescue Service", OrganisationKind.FIRE
)
PROBATION = DemoOrganisation("Probation Service", OrganisationKind.PROBATION)
HEALTH = DemoOrganisation(
    "Hampshire, Southampton and Isle of Wight Clinical Commissioning Group", OrganisationKind.HEALTH
)
VOLUNTARY_SECTOR = DemoOrganisation(
    "Southampton Voluntary Services", OrganisationKind.VOLUNTARY_SECTOR
)
BUSINESS_IMPROVEMENT_DISTRICT = DemoOrganisation(
    "GO! Southampton", OrganisationKind.BUSINESS_IMPROVEMENT_DISTRICT
)
# Community reporting (issue 13): a third-party reporting centre and a member business of the
# demo business crime scheme (both invented for the demo city).
REPORTING_CENTRE = DemoOrganisation(
    "Demoton Hate Crime Reporting Centre", OrganisationKind.REPORTING_CENTRE
)
BUSINESS = DemoOrganisation("Demoton High Street Pharmacy", OrganisationKind.BUSINESS)

DEMO_ORGANISATIONS = (
    POLICE,
    COUNCIL,
    FIRE,
    PROBATION,
    HEALTH,
    VOLUNTARY_SECTOR,
    BUSINESS_IMPROVEMENT_DISTRICT,
    REPORTING_CENTRE,
    BUSINESS,
)

DEMO_ANALYST = DemoUser("analyst@demo", Role.ANALYST, COUNCIL.name, "Demo", "Analyst")
DEMO_USERS = (
    DEMO_ANALYST,
    DemoUser("administrator@demo", Role.ADMINISTRATOR, COUNCIL.name, "Demo", "Administrator"),
    DemoUser("board.member@demo", Role.BOARD_MEMBER, POLICE.name, "Demo", "Board Member"),
    DemoUser("officer@demo", Role.PARTNER_OFFICER, FIRE.name, "Demo", "Partner Officer"),
    DemoUser(
        "centre.worker@demo",
        Role.REPORTING_CENTRE_WORKER,
        REPORTING_CENTRE.name,
        "Demo",
        "Centre Worker",
    ),
    DemoUser(
        "business.member@demo", Role.BUSINESS_MEMBER, BUSINESS.name, "Demo", "Business Member"
    ),
    DemoUser(
        "hate.coordinator@demo",
        Role.PARTNER_OFFICER,
        COUNCIL.name,
        "Demo",
        "Hate Crime Coordinator",
    ),
    DemoUser("police.spoc@demo", Role.PARTNER_OFFICER, POLICE.name, "Demo", "Police SPOC"),
    DemoUser(
        "business.crime@demo",
        Role.PARTNER_OFFICER,
        BUSINESS_IMPROVEMENT_DISTRICT.name,
        "Demo",
        "Business Crime Manager",
    ),
    DemoUser("police.intelligence@demo", Role.ANALYST, POLICE.name, "Demo", "Intelligence Officer"),
)

# The triage duty (``community_reports.yaml`` duties) each duty-holding demo user holds.
DEMO_DUTIES = {
    "hate.coordinator@demo": "hate_crime_coordinator",
    "police.spoc@demo": "police_spoc",
    "business.crime@demo": "business_crime_manager",
}


# The intelligence receiver (``intelligence.yaml`` receivers) each receiving demo user is
# designated as (issue 14): the police intelligence officer receives exploitation, county lines,
# modern slavery and hate; the partnership's analyst also receives anti-social behaviour and
# places of concern. Radicalisation concerns (the Prevent lead) have no demo receiver.
DEMO_RECEIVERS = {
    "police.intelligence@demo": "police_intelligence",
    "analyst@demo": "partnership_intelligence",
}


def new_password() -> str:
    """A random password (about 20 URL-safe characters) for one run of the demo."""
    return secrets.token_urlsafe(PASSWORD_BYTES)


@transaction.atomic
def ensure_organisations() -> dict[str, Organisation]:
    """Create the demo organisations that do not exist yet; return all of them by name."""
    organisations: dict[str, Organisation] = {}
    for organisation in DEMO_ORGANISATIONS:
        record, _ = Organisation.objects.update_or_create(
            name=organisation.name, defaults={"kind": organisation.kind}
        )
        organisations[organisation.name] = record
    return organisations


@transaction.atomic
def reset_demo_users(*, organisations: dict[str, Organisation]) -> dict[str, str]:
    """Create or update one user per role with a fresh password; return passwords by username.

    The users are active, have no second factor set up by this function, and are not Django
    staff (the portal's administrator role is a Safe City role, not Django's admin site).
    """
    passwords: dict[str, str] = {}
    for demo_user in DEMO_USERS:
        user, _ = User.objects.update_or_create(
            username=demo_user.username,
            defaults={
                "role": demo_user.role,
                "organisation": organisations[demo_user.organisation],
                "first_name": demo_user.first_name,
                "last_name": demo_user.last_name,
                "email": f"{demo_user.username.split('@')[0]}@{DEMO_EMAIL_DOMAIN}",
                "is_active": True,
            },
        )
        password = new_password()
        user.set_password(password)
        user.save(update_fields=["password"])
        passwords[demo_user.username] = password
    return passwords
