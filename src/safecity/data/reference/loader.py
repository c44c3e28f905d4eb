"""``load_reference``: one reference file into the warehouse, atomically and idempotently.

A file is recognised by its header (CSV) or its features' properties (GeoJSON) as one of the
formats its kind accepts; a file that is not is rejected as a whole, with a message naming the
expected columns, and the rejection is logged. The same bytes loaded again for the same dataset
change nothing (status ``unchanged``). A new file for the same dataset (kind, format and
vintage) replaces the rows of the areas it covers, and the log says whose rows it replaced.
Everything a load writes - rows, quarantine and log entry - is one transaction.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

import duckdb

from safecity.data.load_report import (
    FileLoadReport,
    LoadStatus,
    file_sha256,
    next_file_id,
    record_file,
)
from safecity.data.reference import (
    boundaries,
    comparator_groups,
    deprivation,
    lookups,
    offence_counts,
    offences,
    population,
    postcodes,
    published_indicators,
)
from safecity.data.reference.arcgis_json import looks_like_json, read_feature_table
from safecity.data.reference.csv_pipeline import CsvPlan, LoadOutcome, load_csv
from safecity.data.reference.errors import (
    OptionRequiredError,
    ReferenceFileRejectedError,
    UnrecognisedFileError,
)
from safecity.data.reference.kinds import ReferenceFormat, ReferenceKind
from safecity.data.reference.options import ReferenceOptions
from safecity.data.reference.replacement import mark_superseded
from safecity.data.reference.spreadsheet import (
    read_spreadsheet,
    spreadsheet_format,
    unpack_single_member,
)
from safecity.data.reference.tabular import SourceRows, find_header, read_csv_table, write_body
from safecity.data.reference.text_input import NormalisedCsv, normalise_csv, peek_bytes
from safecity.data.warehouse import Warehouse


class PlanMaker(Protocol):
    """Makes the plan for a CSV of one kind from its header (raising if not recognised)."""

    def __call__(self, header: list[str], *, options: ReferenceOptions) -> CsvPlan: ...


CSV_PLANS: dict[ReferenceKind, PlanMaker] = {
    ReferenceKind.LSOA_LOOKUP: lookups.lsoa_lookup_plan,
    ReferenceKind.CSP_LOOKUP: lookups.csp_lookup_plan,
    ReferenceKind.POPULATION: population.population_plan,
    ReferenceKind.IMD: deprivation.deprivation_plan,
    ReferenceKind.HARM_WEIGHTS: offences.harm_weights_plan,
    ReferenceKind.OFFENCE_CODES: offences.offence_codes_plan,
    ReferenceKind.PUBLISHED_INDICATORS: published_indicators.published_indicators_plan,
    ReferenceKind.COMPARATOR_GROUPS: comparator_groups.comparator_groups_plan,
    ReferenceKind.OFFENCE_COUNTS: offence_counts.offence_counts_plan,
    ReferenceKind.POSTCODE_LOOKUP: postcodes.postcode_lookup_plan,
}

EXPECTED_COLUMNS: dict[ReferenceKind, str] = {
    ReferenceKind.LSOA_LOOKUP: lookups.LSOA_LOOKUP_COLUMNS,
    ReferenceKind.CSP_LOOKUP: lookups.CSP_LOOKUP_COLUMNS,
    ReferenceKind.POPULATION: population.SINGLE_YEAR_COLUMNS,
    ReferenceKind.IMD: deprivation.EXPECTED_COLUMNS,
    ReferenceKind.HARM_WEIGHTS: offences.HARM_WEIGHT_COLUMNS,
    ReferenceKind.OFFENCE_CODES: offences.OFFENCE_CODE_COLUMNS,
    ReferenceKind.PUBLISHED_INDICATORS: published_indicators.EXPECTED_COLUMNS,
    ReferenceKind.COMPARATOR_GROUPS: comparator_groups.EXPECTED_COLUMNS,
    ReferenceKind.OFFENCE_COUNTS: offence_counts.EXPECTED_COLUMNS,
    ReferenceKind.POSTCODE_LOOKUP: postcodes.POSTCODE_LOOKUP_COLUMNS,
}
"""The columns each kind expects, named when a file's layout is not recognised."""


@dataclass(slots=True)
class _PreparedCsv:
    source: NormalisedCsv
    plan: CsvPlan

    @property
    def format(self) -> ReferenceFormat:
        return self.plan.format

    @property
    def dataset_key(self) -> str:
        return self.plan.dataset_key

    @property
    def notes(self) -> tuple[str, ...]:
        return tuple(self.source.notes) + self.plan.notes

    def load(self, connection: duckdb.DuckDBPyConnection, *, file_id: int) -> LoadOutcome:
        return load_csv(connection, source=self.source, plan=self.plan, file_id=file_id)


def read_rows(path: Path, *, sheet_name: str | None = None) -> SourceRows | None:
    """The file as sheets of rows when it is a spreadsheet or JSON; None when it is CSV.

    The format is read from the file's first bytes, not its name: a zip holding an OpenDocument
    or Office Open XML workbook, a BIFF compound document (``.xls``), or JSON (plain or gzip).
    """
    workbook_format = spreadsheet_format(path)
    if workbook_format is not None:
        return read_spreadsheet(path, workbook_format=workbook_format, sheet_name=sheet_name)
    if looks_like_json(peek_bytes(path)):
        return read_feature_table(path)
    return None


def _prepare(
    kind: ReferenceKind, path: Path, options: ReferenceOptions, work_folder: Path
) -> _PreparedCsv | boundaries.PreparedBoundaries:
    if kind is ReferenceKind.BOUNDARIES:
        return boundaries.prepare_boundaries(path, options=options)
    make_plan = CSV_PLANS[kind]
    path, unpacked = unpack_single_member(path, work_folder=work_folder)
    rows = read_rows(path, sheet_name=options.sheet)
    if rows is None:
        source = normalise_csv(path, work_folder=work_folder)
        source.notes[:0] = unpacked
        try:
            plan = make_plan(source.header, options=options)
        except OptionRequiredError:
            raise
        except UnrecognisedFileError as first_line_error:
            # Perhaps title lines above the header: look for it below them, as in a sheet.
            try:
                return _from_rows(read_csv_table(path), path, kind, options, work_folder)
            except OptionRequiredError:
                raise
            except UnrecognisedFileError:
                raise first_line_error from None
        return _PreparedCsv(source=source, plan=plan)
    rows.notes[:0] = unpacked
    return _from_rows(rows, path, kind, options, work_folder)


def _from_rows(
    rows: SourceRows, path: Path, kind: ReferenceKind, options: ReferenceOptions, work_folder: Path
) -> _PreparedCsv:
    make_plan = CSV_PLANS[kind]

    def recognise(header: list[str], title_rows: tuple[str, ...]) -> CsvPlan:
        return make_plan(header, options=replace(options, title_rows=title_rows))

    found, plan = find_header(
        rows,
        path=path,
        recognise=recognise,
        expected=EXPECTED_COLUMNS[kind],
        sheet_name=options.sheet,
    )
    return _PreparedCsv(source=write_body(rows, found, work_folder=work_folder), plan=plan)


def _previous_same_load(
    connection: duckdb.DuckDBPyConnection, *, dataset_key: str, sha256: str
) -> FileLoadReport | None:
    """The latest load of ``dataset_key``, if it was of these very bytes."""
    row = connection.execute(
        "SELECT file_id, sha256, rows_in, loaded, quarantined, reasons, path FROM load_file "
        "WHERE dataset_key = ? AND status IN ('loaded', 'replaced') "
        "ORDER BY file_id DESC LIMIT 1",
        [dataset_key],
    ).fetchone()
    if row is None or row[1] != sha256:
        return None
    reasons = json.loads(row[5]) if isinstance(row[5], str) else dict(row[5])
    return FileLoadReport(
        path=str(row[6]),
        format="",
        status=LoadStatus.UNCHANGED,
        rows_in=int(row[2]),
        loaded=int(row[3]),
        quarantined=int(row[4]),
        reasons={str(key): int(value) for key, value in reasons.items()},
        file_id=int(row[0]),
    )


def _replacement_message(
    connection: duckdb.DuckDBPyConnection, replaced: dict[int, int], superseded: list[int]
) -> str:
    parts = []
    for old_file_id, count in sorted(replaced.items()):
        row = connection.execute(
            "SELECT path FROM load_file WHERE file_id = ?", [old_file_id]
        ).fetchone()
        where = row[0] if row else "?"
        whole = " (all of it)" if old_file_id in superseded else ""
        parts.append(f"{count} rows of load {old_file_id} ({where}){whole}")
    return "replaced " + "; ".join(parts)


def load_reference(
    warehouse: Warehouse,
    *,
    kind: ReferenceKind,
    path: Path,
    vintage: int | None = None,
    year: int | None = None,
    index_name: str | None = None,
    index_version: str | None = None,
    publisher: str | None = None,
    title: str | None = None,
    release: str | None = None,
    period: str | None = None,
    indicator: str | None = None,
    sheet: str | None = None,
) -> FileLoadReport:
    """Load one reference file of ``kind`` into ``warehouse``.

    Parameters
    ----------
    warehouse
        The open warehouse (written in one transaction).
    kind
        What the file holds.
    path
        The file: CSV, ArcGIS FeatureSet JSON or GeoJSON (each optionally gzip), or a
        spreadsheet (``.xlsx``, ``.xls``, ``.ods``) whose table is found by its header;
        GeoJSON with geometries for boundaries.
    vintage
        Year of the area boundaries, when the header does not say (``LSOA Code``).
    year
        Year of the figures (e.g. mid-year of a population estimate) when the file name does not
        say.
    index_name, index_version
        For harm weights (required unless the file has ``index_name``/``index_version``
        columns); ``index_name`` also names a deprivation index (default ``IMD<year>``).
    publisher, title, release, period, indicator
        For published tables (published indicators, comparator groups, offence counts), where
        the file does not say them: the publisher, the title (a comparator group's name), the
        release (stored as ``vintage``), the period, the statistic.
    sheet
        The spreadsheet sheet to read (default: the first whose header is recognised).

    Returns
    -------
    FileLoadReport
        Status ``loaded`` (new rows), ``replaced`` (rows of earlier files replaced; the message
        says which) or ``unchanged`` (the same bytes were the latest load of this dataset).

    Raises
    ------
    FileNotFoundError
        If ``path`` is not a file.
    ReferenceFileRejectedError
        If the file is not a recognised format of ``kind`` (logged as ``rejected``).
    """
    kind = ReferenceKind(kind)
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    options = ReferenceOptions.for_path(
        path,
        vintage=vintage,
        year=year,
        index_name=index_name,
        index_version=index_version,
        publisher=publisher,
        title=title,
        release=release,
        period=period,
        indicator=indicator,
        sheet=sheet,
    )
    sha256 = file_sha256(path)
    with tempfile.TemporaryDirectory(prefix="safecity-reference-") as work_folder:
        try:
            prepared = _prepare(kind, path, options, Path(work_folder))
        except UnrecognisedFileError as error:
            report = FileLoadReport(
                path=str(path),
                format=ReferenceFormat.UNRECOGNISED.value,
                status=LoadStatus.REJECTED,
                message=(
                    f"{kind.value}: {error}"
                    if isinstance(error, OptionRequiredError)
                    else f"not recognised as {kind.value}: {error}"
                ),
                sha256=sha256,
            )
            with warehouse.transaction() as connection:
                record_file(connection, report)
            raise ReferenceFileRejectedError(report) from error

        with warehouse.transaction() as connection:
            previous = _previous_same_load(
                connection, dataset_key=prepared.dataset_key, sha256=sha256
            )
            if previous is not None:
                report = FileLoadReport(
                    path=str(path),
                    format=prepared.format.value,
                    status=LoadStatus.UNCHANGED,
                    rows_in=previous.rows_in,
                    loaded=previous.loaded,
                    quarantined=previous.quarantined,
                    reasons=previous.reasons,
                    message=(
                        f"the same bytes are the latest load of {prepared.dataset_key} "
                        f"(load {previous.file_id}): nothing changed"
                    ),
                    sha256=sha256,
                    dataset_key=prepared.dataset_key,
                )
                record_file(connection, report)
                return report
            file_id = next_file_id(connection)
            outcome = prepared.load(connection, file_id=file_id)
            superseded = mark_superseded(
                connection, replaced_file_ids=set(outcome.replaced), file_id=file_id
            )
            messages = list(prepared.notes)
            if outcome.replaced:
                messages.insert(0, _replacement_message(connection, outcome.replaced, superseded))
            report = FileLoadReport(
                path=str(path),
                format=prepared.format.value,
                status=LoadStatus.REPLACED if outcome.replaced else LoadStatus.LOADED,
                rows_in=outcome.rows_in,
                loaded=outcome.loaded,
                quarantined=outcome.rows_in - outcome.loaded,
                reasons=outcome.reasons,
                message="; ".join(messages) or None,
                sha256=sha256,
                dataset_key=prepared.dataset_key,
                file_id=file_id,
            )
            record_file(connection, report)
    return report
