"""``safecity assess``: a Strategic Assessment of one area, written as an Assessment artefact."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from safecity.assess.artefact import check_artefact_folder
from safecity.assess.context import AssessmentOptions
from safecity.assess.coverage import CoverageRuleError, load_coverage_rule
from safecity.assess.denominators import DenominatorError
from safecity.assess.disclosure_policy import (
    DisclosurePolicyError,
    load_disclosure_policy,
)
from safecity.assess.engine import AssessmentDataError, run_assessment
from safecity.assess.fact_source import ComputeEngine, FactSource, lake_facts, warehouse_facts
from safecity.assess.periods import PeriodError
from safecity.assess.study_area import StudyAreaError
from safecity.cli.all_csps_artefact import (
    EveryCspRequest,
    print_every_csp_summary,
    write_every_csp_artefact,
)
from safecity.cli.areas import AreaNameError, parse_period_argument, resolve_area_argument
from safecity.cli.options import (
    DEFAULT_WAREHOUSE,
    HarmIndexOption,
    JsonOption,
    SuppressionThresholdOption,
    WarehouseOption,
    console,
    fail,
    print_json,
    styled,
)
from safecity.data.lake.errors import LakeError
from safecity.data.lake.spark_session import SparkEngineError
from safecity.data.warehouse import Warehouse

SPARK_NEEDS_LAKE = (
    "--engine spark reads a lake, not the warehouse: export it first (safecity export lake"
    " --out DIR), then give --lake DIR"
)


def assess_command(
    *,
    area: Annotated[
        str | None,
        typer.Option(
            "--area",
            help="A CSP, local authority or police force area: its GSS code or its name"
            " (Southampton; any case).",
        ),
    ] = None,
    period: Annotated[
        str,
        typer.Option(
            "--period",
            help="Months FROM..TO (2020-04..2021-03), one month (2022-02) or a financial"
            " year (2020/21).",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="Folder for the Assessment artefact.")],
    all_csps: Annotated[
        bool,
        typer.Option(
            "--all-csps",
            help="Every CSP at once (volume, rate, change and rank for police.uk groups)"
            " instead of one --area.",
        ),
    ] = False,
    years: Annotated[
        int | None,
        typer.Option(
            "--years",
            min=1,
            help="With --all-csps: this many consecutive periods of --period's length ending"
            " with it (2024/25 and 3: 2022/23 to 2024/25), each against the one before and the"
            " previous three periods' average, in the table all_csps_trends.",
        ),
    ] = None,
    baseline: Annotated[
        str | None,
        typer.Option(
            "--baseline",
            help="Comparison period, in the forms of --period (default: the one just before).",
        ),
    ] = None,
    crime_groups: Annotated[
        Path | None,
        typer.Option("--crime-groups", help="A crime-groups YAML to use instead of the default."),
    ] = None,
    comparators: Annotated[
        Path | None,
        typer.Option(
            "--comparators",
            help="YAML/CSV of the comparator group's CSP codes, or the name of a loaded"
            " comparator group (default: the nearest CSPs on loaded open indicators).",
        ),
    ] = None,
    priorities: Annotated[
        Path | None,
        typer.Option("--priorities", help="YAML of public concern and organisational inputs."),
    ] = None,
    harm_index: HarmIndexOption = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for simulations.")] = 20221,
    suppression_threshold: SuppressionThresholdOption = None,
    disclosure_policy: Annotated[
        Path | None,
        typer.Option(
            "--disclosure-policy",
            help="YAML saying which sources' counts are protected (default: force extracts,"
            " partner data, surveys and community reports; not data.police.uk).",
        ),
    ] = None,
    coverage_rule: Annotated[
        Path | None,
        typer.Option(
            "--coverage-rule",
            help="YAML of when months have data and how periods are compared (default: the"
            " shipped coverage.yaml).",
        ),
    ] = None,
    lake: Annotated[
        Path | None,
        typer.Option(
            "--lake",
            help="Read this Parquet lake (safecity export lake) instead of the warehouse.",
        ),
    ] = None,
    engine: Annotated[
        ComputeEngine,
        typer.Option(
            "--engine",
            help="Where the aggregations over the crime rows run: duckdb (here), or spark"
            " (needs --lake and the spark extra; local, or a cluster with --spark-master).",
        ),
    ] = ComputeEngine.DUCKDB,
    spark_master: Annotated[
        str | None,
        typer.Option(
            "--spark-master",
            help="With --engine spark: spark://host:7077, yarn, k8s://..., local[N], or"
            " sc://host:15002 for Spark Connect (default: $SPARK_REMOTE if set, else"
            " local[*]).",
        ),
    ] = None,
    warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
    as_json: JsonOption = False,
) -> None:
    """Assess an area over a period; write indicators, tables and findings to --out."""
    try:
        assessed = parse_period_argument(period)
        compared = parse_period_argument(baseline) if baseline else None
    except PeriodError as error:
        raise fail(str(error)) from error
    if engine is ComputeEngine.SPARK and lake is None:
        raise fail(SPARK_NEEDS_LAKE)
    if spark_master is not None and engine is not ComputeEngine.SPARK:
        raise fail("--spark-master is for --engine spark")
    if lake is None and not warehouse.exists():
        raise fail(f"no warehouse at {warehouse}: load some data first (safecity load ...)")
    if all_csps == (area is not None):
        raise fail("give either --area CODE-OR-NAME or --all-csps")
    check_artefact_folder(out_dir=out)
    try:
        policy = load_disclosure_policy(disclosure_policy)
        rule = load_coverage_rule(coverage_rule)
    except (DisclosurePolicyError, CoverageRuleError) as error:
        raise fail(str(error)) from error
    if suppression_threshold is not None:
        policy = policy.with_threshold(suppression_threshold)
    if years is not None and not all_csps:
        raise fail("--years goes with --all-csps (one area's assessment is of one period)")
    with _opened(warehouse=warehouse, lake=lake) as store:
        facts = _fact_source(store, lake=lake, engine=engine, spark_master=spark_master)
        try:
            if all_csps:
                written = write_every_csp_artefact(
                    store,
                    request=EveryCspRequest(
                        period=assessed, years=years, baseline=compared, policy=policy,
                        harm_index=harm_index, out=out,
                    ),
                    facts=facts,
                )  # fmt: skip
                print_every_csp_summary(written, as_json=as_json)
                return
            assert area is not None
            try:
                area_code = resolve_area_argument(store, area)
                result = run_assessment(
                    store,
                    area_code=area_code,
                    period=assessed,
                    baseline=compared,
                    out_dir=out,
                    crime_groups_path=crime_groups,
                    seed=seed,
                    disclosure_policy=policy,
                    coverage_rule=rule,
                    options=AssessmentOptions(
                        comparators_path=comparators,
                        priority_inputs_path=priorities,
                        harm_index=harm_index,
                    ),
                    facts=facts,
                )
            except (StudyAreaError, AreaNameError, DenominatorError, AssessmentDataError) as error:
                raise fail(str(error)) from error
        finally:
            if facts.engine is ComputeEngine.SPARK:
                facts.backend.disconnect()
    if as_json:
        print_json(
            {
                "artefact": str(result.out_dir),
                "manifest": str(result.manifest_path),
                "area": {"code": result.area.code, "name": result.area.name},
                "period": result.period.label,
                "baseline": result.baseline.label,
                "engine": _engine_json(facts),
                "indicator_rows": len(result.indicators),
                "findings": result.findings.to_dict("records"),
            }
        )
        return
    console.print(
        styled(
            (result.area.name, "bold"),
            f" ({result.area.code}), {result.period.label} against {result.baseline.label}:"
            f" {len(result.indicators):,} indicator rows in {result.out_dir}/",
        ),
        soft_wrap=True,
    )
    console.print(f"Aggregated by {facts.description}.", soft_wrap=True)
    print_headline_findings(result.findings)


@contextmanager
def _opened(*, warehouse: Path, lake: Path | None) -> Iterator[Warehouse]:
    """The warehouse, or the lake read in place by DuckDB (lookups, populations, coverage)."""
    try:
        store = Warehouse.on_lake(lake) if lake is not None else Warehouse(warehouse)
    except LakeError as error:
        raise fail(str(error)) from error
    with store:
        yield store


def _fact_source(
    store: Warehouse, *, lake: Path | None, engine: ComputeEngine, spark_master: str | None
) -> FactSource:
    """Where the aggregations run: the warehouse's DuckDB, or DuckDB or Spark on the lake."""
    if lake is None:
        return warehouse_facts(store)
    try:
        return lake_facts(lake, engine=engine, spark_master=spark_master, lake=store)
    except (SparkEngineError, LakeError) as error:
        raise fail(str(error)) from error


def _engine_json(facts: FactSource) -> dict[str, str]:
    return {"engine": facts.engine.value, "facts": facts.description}


def print_headline_findings(findings: pd.DataFrame, *, limit: int = 8) -> None:
    """The first findings (they come in order of importance), as sentences."""
    if findings.empty:
        console.print("No findings.")
        return
    console.print("Headline findings", style="bold")
    for sentence in findings.head(limit)["sentence"]:
        console.print(f"  - {sentence}")
