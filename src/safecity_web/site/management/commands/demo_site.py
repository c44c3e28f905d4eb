"""``demo_site``: seed the demo partnership and publish the demo assessment.

Creates the partner organisations of the demo Community Safety Partnership (with a reporting
centre and a business), one user per role and the community-reporting duty holders
with fresh random passwords (printed, never stored), imports the example strategy as the action
plan when ``--strategy PATH`` is given (and the strategy app's ``import_strategy`` command
exists), and publishes the Assessment artefact given by ``--assessment`` unless that very
artefact is already the published one. Then it seeds community reporting
(``safecity_web.reporting.demo_reports``): triage duties, the demo business crime scheme with an
accepted agreement and an alert, and the core's synthetic community reports once the gateway
offers them. Safe to run again: it changes only what is missing, and gives the demo users new
passwords.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_datetime

from safecity_web.accounts.models import Organisation, User
from safecity_web.intelligence.models import ReceiverDesignation
from safecity_web.observatory.models import AssessmentStatus, PublishedAssessment
from safecity_web.reporting.demo_reports import (
    DEMO_SCHEME_NAME,
    DemoPeople,
    records_from_core,
    seed_demo_reporting,
)
from safecity_web.site.demo_partnership import (
    BUSINESS,
    DEMO_ANALYST,
    DEMO_DUTIES,
    DEMO_RECEIVERS,
    DEMO_USERS,
    REPORTING_CENTRE,
    ensure_organisations,
    reset_demo_users,
)

PUBLISH_COMMAND = "publish_assessment"
IMPORT_STRATEGY_COMMAND = "import_strategy"
DEFAULT_SIGN_IN_URL = "http://127.0.0.1:8000/accounts/sign-in/"


def already_published(*, assessment: Path) -> PublishedAssessment | None:
    """The published assessment loaded from this very artefact (same area and creation time)."""
    manifest_path = assessment / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CommandError(
            f"{manifest_path}: cannot read the artefact's manifest ({error}); "
            "is this an Assessment artefact folder written by `safecity assess`?"
        ) from error
    area = manifest.get("area") or {}
    created = parse_datetime(str(manifest.get("created_at") or ""))
    if not area.get("code") or created is None:
        raise CommandError(f"{manifest_path}: the manifest has no area code or created_at")
    return PublishedAssessment.objects.filter(
        area_code=area["code"], artefact_created_at=created, status=AssessmentStatus.PUBLISHED
    ).first()


class Command(BaseCommand):
    """Seed the demo partnership: organisations, users per role, strategy, published assessment."""

    help = (
        "Create the demo partnership's organisations and one user per role (new random passwords,"
        " printed), import --strategy as the action plan, publish --assessment."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """The artefact to publish, the strategy to import, the sign-in address to print."""
        parser.add_argument(
            "--assessment",
            type=Path,
            required=True,
            help="the Assessment artefact folder to publish (demo/assessment after safecity demo)",
        )
        parser.add_argument(
            "--strategy",
            type=Path,
            default=None,
            help="a strategy YAML to import as the example action plan (skipped when not given)",
        )
        parser.add_argument(
            "--sign-in-url",
            default=DEFAULT_SIGN_IN_URL,
            help="the sign-in address printed with the demo analyst's password",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Seed everything, then print the demo accounts and their passwords."""
        assessment: Path = options["assessment"]
        strategy: Path | None = options["strategy"]
        if not assessment.is_dir():
            raise CommandError(
                f"{assessment}: no such folder; run `safecity demo` first (it writes "
                "demo/assessment) or give the Assessment artefact folder with --assessment"
            )
        organisations = ensure_organisations()
        self.stdout.write(f"Partner organisations: {', '.join(sorted(organisations))}.")
        passwords = reset_demo_users(organisations=organisations)
        self._import_strategy(strategy=strategy)
        self._publish(assessment=assessment)
        self._seed_reporting(organisations=organisations)
        self._designate_receivers()
        self.stdout.write("")
        self.stdout.write("Demo accounts (new passwords on every run; not stored anywhere else):")
        for demo_user in DEMO_USERS:
            extra = DEMO_DUTIES.get(demo_user.username, "") or DEMO_RECEIVERS.get(
                demo_user.username, ""
            )
            role = f"{demo_user.role.label}{' + ' + extra if extra else ''}"
            self.stdout.write(
                f"  {demo_user.username:<22} {role:<40} "
                f"{demo_user.organisation:<52} {passwords[demo_user.username]}"
            )
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"Sign in as {DEMO_ANALYST.username} / {passwords[DEMO_ANALYST.username]}"
                f" at {options['sign_in_url']}"
            )
        )

    def _designate_receivers(self) -> None:
        """The demo's intelligence receivers (issue 14), designated once however often run."""
        for username, receiver in DEMO_RECEIVERS.items():
            ReceiverDesignation.objects.get_or_create(
                user=User.objects.get(username=username), receiver=receiver
            )
        self.stdout.write(
            "Partner intelligence receivers: "
            + ", ".join(f"{username} ({receiver})" for username, receiver in DEMO_RECEIVERS.items())
            + "."
        )

    def _seed_reporting(self, *, organisations: dict[str, Organisation]) -> None:
        """Duty holders, the business scheme and the synthetic community reports."""
        people = DemoPeople(
            centre=organisations[REPORTING_CENTRE.name],
            centre_worker=User.objects.get(username="centre.worker@demo"),
            business=organisations[BUSINESS.name],
            business_member=User.objects.get(username="business.member@demo"),
            business_crime_manager=User.objects.get(username="business.crime@demo"),
        )
        records = records_from_core()
        outcome = seed_demo_reporting(people=people, duties=DEMO_DUTIES, records=records)
        self.stdout.write(
            f"Community reporting: {REPORTING_CENTRE.name}; {DEMO_SCHEME_NAME} with "
            f"{BUSINESS.name} as a member that accepted the agreement."
        )
        if outcome is None:
            self.stdout.write(
                "No synthetic community reports: the core's generator"
                " (core_gateway.synthetic_community_reports) is not installed."
            )
            return
        self.stdout.write(
            f"Synthetic community reports: {outcome.created} filed, "
            f"{outcome.already_filed} already there, {len(outcome.refused)} refused."
        )
        for reason in outcome.refused[:10]:
            self.stdout.write(f"  refused: {reason}")

    def _import_strategy(self, *, strategy: Path | None) -> None:
        if strategy is None:
            self.stdout.write(
                "No --strategy given: the demo has no action plan (give the strategy YAML, e.g."
                " ../shared/strategy/southampton-safe-city-strategy-2022-2027.yaml, to import it)."
            )
            return
        if IMPORT_STRATEGY_COMMAND not in get_commands():
            self.stdout.write(
                f"The {IMPORT_STRATEGY_COMMAND} command is not installed: strategy not imported."
            )
            return
        if not strategy.is_file():
            raise CommandError(f"{strategy}: no such strategy file")
        call_command(IMPORT_STRATEGY_COMMAND, str(strategy), stdout=self.stdout)

    def _publish(self, *, assessment: Path) -> None:
        published = already_published(assessment=assessment)
        if published is not None:
            self.stdout.write(
                f"The demo assessment is already published (assessment {published.pk},"
                f" {published.area_name} {published.period}); not loaded again."
            )
            return
        if PUBLISH_COMMAND not in get_commands():
            raise CommandError(
                f"the {PUBLISH_COMMAND} command is not installed, so the assessment cannot be"
                " published"
            )
        call_command(
            PUBLISH_COMMAND,
            "--assessment",
            str(assessment.resolve()),
            "--publish",
            stdout=self.stdout,
        )
