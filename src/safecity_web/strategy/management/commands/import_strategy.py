"""``import_strategy PATH``: import a strategy YAML file (idempotent: same file, no change)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safecity_web.strategy.importing import import_strategy
from safecity_web.strategy.strategy_file import StrategyFileError


class Command(BaseCommand):
    """Import a strategy YAML file into the partner portal."""

    help = "Import a strategy YAML file (priorities, focus areas, outcomes, actions)."

    def add_arguments(self, parser: CommandParser) -> None:
        """Take the file's path."""
        parser.add_argument("path", type=Path, help="the strategy YAML file")

    def handle(self, *args: Any, **options: Any) -> None:
        """Import the file and report what was imported and which bodies are unmatched."""
        path: Path = options["path"]
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: cannot read the file ({error.strerror})") from error
        try:
            result = import_strategy(content=content, source_name=path.name)
        except StrategyFileError as error:
            raise CommandError(f"{path}: {error}") from error
        strategy = result.strategy
        if result.created:
            self.stdout.write(f"Imported {strategy} from {path.name} (id {strategy.pk}).")
        else:
            self.stdout.write(
                f"Already imported: {strategy} (id {strategy.pk}, same sha256); nothing changed."
            )
        if result.unmatched_bodies:
            self.stdout.write(
                f"{len(result.unmatched_bodies)} responsible bodies match no organisation; "
                "an administrator can link them at /partners/strategy/bodies/:"
            )
            for body in result.unmatched_bodies:
                self.stdout.write(f"  {body.name} ({body.action_count} actions)")
