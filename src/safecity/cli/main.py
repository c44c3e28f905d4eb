"""Entry point of the ``safecity`` command."""

from __future__ import annotations

import os

import duckdb
import typer

from safecity.cli.errors import SafeCityGroup

app = typer.Typer(
    cls=SafeCityGroup,
    name="safecity",
    help="Safe City: Strategic Assessments for Community Safety Partnerships.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
load_app = typer.Typer(help="Load data into the warehouse.", no_args_is_help=True)
app.add_typer(load_app, name="load")
export_app = typer.Typer(help="Export the warehouse for other tools.", no_args_is_help=True)
app.add_typer(export_app, name="export")

from safecity.cli.assess import assess_command  # noqa: E402
from safecity.cli.demo import demo_command  # noqa: E402
from safecity.cli.load_extract import load_extract_command  # noqa: E402
from safecity.cli.load_police_uk import load_police_uk_command  # noqa: E402
from safecity.cli.status import status_command  # noqa: E402

load_app.command("police-uk")(load_police_uk_command)
load_app.command("extract")(load_extract_command)

from safecity.cli.load_reference import load_reference_command  # noqa: E402

load_app.command("reference")(load_reference_command)

from safecity.cli.load_survey import load_survey_command  # noqa: E402

load_app.command("survey")(load_survey_command)

from safecity.cli.load_community_reports import load_community_reports_command  # noqa: E402

load_app.command("community-reports")(load_community_reports_command)

from safecity.cli.load_intelligence_counts import load_intelligence_counts_command  # noqa: E402

load_app.command("intelligence-counts")(load_intelligence_counts_command)
app.command("status")(status_command)
app.command("demo")(demo_command)
app.command("assess")(assess_command)

from safecity.cli.fetch import fetch_app  # noqa: E402

app.add_typer(fetch_app, name="fetch")

from safecity.cli.demo_data import demo_data_command  # noqa: E402

app.command("demo-data")(demo_data_command)

from safecity.cli.report import report_command  # noqa: E402

app.command("report")(report_command)

from safecity.cli.serve import serve_command  # noqa: E402

app.command("serve")(serve_command)

from safecity.cli.publish import publish_command  # noqa: E402

app.command("publish")(publish_command)

from safecity.cli.export_lake import export_lake_command  # noqa: E402
from safecity.cli.survey import survey_app  # noqa: E402

export_app.command("lake")(export_lake_command)

app.add_typer(survey_app, name="survey")

from safecity.cli.refresh import refresh_command  # noqa: E402

app.command("refresh")(refresh_command)


def run() -> None:
    """Run the command line (the ``safecity`` console script).

    Ctrl-C ends the command with exit code 130 and a sentence instead of a traceback: loads
    commit whole files in transactions, so what was not finished is simply not there.
    """
    try:
        app()
    except (KeyboardInterrupt, duckdb.InterruptException) as interruption:
        _interrupted(interruption)
    except RuntimeError as error:
        # DuckDB turns Ctrl-C during a query into this error.
        if str(error) != "Query interrupted":
            raise
        _interrupted(error)


def _interrupted(cause: BaseException) -> None:
    # Straight to the file descriptor: a progress bar may still be holding sys.stderr.
    os.write(
        2,
        b"\ninterrupted: nothing half-done was kept (files not finished are not loaded;"
        b" run the command again to complete it)\n",
    )
    raise SystemExit(130) from cause
