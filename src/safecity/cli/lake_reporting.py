"""Printing what a write to a lake did: files and rows written, rewritten, unchanged, removed."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from safecity.cli.options import console, print_json, styled
from safecity.cli.reporting import print_load_reports
from safecity.data.lake import LakeWriteSummary
from safecity.data.load_report import FileLoadReport

LakeOption = Annotated[
    Path | None,
    typer.Option(
        "--lake",
        help="Load into this Parquet lake instead of the warehouse (docs/lake.md): only the "
        "partitions the load changes are published, atomically.",
        file_okay=False,
    ),
]


def print_lake_summary(summary: LakeWriteSummary) -> None:
    """Say, for people, what the write did to the lake, in files and rows."""
    total = summary.total
    console.print(
        styled(
            ("Lake ", "bold"),
            (str(summary.lake_dir), "bold"),
            f": {total.written:,} files written, {total.rewritten:,} rewritten (changed), "
            f"{total.unchanged:,} unchanged, {total.removed:,} removed; "
            f"{total.rows_written:,} rows written ({total.bytes_written / 2**20:,.1f} MiB), "
            f"{total.rows_unchanged:,} rows in unchanged files.",
        ),
        soft_wrap=True,
    )


def print_lake_load(
    reports: Sequence[FileLoadReport], summary: LakeWriteSummary, *, as_json: bool
) -> None:
    """The load's reports (as for a warehouse) and what was published to the lake.

    ``--json`` prints ``{"files": [each file's report], "lake": {the lake summary}}``.
    """
    if as_json:
        print_json({"files": [report.as_dict() for report in reports], "lake": summary.as_json()})
        return
    print_load_reports(reports, as_json=False)
    print_lake_summary(summary)
