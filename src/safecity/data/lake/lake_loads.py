"""The loaders, each straight into a lake: police.uk files, a force extract, reference files.

Each runs the ordinary loader through :func:`safecity.data.lake.loading.load_into_lake`, so its
reports are those of a load into a warehouse, and publishes only what the load changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from safecity.data.extract.loader import load_extract
from safecity.data.extract.mapping import read_mapping
from safecity.data.lake.commit import LakeWriteSummary
from safecity.data.lake.layout import EXTRACT_TABLES, Partition
from safecity.data.lake.loading import FACT_TABLE_OF_FORMAT, LOG_TABLES, LakeSeed, load_into_lake
from safecity.data.load_report import FileLoadReport, LoadStatus
from safecity.data.police_uk.loader import ProgressCallback, load_police_uk
from safecity.data.reference.errors import ReferenceFileRejectedError
from safecity.data.reference.kinds import ReferenceKind
from safecity.data.reference.loader import load_reference

PSEUDONYM_KEY_CHECK_TABLE = "pseudonym_key_check"


def replaced_partitions(reports: Iterable[FileLoadReport]) -> dict[str, set[Partition]]:
    """The fact partitions of the police.uk files a load loaded or replaced, by table.

    A file's ``dataset_key`` (``<format>/<force>/<YYYY-MM>``) names the only partition its
    rows go to (the loader quarantines rows of another month).
    """
    touched: dict[str, set[Partition]] = {}
    for report in reports:
        if report.status not in (LoadStatus.LOADED, LoadStatus.REPLACED):
            continue
        if not report.dataset_key:
            continue
        file_format, force, month = report.dataset_key.split("/")
        table = FACT_TABLE_OF_FORMAT.get(file_format)
        if table is None:
            continue
        year, number = month.split("-")
        partition = Partition(force=force, month=date(int(year), int(number), 1))
        touched.setdefault(table, set()).add(partition)
    return touched


def load_police_uk_into_lake(
    lake_dir: Path,
    *,
    paths: Iterable[Path],
    progress: ProgressCallback | None = None,
    street_aggregates: bool = True,
) -> tuple[list[FileLoadReport], LakeWriteSummary]:
    """Load data.police.uk files into the lake in ``lake_dir``, publishing only their months.

    Parameters
    ----------
    lake_dir
        The lake (created if the folder is new or empty).
    paths
        As :func:`safecity.data.police_uk.loader.load_police_uk`.
    progress
        As :func:`safecity.data.police_uk.loader.load_police_uk`.
    street_aggregates
        Recompute the monthly street aggregate of the street partitions published.

    Returns
    -------
    tuple of list of FileLoadReport and LakeWriteSummary
        The loader's reports (the same as for a warehouse: a file loaded into the lake before
        is ``unchanged``, a re-published one ``replaces`` it) and what was published.
    """
    chosen = list(paths)

    def load(warehouse: Any) -> list[FileLoadReport]:
        return load_police_uk(warehouse, paths=chosen, progress=progress)

    return load_into_lake(
        lake_dir,
        load=load,
        seed=LakeSeed(),
        touched=replaced_partitions,
        street_aggregates=street_aggregates,
    )


def load_extract_into_lake(
    lake_dir: Path, *, path: Path, mapping_path: Path
) -> tuple[list[FileLoadReport], LakeWriteSummary]:
    """Load a force extract into the lake, replacing its source's partition of each table.

    The extract's earlier rows of the same source (the mapping's name) are read from the lake
    first, so re-delivered crimes replace the earlier ones as they do in a warehouse, and the
    pseudonym key is checked against the one the lake's earlier extracts used.

    Returns
    -------
    tuple of list of FileLoadReport and LakeWriteSummary
        The loader's reports and what was published.

    Raises
    ------
    safecity.data.extract.mapping.MappingError
        If the mapping file is not valid.
    safecity.data.extract.pseudonyms.PseudonymKeyError
        If there is no usable key, or not the key the lake's extracts were pseudonymised with.
    """
    source = read_mapping(mapping_path).name
    partitions: Mapping[str, list[Partition]] = {
        table: [Partition(force=source)] for table in EXTRACT_TABLES
    }

    def load(warehouse: Any) -> list[FileLoadReport]:
        return load_extract(warehouse, path=path, mapping_path=mapping_path)

    return load_into_lake(
        lake_dir,
        load=load,
        seed=LakeSeed(tables=(*LOG_TABLES, PSEUDONYM_KEY_CHECK_TABLE), partitions=partitions),
    )


def load_reference_into_lake(
    lake_dir: Path, *, kind: ReferenceKind, paths: Sequence[Path], **options: Any
) -> tuple[list[FileLoadReport], LakeWriteSummary]:
    """Load reference files into the lake (``options`` as for ``load_reference``).

    Every reference table of the lake is read into the temporary warehouse first, so the
    loader replaces the areas a file covers as it does in a warehouse; reference tables are
    then rewritten only where their content changed. A file rejected as a whole is reported
    (and logged in the lake's load log) like in a warehouse, and the others load.

    Returns
    -------
    tuple of list of FileLoadReport and LakeWriteSummary
        The loader's report of each file, in order, and what was published.
    """

    def load(warehouse: Any) -> list[FileLoadReport]:
        reports = []
        for path in paths:
            try:
                reports.append(load_reference(warehouse, kind=kind, path=path, **options))
            except ReferenceFileRejectedError as rejection:
                reports.append(rejection.report)
        return reports

    return load_into_lake(lake_dir, load=load, seed=LakeSeed(all_reference_tables=True))
