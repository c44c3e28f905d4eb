"""Register a reporting app for the Open311 API and print its API key, once.

``python -m safecity_web create_open311_app "Report Hate App" --contact-email apps@example.org``
prints the new key on its own line: hand it to the app's developers over a safe channel. The
site keeps only the key's SHA-256 and its first characters, so a lost key cannot be shown
again: revoke it (``revoke_open311_app``) and register the app under a new name.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safecity_web.open311.keys import ApplicationError, register_application


class Command(BaseCommand):
    help = "Register an Open311 reporting app and print its API key (shown only this once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="the app's name (unique)")
        parser.add_argument("--contact-email", default="", help="who runs the app")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            registered = register_application(
                name=options["name"], contact_email=options["contact_email"]
            )
        except ApplicationError as error:
            raise CommandError(str(error)) from error
        application = registered.application
        self.stdout.write(
            f"registered {application.name!r} (key {application.key_prefix}...); its API key, "
            "shown only this once:"
        )
        self.stdout.write(registered.api_key)
