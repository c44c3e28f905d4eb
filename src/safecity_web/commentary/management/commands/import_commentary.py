"""``import_commentary PATH [--assessment ID | --source-directory DIR]``: load a commentary
file into an assessment.

The same file ``safecity report --commentary`` reads (``docs/commentary.md``): decisions on the
drafted recommendations, commentary by section and indicator, context notes by area. It goes to
assessment ``ID``, or to the assessment last loaded from the artefact folder ``DIR`` (what
``safecity publish --commentary`` passes), else to the currently published assessment. One
transaction; audit-logged.
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
        parser.add_argument(
            "--source-directory",
            type=Path,
            default=None,
            help="the artefact folder: the assessment last loaded from it",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Load the file and say what was written."""
        path: Path = options["path"]
        chosen = options["assessment"]
        source: Path | None = options["source_directory"]
        if chosen is not None:
            assessment = PublishedAssessment.objects.filter(pk=chosen).first()
            missing = f"no assessment {chosen}"
        elif source is not None:
            assessment = (
                PublishedAssessment.objects.filter(source_directory=str(source.resolve()))
                .order_by("-created_at", "-id")
                .first()
            )
            missing = f"no assessment was loaded from {source}"
        else:
            assessment = current_assessment()
            missing = "no assessment is published"
        if assessment is None:
            raise CommandError(missing)
        try:
            decisions, entries = import_file(assessment=assessment, path=path)
        except CommentaryRejectedError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Loaded {decisions} decision(s) and {entries} commentary entr"
            f"{'y' if entries == 1 else 'ies'} into {assessment} (id {assessment.pk})."
        )
