"""``create_administrator``: the first portal administrator of a new site.

The administrator then creates the other organisations and users in the portal. The password
is asked for twice (not echoed), or read from the environment variable
``SAFECITY_ADMINISTRATOR_PASSWORD`` for unattended set-up; it must pass the site's password
validators (at least 12 characters, not common, not all digits, not like the username).
"""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from safecity_web.accounts.audit import record_event
from safecity_web.accounts.models import AuditAction, Organisation, OrganisationKind, Role, User

PASSWORD_VARIABLE = "SAFECITY_ADMINISTRATOR_PASSWORD"


class Command(BaseCommand):
    """Create (or promote) a user as administrator of an organisation."""

    help = (
        "Create the first administrator: a user with the administrator role in an organisation "
        f"(created if missing). Password from a prompt or ${PASSWORD_VARIABLE}."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """Username, email, organisation and its kind."""
        parser.add_argument("--username", required=True, help="the sign-in name")
        parser.add_argument("--email", required=True, help="for password reset")
        parser.add_argument(
            "--organisation", required=True, help="the organisation's name, e.g. a council"
        )
        parser.add_argument(
            "--kind",
            choices=OrganisationKind.values,
            default=OrganisationKind.COUNCIL.value,
            help="the kind of organisation when it is created (default council)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Validate the password, then create or update the user in one transaction."""
        username: str = options["username"].strip()
        if not username:
            raise CommandError("--username must not be empty")
        existing = User.objects.filter(username=username).first()
        candidate = existing or User(username=username, email=options["email"])
        password = self._password()
        try:
            validate_password(password, user=candidate)
        except ValidationError as error:
            raise CommandError(
                "the password is not accepted: " + " ".join(error.messages)
            ) from error
        with transaction.atomic():
            organisation, created_organisation = Organisation.objects.get_or_create(
                name=options["organisation"].strip(), defaults={"kind": options["kind"]}
            )
            user = candidate
            user.email = options["email"]
            user.organisation = organisation
            user.role = Role.ADMINISTRATOR
            user.is_active = True
            user.set_password(password)
            user.save()
            record_event(
                request=None,
                action=AuditAction.CREATED if existing is None else AuditAction.EDITED,
                subject=user,
                user=None,
                username="command line",
                detail=f"administrator {username} of {organisation.name} (command line)",
            )
        verb = "Created" if existing is None else "Made"
        self.stdout.write(
            f"{verb} {username} administrator of {organisation.name}"
            + (" (organisation created)." if created_organisation else ".")
        )

    def _password(self) -> str:
        from_environment = os.environ.get(PASSWORD_VARIABLE)
        if from_environment:
            return from_environment
        try:
            first = getpass.getpass("Password: ")
            second = getpass.getpass("Password again: ")
        except EOFError as error:
            raise CommandError(
                f"no password: run interactively, or set ${PASSWORD_VARIABLE}"
            ) from error
        if first != second:
            raise CommandError("the two passwords differ")
        return first
