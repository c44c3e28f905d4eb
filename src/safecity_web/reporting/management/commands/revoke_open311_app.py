"""Revoke a reporting app's Open311 API key: its submissions are refused (403) from now on.

``python -m safecity_web revoke_open311_app "Report Hate App"``. Reports it already sent stay.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safecity_web.open311.keys import ApplicationError, revoke_application


class Command(BaseCommand):
    help = "Revoke an Open311 reporting app's API key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="the app's name")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            application = revoke_application(name=options["name"])
        except ApplicationError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"revoked {application.name!r} (key {application.key_prefix}...) at "
            f"{application.revoked_at:%Y-%m-%d %H:%M %Z}"
        )
