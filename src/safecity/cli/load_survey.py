"""``safecity load survey FILE --codebook CODEBOOK.yaml --wave LABEL``: one survey wave."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from safecity.cli.errors import CORRUPT_FILE_ERRORS, corrupt_input_sentence
from safecity.cli.options import (
    DEFAULT_WAREHOUSE,
    JsonOption,
    WarehouseOption,
    console,
    fail,
    print_json,
)
from safecity.cli.reporting import print_load_reports, working
from safecity.data.extract.pseudonyms import PseudonymKeyError
from safecity.data.load_report import FileLoadReport, LoadStatus
from safecity.data.survey.codebook import CodebookError
from safecity.data.survey.loader import SurveyLoadError, load_survey
from safecity.data.survey.weighting import SurveyWeightingError
from safecity.data.warehouse import Warehouse


def load_survey_command(
    path: Annotated[
        Path,
        typer.Argument(
            help="The survey file: SPSS .sav (value labels and user-missing codes are read), "
            "CSV, or a spreadsheet (.xlsx, .xls, .ods).",
            dir_okay=False,
        ),
    ],
    codebook: Annotated[
        Path,
        typer.Option(
            "--codebook",
            help="The codebook YAML mapping the file's columns to measures and characteristics "
            "(docs/survey.md; example: examples/survey/csew-2013-14-teaching.yaml).",
            dir_okay=False,
        ),
    ],
    wave: Annotated[
        str,
        typer.Option(
            "--wave", help="The wave's label, e.g. 2021; loading a label again replaces it."
        ),
    ],
    *,
    fieldwork_start: Annotated[
        str | None,
        typer.Option(help="First day of fieldwork (YYYY-MM-DD), overriding the codebook."),
    ] = None,
    fieldwork_end: Annotated[
        str | None,
        typer.Option(help="Last day of fieldwork (YYYY-MM-DD), overriding the codebook."),
    ] = None,
    area: Annotated[
        str | None,
        typer.Option(
            help="GSS code of the surveyed area (CSP or local authority), overriding the "
            "codebook; none: a national survey."
        ),
    ] = None,
    warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
    as_json: JsonOption = False,
) -> None:
    """Load one wave of a residents' survey; every row is loaded or quarantined with a reason.

    Columns the codebook does not name (free text, contact details, addresses) are dropped;
    postcodes become LSOA and ward and are dropped; respondent identifiers are pseudonymised
    (needs SAFECITY_PSEUDONYM_KEY or SAFECITY_PSEUDONYM_KEY_FILE when the codebook names one).
    """
    try:
        with Warehouse(warehouse) as store:
            with working(f"Loading survey wave {wave} from {path} ..."):
                reports = load_survey(
                    store,
                    path=path,
                    codebook_path=codebook,
                    wave=wave,
                    fieldwork_start=_date(fieldwork_start, "--fieldwork-start"),
                    fieldwork_end=_date(fieldwork_end, "--fieldwork-end"),
                    area_code=area,
                )
            waves = _wave_summary(store, reports, wave)
    except (CodebookError, PseudonymKeyError, SurveyLoadError, SurveyWeightingError) as error:
        raise fail(str(error)) from error
    except CORRUPT_FILE_ERRORS as error:
        raise fail(corrupt_input_sentence([path], error)) from error
    if as_json:
        # The list of file reports, as every load command prints; each with the wave it made.
        print_json([{**report.as_dict(), "wave": waves} for report in reports])
    else:
        print_load_reports(reports, as_json=False)
        _print_reconciliation(reports, waves)
    if any(report.status is LoadStatus.REJECTED for report in reports):
        raise typer.Exit(code=1)


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None or not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise fail(f"{option} {value!r} is not a date written YYYY-MM-DD") from None


def _wave_summary(
    store: Warehouse, reports: list[FileLoadReport], wave: str
) -> dict[str, object] | None:
    if not any(report.status in (LoadStatus.LOADED, LoadStatus.REPLACED) for report in reports):
        return None
    row = store.connection.execute(
        "SELECT wave, survey, respondents, weighting, weight_variable, design_effect,"
        " effective_sample_size, fieldwork_start, fieldwork_end, area_code FROM survey_wave"
        " WHERE wave = ?",
        [wave.strip()],
    ).fetchone()
    if row is None:
        return None
    names = (
        "wave",
        "survey",
        "respondents",
        "weighting",
        "weight_variable",
        "design_effect",
        "effective_sample_size",
        "fieldwork_start",
        "fieldwork_end",
        "area_code",
    )
    return dict(zip(names, row, strict=True))


def _print_reconciliation(reports: list[FileLoadReport], wave: dict[str, object] | None) -> None:
    for report in reports:
        reasons = ", ".join(f"{reason} {count:,}" for reason, count in report.reasons.items())
        console.print(
            f"rows in {report.rows_in:,} = loaded {report.loaded:,} + quarantined"
            f" {report.quarantined:,}" + (f" ({reasons})" if reasons else "")
        )
    if wave is None:
        return
    weight = f" (column {wave['weight_variable']})" if wave["weight_variable"] else ""
    design_effect = wave["design_effect"]
    effective = wave["effective_sample_size"]
    console.print(
        f"wave {wave['wave']} ({wave['survey']}): {wave['respondents']:,} respondents;"
        f" weighting {wave['weighting']}{weight};"
        + (
            f" Kish design effect {design_effect:.3f}, effective sample size {effective:,.0f}"
            if isinstance(design_effect, float) and isinstance(effective, float)
            else " design effect not known"
        )
        + (f"; area {wave['area_code']}" if wave["area_code"] else "; national (no area)")
    )
