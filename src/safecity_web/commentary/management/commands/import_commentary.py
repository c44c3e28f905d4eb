"""``import_commentary PATH [--assessment ID]``: load a commentary file into an assessment.

The same file ``safecity report --commentary`` reads (``docs/commentary.md``): decisions on the
drafted recommendations, commentary by section and indicator, context notes by area. Without
``--assessment`` it goes to the currently published assessment. One transaction; audit-logged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safecity_web.commentary.services import CommentaryRejectedError, import_file
from safecity_web.observatory.models import PublishedAssessment
from safecity_web.observatory.queries import current_assessment


class Command(BaseCommand):
    """Load a commentary file into an assessment on the site."""

    help = "Load a commentary file (decisions, commentary, context notes) into an assessment."

    def add_arguments(self, parser: CommandParser) -> None:
        """Take the file's path and, optionally, the assessment's id."""
        parser.add_argument("path", type=Path, help="the commentary YAML file")
        parser.add_argument(
            "--assessment",
            type=int,
            default=None,
            help="the assessment's id (default: the currently published one)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Load the file and say what was written."""
        path: Path = options["path"]
        chosen = options["assessment"]
        assessment = (
            PublishedAssessment.objects.filter(pk=chosen).first()
            if chosen is not None
            else current_assessment()
        )
        if assessment is None:
            raise CommandError(
                f"no assessment {chosen}" if chosen is not None else "no assessment is published"
            )
        try:
            decisions, entries = import_file(assessment=assessment, path=path)
        except CommentaryRejectedError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Loaded {decisions} decision(s) and {entries} commentary entr"
            f"{'y' if entries == 1 else 'ies'} into {assessment} (id {assessment.pk})."
        )
