"""``demo_site``: the demo partnership's organisations, a user per role, strategy and publishing."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from web_assets_cli import STRATEGY_FILE

from safecity_web.accounts.models import Organisation, OrganisationKind, Role, User
from safecity_web.intelligence.models import ReceiverDesignation
from safecity_web.observatory.models import AssessmentStatus, PublishedAssessment
from safecity_web.reporting.models import AgreementAcceptance, TriageDuty
from safecity_web.strategy.models import ActionResponsibility, Strategy

SIGN_IN = re.compile(
    r"Sign in as analyst@demo / (\S+) at http://127\.0\.0\.1:8000/accounts/sign-in/"
)


def _strategy_file() -> Path:
    """The reference strategy in ../shared/strategy (skips locally when absent, fails in CI)."""
    if not STRATEGY_FILE.is_file():
        message = f"reference strategy not found at {STRATEGY_FILE}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return STRATEGY_FILE


def _run_demo_site(*arguments: str) -> str:
    output = io.StringIO()
    call_command("demo_site", *arguments, stdout=output)
    return output.getvalue()


@pytest.mark.django_db
def test_demo_site_seeds_partners_users_strategy_publishes_and_runs_again(
    demo_artefact: Path,
) -> None:
    artefact = demo_artefact
    strategy_file = _strategy_file()
    output = _run_demo_site("--assessment", str(artefact), "--strategy", str(strategy_file))

    assert set(Organisation.objects.values_list("kind", flat=True)) == set(OrganisationKind.values)
    assert Organisation.objects.count() == 9
    users = {
        user.username: (user.role, user.organisation.kind if user.organisation else None)
        for user in User.objects.all()
    }
    assert users == {
        "analyst@demo": (Role.ANALYST, OrganisationKind.COUNCIL),
        "administrator@demo": (Role.ADMINISTRATOR, OrganisationKind.COUNCIL),
        "board.member@demo": (Role.BOARD_MEMBER, OrganisationKind.POLICE),
        "officer@demo": (Role.PARTNER_OFFICER, OrganisationKind.FIRE),
        "centre.worker@demo": (Role.REPORTING_CENTRE_WORKER, OrganisationKind.REPORTING_CENTRE),
        "business.member@demo": (Role.BUSINESS_MEMBER, OrganisationKind.BUSINESS),
        "hate.coordinator@demo": (Role.PARTNER_OFFICER, OrganisationKind.COUNCIL),
        "police.spoc@demo": (Role.PARTNER_OFFICER, OrganisationKind.POLICE),
        "business.crime@demo": (
            Role.PARTNER_OFFICER,
            OrganisationKind.BUSINESS_IMPROVEMENT_DISTRICT,
        ),
        "police.intelligence@demo": (Role.ANALYST, OrganisationKind.POLICE),
    }
    # Partner intelligence (issue 14): the demo's receivers.
    assert set(ReceiverDesignation.objects.values_list("user__username", "receiver")) == {
        ("police.intelligence@demo", "police_intelligence"),
        ("analyst@demo", "partnership_intelligence"),
    }
    # Community reporting (issue 13): duty holders, and the scheme's member has accepted.
    assert set(TriageDuty.objects.values_list("user__username", "duty")) == {
        ("hate.coordinator@demo", "hate_crime_coordinator"),
        ("police.spoc@demo", "police_spoc"),
        ("business.crime@demo", "business_crime_manager"),
    }
    assert AgreementAcceptance.objects.get().user.username == "business.member@demo"
    assert "Demoton Business Crime Partnership" in output
    for user in User.objects.all():
        shown = re.search(rf"^  {re.escape(user.username)} .* (\S+)$", output, re.MULTILINE)
        assert shown is not None, output
        assert user.check_password(shown.group(1))
        assert not user.is_staff
        assert not user.is_superuser

    sign_in = SIGN_IN.search(output)
    assert sign_in is not None, output
    assert User.objects.get(username="analyst@demo").check_password(sign_in.group(1))

    published = PublishedAssessment.objects.get(status=AssessmentStatus.PUBLISHED)
    assert (published.area_code, published.area_name, published.period) == (
        "E22900001",
        "Demoton",
        "2024/25",
    )
    assert PublishedAssessment.objects.count() == 1

    assert Strategy.objects.count() == 1
    linked = set(
        ActionResponsibility.objects.filter(organisation__isnull=False).values_list(
            "organisation__name", flat=True
        )
    )
    # The organisations are named as the strategy's bodies, so its actions link to them.
    assert {
        "Hampshire and Isle of Wight Constabulary",
        "Southampton City Council",
        "Probation Service",
        "GO! Southampton",
    } <= linked

    # Run again (as every `safecity serve --demo` does): new passwords, nothing published or
    # created twice; without --strategy the action plan is left as it is, with a note.
    again = _run_demo_site("--assessment", str(artefact))
    new_sign_in = SIGN_IN.search(again)
    assert new_sign_in is not None
    assert new_sign_in.group(1) != sign_in.group(1)
    analyst = User.objects.get(username="analyst@demo")
    assert analyst.check_password(new_sign_in.group(1))
    assert not analyst.check_password(sign_in.group(1))
    assert "already published" in again
    assert "No --strategy given" in again
    assert PublishedAssessment.objects.count() == 1
    assert User.objects.count() == 10
    assert ReceiverDesignation.objects.count() == 2
    assert Organisation.objects.count() == 9
    assert TriageDuty.objects.count() == 3
    assert AgreementAcceptance.objects.count() == 1
    assert Strategy.objects.count() == 1


@pytest.mark.django_db
def test_demo_site_without_the_assessment_folder_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"no such folder; run `safecity demo` first"):
        _run_demo_site("--assessment", str(tmp_path / "missing"))
    assert User.objects.count() == 0
