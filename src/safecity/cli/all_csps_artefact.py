"""The every-CSP Assessment artefact of one period or several, as ``safecity assess --all-csps``
(with ``--years``) and ``safecity refresh --out`` write it.

One period: the indicators and family tables of :func:`safecity.assess.all_csps_families.
assess_every_csp`. Several (``years``): the same for the latest period, plus ``all_csps_trends``
(:mod:`safecity.assess.all_csps_archive`), and the manifest lists the periods. Public copies
withhold police.uk counts from 1 to the threshold minus one only when the disclosure policy
protects data.police.uk (it does not by default: the counts are published by the police).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from safecity.assess.all_csps_archive import TRENDS_TABLE, assess_csps_over_years, public_trends
from safecity.assess.all_csps_families import (
    AllCspsAssessment,
    assess_every_csp,
    public_tables,
)
from safecity.assess.artefact import Artefact, write_artefact
from safecity.assess.crime_groups import DataSource
from safecity.assess.denominators import DenominatorError
from safecity.assess.disclosure_policy import DisclosurePolicy
from safecity.assess.fact_source import FactSource
from safecity.assess.periods import Period
from safecity.assess.study_area import StudyAreaError
from safecity.cli.options import console, fail, print_json
from safecity.data.warehouse import Warehouse

FAMILIES = (
    "1 (volume and rate) and 2 (change) for every CSP; the national benchmark,"
    " rank and band where the loaded police.uk data cover the nation, else the"
    " rank among the CSPs loaded (6); ward and LSOA rates and concentration (4);"
    " rates by national IMD decile and quintile with the quintile 1 vs 5 rate"
    " ratio (5);"
    " police.uk category harm approximation (3)"
)
INDICATOR_HIDDEN = ("numerator", "value", "lower_ci", "upper_ci", "change_pct", "change_ratio")


@dataclass(frozen=True, slots=True)
class EveryCspRequest:
    """What to assess: the period, how many periods, the comparison and the outputs."""

    period: Period
    years: int | None
    baseline: Period | None
    policy: DisclosurePolicy
    harm_index: str | None
    out: Path


def public_indicators(table: pd.DataFrame, *, policy: DisclosurePolicy) -> pd.DataFrame:
    """The indicator rows with small police.uk counts withheld when the policy protects them."""
    protected = policy.protects(DataSource.POLICE_UK.value)
    public = table.copy()
    small = (public["numerator"] > 0) & (public["numerator"] < policy.threshold) & protected
    public = public.astype(dict.fromkeys(INDICATOR_HIDDEN, "object"))
    public.loc[small, list(INDICATOR_HIDDEN)] = None
    public["suppressed"] = small
    return public


def every_csp_artefact(
    *,
    result: AllCspsAssessment,
    request: EveryCspRequest,
    trends: pd.DataFrame | None = None,
    archive: dict[str, Any] | None = None,
) -> Artefact:
    """The artefact of ``result`` (and of ``trends`` over several periods, when given)."""
    period = request.period
    policy = request.policy
    protected = policy.protects(DataSource.POLICE_UK.value)
    # a threshold of 1 withholds nothing (no count is from 1 to 0)
    threshold = policy.threshold if protected else 1
    tables = {"indicators": result.indicators, **result.tables}
    public = {
        "indicators": public_indicators(result.indicators, policy=policy),
        **public_tables(result.tables, threshold=threshold),
    }
    parameters: dict[str, Any] = {
        "period": period.label,
        "baseline": (request.baseline or period.preceding(count=1)[0]).label,
        "suppression_threshold": policy.threshold,
        "protected_sources": sorted(policy.protected_sources),
    }
    manifest: dict[str, Any] = {"kind": "safecity-assessment-all-csps"}
    if trends is not None:
        tables[TRENDS_TABLE] = trends
        public[TRENDS_TABLE] = public_trends(trends, threshold=threshold)
        parameters["years"] = request.years
        parameters["periods"] = list((archive or {}).get("periods", []))
    manifest["parameters"] = parameters
    manifest["families"] = FAMILIES
    manifest["skipped"] = result.skipped
    manifest.update(result.manifest)
    if archive is not None:
        manifest["archive"] = archive
    return Artefact(tables=tables, public_tables=public, manifest=manifest)


def write_every_csp_artefact(
    store: Warehouse, *, request: EveryCspRequest, facts: FactSource | None
) -> dict[str, Any]:
    """Assess every CSP as ``request`` says, write the artefact and return what was written.

    Returns
    -------
    dict
        ``artefact, csps, rows, period, periods, baseline, tables, trend_rows, family_tables,
        skipped, engine`` (for :func:`print_every_csp_summary`).

    Raises
    ------
    typer.Exit
        With the reason, when ``--baseline`` is combined with ``--years`` or the lookups or
        populations needed are not loaded.
    """
    if request.years is not None and request.baseline is not None:
        raise fail(
            "--baseline cannot be combined with --years: over several periods each period is"
            " compared with the one just before it"
        )
    try:
        if request.years is None:
            result = assess_every_csp(
                store,
                period=request.period,
                baseline=request.baseline,
                harm_index=request.harm_index,
                facts=facts,
            )
            artefact = every_csp_artefact(result=result, request=request)
            periods = [request.period.label]
        else:
            over = assess_csps_over_years(
                store,
                period=request.period,
                years=request.years,
                facts=facts,
                harm_index=request.harm_index,
            )
            result = over.latest
            artefact = every_csp_artefact(
                result=result, request=request, trends=over.trends, archive=over.manifest
            )
            periods = [each.label for each in over.periods]
    except (StudyAreaError, DenominatorError) as error:
        raise fail(str(error)) from error
    write_artefact(artefact, out_dir=request.out)
    table = result.indicators
    trends = artefact.tables.get(TRENDS_TABLE)
    return {
        "artefact": str(request.out),
        "csps": int(table["area_code"].nunique()),
        "rows": len(table),
        "period": request.period.label,
        "periods": periods,
        "baseline": artefact.manifest["parameters"]["baseline"],
        "tables": sorted(artefact.tables),
        "trend_rows": None if trends is None else len(trends),
        "family_tables": len(result.tables),
        "skipped": result.skipped,
        "engine": result.manifest.get("engine", {}),
    }


def print_every_csp_summary(summary: dict[str, Any], *, as_json: bool) -> None:
    """Say what :func:`write_every_csp_artefact` wrote: sentences, or its summary as JSON."""
    if as_json:
        print_json(summary)
        return
    compared = (
        f"{summary['period']} against {summary['baseline']}: {summary['rows']:,} indicator rows"
        f" and {summary['family_tables']} family tables in {summary['artefact']}/"
    )
    if summary["trend_rows"] is None:
        console.print(f"{summary['csps']} CSPs, {compared}", soft_wrap=True)
    else:
        periods = summary["periods"]
        console.print(
            f"{summary['csps']} CSPs over {len(periods)} periods ({', '.join(periods)}):"
            f" {summary['trend_rows']:,} trend rows; {compared}",
            soft_wrap=True,
        )
    if engine := summary["engine"].get("facts"):
        console.print(f"Aggregated by {engine}.", soft_wrap=True)
    for part, reason in summary["skipped"].items():
        console.print(f"  skipped {part}: {reason}")


__all__ = [
    "EveryCspRequest",
    "every_csp_artefact",
    "print_every_csp_summary",
    "public_indicators",
    "write_every_csp_artefact",
]
