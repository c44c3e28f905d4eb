"""``publish_assessment --assessment DIR [--publish] [--user NAME]``: load an artefact."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from safecity_web.accounts.models import User
from safecity_web.observatory.publishing import PublishingError, load_draft, publish


class Command(BaseCommand):
    """Load an Assessment artefact's public tables as a draft; optionally publish it at once."""

    help = (
        "Load the public, disclosure-controlled tables of an Assessment artefact (the folder "
        "`safecity assess` writes) as a draft, and print its preview URL. With --publish, "
        "publish it at once (superseding the area's previously published assessment)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--assessment", required=True, type=Path, help="the artefact folder to load"
        )
        parser.add_argument("--publish", action="store_true", help="publish the draft at once")
        parser.add_argument(
            "--user", default="", help="username recorded as the publisher (audit log)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user: User | None = None
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"--user {options['user']!r}: no such user")
        try:
            draft = load_draft(directory=options["assessment"])
        except PublishingError as error:
            raise CommandError(str(error)) from error
        preview = reverse("observatory:preview", kwargs={"assessment_id": draft.pk})
        self.stdout.write(
            f"Loaded draft assessment {draft.pk}: {draft.area_name} ({draft.area_code}) "
            f"{draft.period}, {draft.indicator_values.count()} indicator rows"
        )
        self.stdout.write(f"Preview: {preview}")
        if options["publish"]:
            published = publish(draft, user=user)
            self.stdout.write(
                f"Published assessment {published.pk}: "
                f"{reverse('observatory:assessment', kwargs={'assessment_id': published.pk})}"
            )
