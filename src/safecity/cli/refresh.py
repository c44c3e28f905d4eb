"""``safecity refresh``: one new month of police.uk files into a lake, only what it changes
recomputed, and (with ``--out``) the every-CSP artefact from the refreshed lake.

1. The files are loaded into the lake (:func:`safecity.data.lake.lake_loads.
   load_police_uk_into_lake`): the same checks and report as a load into a warehouse; only the
   force-months they bring are written, and files loaded before are left as they are.
2. The monthly street aggregate (``aggregates/street_month``) is recomputed only for the street
   partitions whose file changed (:func:`safecity.data.lake.refresh.refresh_street_aggregates`:
   a partition's aggregate records the SHA-256 of the file it was computed from).
3. With ``--out`` and ``--period`` (and ``--years``), every CSP is assessed from the lake, read
   in place by DuckDB: every count sums the kept aggregate, so no crime row is read again.

The output names the partitions written or rewritten and those left unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from safecity.assess.artefact import check_artefact_folder
from safecity.assess.disclosure_policy import DisclosurePolicyError, load_disclosure_policy
from safecity.assess.fact_source import ComputeEngine, lake_facts
from safecity.assess.periods import PeriodError
from safecity.cli.all_csps_artefact import (
    EveryCspRequest,
    print_every_csp_summary,
    write_every_csp_artefact,
)
from safecity.cli.areas import parse_period_argument
from safecity.cli.errors import CORRUPT_FILE_ERRORS, corrupt_input_sentence
from safecity.cli.options import (
    HarmIndexOption,
    JsonOption,
    SuppressionThresholdOption,
    console,
    fail,
    input_bytes,
    print_json,
)
from safecity.cli.reporting import byte_progress, print_load_reports
from safecity.data.input_files import InputError
from safecity.data.lake import LakeError, LakeManifest, Partition, read_manifest
from safecity.data.lake.lake_loads import load_police_uk_into_lake
from safecity.data.lake.manifest import is_lake
from safecity.data.lake.refresh import refresh_street_aggregates
from safecity.data.lake.spark_session import SparkEngineError
from safecity.data.load_report import FileLoadReport, LoadStatus
from safecity.data.warehouse import Warehouse

STREET_TABLE = "police_uk_street"
STREET_MONTH_TABLE = "street_month"


@dataclass(frozen=True, slots=True)
class PartitionChanges:
    """How one partitioned table of the lake changed between two manifests."""

    written: tuple[Partition, ...]
    """Partitions new to the lake."""
    rewritten: tuple[Partition, ...]
    """Partitions whose file was replaced (a new content hash)."""
    unchanged: tuple[Partition, ...]
    """Partitions whose file is the same file as before."""
    removed: tuple[Partition, ...]
    """Partitions the lake no longer has."""

    def as_json(self) -> dict[str, list[dict[str, str]]]:
        """Each list of partitions as ``{"force", "month"}`` objects."""
        return {
            name: [partition.as_dict() for partition in getattr(self, name)]
            for name in ("written", "rewritten", "unchanged", "removed")
        }


def partition_changes(
    before: LakeManifest | None, after: LakeManifest, *, table: str
) -> PartitionChanges:
    """The partitions of ``table`` written, rewritten, unchanged and removed from ``before`` to
    ``after`` (a partition is unchanged when the manifests list the same file for it)."""
    old = before.tables[table].by_partition() if before and table in before.tables else {}
    new = after.tables[table].by_partition() if table in after.tables else {}
    return PartitionChanges(
        written=tuple(sorted(p for p in new if p not in old)),
        rewritten=tuple(sorted(p for p in new if p in old and new[p].path != old[p].path)),
        unchanged=tuple(sorted(p for p in new if p in old and new[p].path == old[p].path)),
        removed=tuple(sorted(p for p in old if p not in new)),
    )


def _month_index(month: date) -> int:
    return month.year * 12 + month.month - 1


def describe_partitions(partitions: Iterable[Partition]) -> str:
    """Force-month partitions in words, each force's months as runs.

    Examples
    --------
    >>> months = [date(2020, m, 1) for m in (3, 4, 5, 7)]
    >>> describe_partitions([Partition(force="kent", month=m) for m in months])
    'kent 2020-03..2020-05, 2020-07'
    """
    by_force: dict[str, list[date]] = {}
    for partition in partitions:
        if partition.month is not None:
            by_force.setdefault(partition.force or "", []).append(partition.month)
    pieces = []
    for force, months in sorted(by_force.items()):
        runs: list[list[date]] = []
        for month in sorted(months):
            if runs and _month_index(month) == _month_index(runs[-1][-1]) + 1:
                runs[-1].append(month)
            else:
                runs.append([month])
        spans = [
            f"{run[0]:%Y-%m}" if len(run) == 1 else f"{run[0]:%Y-%m}..{run[-1]:%Y-%m}"
            for run in runs
        ]
        pieces.append(f"{force} {', '.join(spans)}")
    return "; ".join(pieces) or "none"


def refresh_command(
    *,
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="The new month's street (and outcomes, stop-and-search) CSV files, folders of"
            " them, or data.police.uk archive zips.",
        ),
    ],
    lake: Annotated[
        Path,
        typer.Option(
            "--lake",
            help="The lake to refresh (safecity export lake, or safecity load police-uk --lake).",
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Also write the every-CSP artefact here (needs --period)."),
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            help="With --out: the period assessed (2020-04..2021-03, 2022-02, or 2020/21).",
        ),
    ] = None,
    years: Annotated[
        int | None,
        typer.Option(
            "--years",
            min=1,
            help="With --out: this many consecutive periods ending with --period, with"
            " all_csps_trends (as safecity assess --all-csps --years).",
        ),
    ] = None,
    harm_index: HarmIndexOption = None,
    suppression_threshold: SuppressionThresholdOption = None,
    disclosure_policy: Annotated[
        Path | None,
        typer.Option(
            "--disclosure-policy",
            help="YAML saying which sources' counts are protected (default: not data.police.uk).",
        ),
    ] = None,
    engine: Annotated[
        ComputeEngine,
        typer.Option(
            "--engine",
            help="With --out: where the aggregations run, duckdb (here, on the lake in place)"
            " or spark (needs the spark extra; local, or a cluster with --spark-master).",
        ),
    ] = ComputeEngine.DUCKDB,
    spark_master: Annotated[
        str | None,
        typer.Option(
            "--spark-master",
            help="With --engine spark: as for safecity assess (default: $SPARK_REMOTE if set,"
            " else local[*]).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Load a new month into a lake, recompute only the aggregates it changes, and re-assess."""
    if spark_master is not None and engine is not ComputeEngine.SPARK:
        raise fail("--spark-master is for --engine spark")
    request = _artefact_request(
        out=out,
        period=period,
        years=years,
        harm_index=harm_index,
        suppression_threshold=suppression_threshold,
        disclosure_policy=disclosure_policy,
    )
    if not is_lake(lake):
        raise fail(
            f"no lake at {lake}: create it first (safecity export lake --out {lake}, or"
            f" safecity load police-uk FILES --lake {lake})"
        )
    try:
        before = read_manifest(lake)
        with byte_progress(
            description="Loading police.uk files into the lake", total_bytes=input_bytes(paths)
        ) as advance:
            reports, _loaded = load_police_uk_into_lake(
                lake, paths=paths, progress=advance, street_aggregates=False
            )
        refresh_street_aggregates(lake)
        after = read_manifest(lake)
    except InputError as error:
        raise fail(str(error)) from error
    except LakeError as error:
        raise fail(str(error)) from error
    except CORRUPT_FILE_ERRORS as error:
        raise fail(corrupt_input_sentence(paths, error)) from error
    facts_changed = partition_changes(before, after, table=STREET_TABLE)
    aggregates_changed = partition_changes(before, after, table=STREET_MONTH_TABLE)
    rejected = any(report.status is LoadStatus.REJECTED for report in reports)
    written: dict[str, Any] | None = None
    if request is not None and not rejected:
        written = _write_artefact(lake, request=request, engine=engine, spark_master=spark_master)
    if as_json:
        print_json(
            {
                "lake": str(lake),
                "files": [report.as_dict() for report in reports],
                "police_uk_street": facts_changed.as_json(),
                "street_month": aggregates_changed.as_json(),
                "artefact": written,
            }
        )
    else:
        _print_refresh(reports, facts=facts_changed, aggregates=aggregates_changed)
        if written is not None:
            print_every_csp_summary(written, as_json=False)
    if rejected:
        if request is not None:
            console.print("A file was rejected: the artefact was not written.")
        raise typer.Exit(code=1)


def _write_artefact(
    lake: Path, *, request: EveryCspRequest, engine: ComputeEngine, spark_master: str | None
) -> dict[str, Any]:
    """The every-CSP artefact from the refreshed lake, aggregated by ``engine``."""
    with Warehouse.on_lake(lake) as store:
        try:
            facts = lake_facts(lake, engine=engine, spark_master=spark_master, lake=store)
        except (SparkEngineError, LakeError) as error:
            raise fail(str(error)) from error
        try:
            return write_every_csp_artefact(store, request=request, facts=facts)
        finally:
            if facts.engine is ComputeEngine.SPARK:
                facts.backend.disconnect()


def _artefact_request(
    *,
    out: Path | None,
    period: str | None,
    years: int | None,
    harm_index: str | None,
    suppression_threshold: int | None,
    disclosure_policy: Path | None,
) -> EveryCspRequest | None:
    """The every-CSP artefact asked for, or None; refused before anything is loaded."""
    if out is None:
        if period is not None or years is not None:
            raise fail("--period and --years say what --out holds: give --out too")
        return None
    if period is None:
        raise fail("--out needs --period: the period the every-CSP artefact assesses")
    try:
        assessed = parse_period_argument(period)
    except PeriodError as error:
        raise fail(str(error)) from error
    check_artefact_folder(out_dir=out)
    try:
        policy = load_disclosure_policy(disclosure_policy)
    except DisclosurePolicyError as error:
        raise fail(str(error)) from error
    if suppression_threshold is not None:
        policy = policy.with_threshold(suppression_threshold)
    return EveryCspRequest(
        period=assessed, years=years, baseline=None, policy=policy, harm_index=harm_index, out=out
    )


def _print_refresh(
    reports: list[FileLoadReport], *, facts: PartitionChanges, aggregates: PartitionChanges
) -> None:
    print_load_reports(reports, as_json=False)
    for words, changes in (("police.uk street data", facts), ("street aggregates", aggregates)):
        console.print(
            f"{words}: {len(changes.written)} new, {len(changes.rewritten)} rewritten,"
            f" {len(changes.unchanged)} unchanged, {len(changes.removed)} removed",
            soft_wrap=True,
        )
    console.print(
        f"  aggregates written: {describe_partitions(aggregates.written)}", soft_wrap=True
    )
    console.print(
        f"  aggregates rewritten: {describe_partitions(aggregates.rewritten)}", soft_wrap=True
    )
    console.print(
        f"  aggregates left unchanged: {describe_partitions(aggregates.unchanged)}",
        soft_wrap=True,
    )
    if aggregates.removed:
        console.print(
            f"  aggregates removed: {describe_partitions(aggregates.removed)}", soft_wrap=True
        )
