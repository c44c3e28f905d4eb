"""``safecity publish``: load an Assessment artefact into the web site (as a draft, or public).

Runs the site's ``publish_assessment`` management command in a subprocess (the core never
imports Django), with the database and settings from the environment, relaying its output and
exit code. Only the artefact's public, disclosure-controlled tables are loaded.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Annotated

import typer

from safecity.cli.options import error_console
from safecity.cli.serve import manage_command, site_environment


def publish_command(
    *,
    assessment: Annotated[
        Path,
        typer.Option(
            "--assessment",
            help="The Assessment artefact folder (from `safecity assess` or `safecity demo`).",
            exists=True,
            file_okay=False,
            dir_okay=True,
        ),
    ],
    publish: Annotated[
        bool,
        typer.Option(
            "--publish/--draft",
            help="Make it public at once; without it the assessment is a draft that an analyst"
            " previews and publishes in the partner portal.",
        ),
    ] = False,
) -> None:
    """Load an Assessment artefact into the web site's database as a draft (or publish it).

    The database and settings come from the environment (DATABASE_URL, DJANGO_SETTINGS_MODULE);
    run `safecity serve` once first so that the database is migrated.
    """
    arguments = ["publish_assessment", "--assessment", str(assessment.resolve())]
    if publish:
        arguments.append("--publish")
    try:
        completed = subprocess.run(
            manage_command(arguments=arguments), env=site_environment(), check=False
        )
    except KeyboardInterrupt as interruption:
        error_console.print(
            "\ninterrupted: publishing is one transaction, so nothing half-loaded was kept.",
            markup=False,
            soft_wrap=True,
        )
        raise typer.Exit(code=130) from interruption
    if completed.returncode != 0:
        error_console.print(
            f"error: publishing {assessment} failed (exit code {completed.returncode}); the"
            " site's message is above. A new database needs migrating first: `safecity serve`"
            " or `python -m safecity_web migrate`.",
            markup=False,
            soft_wrap=True,
        )
    raise typer.Exit(code=completed.returncode)
