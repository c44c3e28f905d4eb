"""``safecity survey estimates``: every measure's estimate for a loaded survey wave.

For analysts (partner-only: the warehouse holds respondent data), so estimates on an
unweighted base under the minimum (``config/survey.yaml``) are shown, marked ``suppressed``
with the reason; nothing printed here is public.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

import duckdb
import pandas as pd
import typer
from rich.table import Table

from safecity.assess.survey_estimates import (
    SurveyEstimateError,
    load_survey_config,
    suppression_reason,
    survey_estimates,
)
from safecity.cli.options import (
    DEFAULT_WAREHOUSE,
    JsonOption,
    WarehouseOption,
    console,
    fail,
    print_json,
    styled,
)
from safecity.data.warehouse import Warehouse

survey_app = typer.Typer(
    help="Look at a loaded residents' survey (partner-only).", no_args_is_help=True
)

WaveOption = Annotated[str, typer.Option("--wave", help="The wave's label, as loaded.")]
ByOption = Annotated[
    list[str] | None,
    typer.Option(
        "--by",
        help="A respondent characteristic to break down by (e.g. sex); may be repeated.",
    ),
]


def _json_value(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def estimate_rows(table: pd.DataFrame, *, reasons: list[str]) -> list[dict[str, Any]]:
    """The estimates as JSON rows: ``measure, group, value`` (a proportion), ``lower_ci,
    upper_ci, method, unweighted_base`` first, then every other column and ``note``."""
    first = ["measure", "group", "value", "lower_ci", "upper_ci", "method", "unweighted_base"]
    columns = first + [column for column in table.columns if column not in first]
    rows = []
    for record, reason in zip(table[columns].to_dict("records"), reasons, strict=True):
        row = {str(key): _json_value(value) for key, value in record.items()}
        row["note"] = reason
        rows.append(row)
    return rows


def _percent(value: Any) -> str:
    return "" if value is None or pd.isna(value) else f"{100 * float(value):.1f}%"


def print_estimates(table: pd.DataFrame, *, wave: str, reasons: list[str]) -> None:
    """The estimates as one text table per measure."""
    console.print(
        styled(
            ("Survey wave ", "bold"),
            (wave, "bold"),
            " (partner-only: suppressed estimates are shown, marked, for analysts)",
        ),
        soft_wrap=True,
    )
    frame = table.assign(note=reasons)
    for _, rows in frame.groupby("measure", sort=False):
        first = rows.iloc[0]
        view = Table(title=f"{first['measure_label']} ({first['measure']}, {first['kind']})")
        for heading in ("category", "group", "value", "95% CI", "base", "weighted base", "note"):
            view.add_column(heading, overflow="fold")
        for row in rows.to_dict("records"):
            group = (
                str(row["group"])
                if row["group_variable"] == "all"
                else f"{row['group_variable']}: {row['group']}"
            )
            category = str(row["category"]) + (" (headline)" if row["headline"] else "")
            if pd.notna(row["rank"]):
                category += f" (rank {int(row['rank'])})"
            view.add_row(
                category,
                group,
                _percent(row["value"]),
                f"{_percent(row['lower_ci'])} to {_percent(row['upper_ci'])}",
                f"{int(row['unweighted_base']):,}",
                f"{float(row['weighted_base']):,.1f}",
                str(row["note"]),
            )
        console.print(view)
    methods = ", ".join(sorted(set(table["method"].astype(str))))
    console.print(f"Intervals: {methods}; shares of valid answers (don't know excluded).")


def estimates_command(
    wave: WaveOption,
    by: ByOption = None,
    as_json: JsonOption = False,
    warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
) -> None:
    """Print every measure's weighted estimate for a loaded survey wave (partner-only)."""
    if not warehouse.exists():
        raise fail(f"no warehouse at {warehouse}: load a survey first (safecity load survey ...)")
    config = load_survey_config()
    try:
        with Warehouse(warehouse, read_only=True) as store:
            table = survey_estimates(warehouse=store, wave=wave, by=by or None, config=config)
    except SurveyEstimateError as error:
        raise fail(str(error)) from error
    except duckdb.CatalogException as error:
        raise fail(
            f"the warehouse {warehouse} has no survey tables: load a survey first"
            " (safecity load survey FILE --codebook CODEBOOK.yaml --wave LABEL)"
        ) from error
    reasons = [suppression_reason(float(base), config=config) for base in table["unweighted_base"]]
    if as_json:
        print_json(estimate_rows(table, reasons=reasons))
        return
    if table.empty:
        console.print(f"Survey wave {wave} has no valid answers to any measure.")
        return
    print_estimates(table, wave=wave, reasons=reasons)


survey_app.command("estimates")(estimates_command)

__all__ = ["estimate_rows", "estimates_command", "print_estimates", "survey_app"]
