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
    commentary: Annotated[
        Path | None,
        typer.Option(
            "--commentary",
            help="The analyst's commentary file (docs/commentary.md), loaded into the assessment"
            " after it: decisions on the recommendations, commentary, area context notes.",
            exists=True,
            file_okay=True,
            dir_okay=False,
        ),
    ] = None,
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
    if completed.returncode == 0 and commentary is not None:
        completed = subprocess.run(
            manage_command(
                arguments=[
                    "import_commentary",
                    str(commentary.resolve()),
                    "--source-directory",
                    str(assessment.resolve()),
                ]
            ),
            env=site_environment(),
            check=False,
        )
        if completed.returncode != 0:
            error_console.print(
                f"error: the assessment was loaded, but loading the commentary {commentary}"
                f" failed (exit code {completed.returncode}); the site's message is above. Fix"
                " the file and load it with `python -m safecity_web import_commentary FILE`.",
                markup=False,
                soft_wrap=True,
            )
    raise typer.Exit(code=completed.returncode)
