"""Loading a force record-level extract (crimes, victims, offenders) with pseudonymisation.

The three files are loaded in one transaction: all or nothing. Each row is loaded or
quarantined with a reason; victim and offender identifiers are replaced by keyed pseudonyms
(:mod:`safecity.data.extract.pseudonyms`) before anything is written, and the raw lines of
victim and offender rows that fail to parse are not kept (only their line number and reason).
A crime whose reference was loaded before (from the same source) is replaced, together with its
victims and offenders, so re-delivered or overlapping extracts do not double count.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from safecity.data.csv_staging import (
    create_grid_references,
    oversized_quarantine_sql,
    sql_identifier,
    sql_text,
    stage_csv,
    staged_rejects_sql,
)
from safecity.data.extract.mapping import (
    FLAG_COLUMNS,
    REQUIRED_COLUMNS,
    ExtractMapping,
    ExtractTable,
    read_mapping,
)
from safecity.data.extract.pseudonyms import (
    PseudonymKeyError,
    key_check_value,
    pseudonym_key,
    pseudonymise,
)
from safecity.data.input_files import (
    InputError,
    InputFile,
    InputKind,
    InputLimits,
    InputRefusedError,
    PreparedFile,
    decode_header,
    input_limits,
    prepare_input,
    stored_sha256,
)
from safecity.data.load_report import (
    FileLoadReport,
    LoadStatus,
    next_file_id,
    record_file,
)
from safecity.data.police_uk.formats import united_kingdom_extent
from safecity.data.quality import QuarantineReason
from safecity.data.warehouse import Warehouse

EXTRACT_FORMAT = "force_extract_{table}"
LENIENT_READING_NOTE = (
    "read leniently: the strict CSV reader could not read the extract (a stray CR or quote), "
    "so a CR alone was taken as a line end and lines that do not parse were quarantined"
)

_PERSON_COLUMN = {ExtractTable.VICTIMS: "victim_id", ExtractTable.OFFENDERS: "offender_id"}
_PSEUDONYM_COLUMN = {
    ExtractTable.VICTIMS: "victim_pseudonym",
    ExtractTable.OFFENDERS: "offender_pseudonym",
}
_TARGET_TABLE = {
    ExtractTable.CRIMES: "extract_crime",
    ExtractTable.VICTIMS: "extract_victim",
    ExtractTable.OFFENDERS: "extract_offender",
}
_DEFAULT_SEX_VALUES = {
    "F": "F",
    "Female": "F",
    "FEMALE": "F",
    "female": "F",
    "M": "M",
    "Male": "M",
    "MALE": "M",
    "male": "M",
    "U": "U",
    "Unknown": "U",
    "UNKNOWN": "U",
    "unknown": "U",
    "X": "U",
}
_ETHNIC_GROUPS = ("Asian", "Black", "Mixed", "White", "Other", "Not stated")

__all__ = ["PseudonymKeyError", "load_extract"]


@dataclass(slots=True)
class _ExtractFile:
    table: ExtractTable
    path: Path
    prepared: PreparedFile
    header: list[str]
    file_id: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        return self.prepared.sha256

    @property
    def format(self) -> str:
        return EXTRACT_FORMAT.format(table=self.table.value)


def load_extract(
    warehouse: Warehouse,
    *,
    path: Path,
    mapping_path: Path,
    limits: InputLimits | None = None,
) -> list[FileLoadReport]:
    """Load a force extract described by a mapping file.

    Parameters
    ----------
    warehouse
        The open warehouse.
    path
        The folder holding the extract's files (named in the mapping), or ``mapping_path``'s
        folder when ``path`` is a file.
    mapping_path
        The YAML mapping file (``docs/data-model.md``).
    limits
        Size, compression-ratio and line limits (default: ``config/input_limits.yaml``).

    Returns
    -------
    list of FileLoadReport
        One per file: crimes, victims, offenders.

    Notes
    -----
    The files may be plain or gzipped. A file that cannot be read (corrupt or truncated gzip,
    over a size or ratio limit, header line over the line limit) or whose header lacks a
    required column rejects the whole extract, and the load log says why without quoting the
    file's lines (a file without its header row would otherwise put a person's data in the
    log). A line over the line limit is quarantined by reference (line number and byte
    length); a line DuckDB cannot parse keeps only its line number and the kind of error, in
    every file: its unmapped columns may hold names.

    Raises
    ------
    safecity.data.extract.mapping.MappingError
        If the mapping file is not valid.
    safecity.data.extract.pseudonyms.PseudonymKeyError
        If there is no usable pseudonymisation key, or it is not the key used before.
    safecity.data.input_files.InputError
        If a file named by the mapping is missing.
    """
    mapping = read_mapping(mapping_path)
    key = pseudonym_key(warehouse_path=warehouse.path)
    limits = input_limits() if limits is None else limits
    folder = path if path.is_dir() else mapping.folder
    file_paths = {table: folder / mapping.files[table] for table in ExtractTable}
    for table, file_path in file_paths.items():
        if not file_path.is_file():
            raise InputError(
                f"{file_path}: the {table.value} file named by {mapping_path} is missing"
            )
    with tempfile.TemporaryDirectory(prefix="safecity-extract-") as workspace_name:
        workspace = Path(workspace_name)
        files, refused = _prepare_files(file_paths, workspace, limits)
        rejected = refused or _check_headers(mapping, files)
        if rejected is not None:
            with warehouse.transaction() as connection:
                for report in rejected:
                    record_file(connection, report)
            return rejected
        unchanged = _unchanged(warehouse.connection, files)
        if unchanged is not None:
            return unchanged
        for strict in (True, False):
            try:
                with warehouse.transaction() as connection:
                    _check_key(connection, key)
                    return _load(
                        connection,
                        mapping=mapping,
                        files=files,
                        key=key,
                        workspace=workspace,
                        limits=limits,
                        strict=strict,
                    )
            except duckdb.Error:
                for item in files:
                    item.notes.clear()
        # DuckDB's message is not kept: it may quote a line of a person-level file.
        reports = [
            FileLoadReport(
                path=str(item.path),
                format=item.format,
                status=LoadStatus.REJECTED,
                message=(
                    "the CSV reader could not read the extract's files, even leniently (broken "
                    "quoting or line endings). Nothing of the extract was loaded."
                ),
                sha256=item.sha256,
            )
            for item in files
        ]
        with warehouse.transaction() as connection:
            for report in reports:
                record_file(connection, report)
        return reports


def _prepare_files(
    file_paths: dict[ExtractTable, Path], workspace: Path, limits: InputLimits
) -> tuple[list[_ExtractFile], list[FileLoadReport] | None]:
    """Read the three files once each; if one cannot be read, reports rejecting them all."""
    files: list[_ExtractFile] = []
    problems: dict[ExtractTable, str] = {}
    for position, (table, file_path) in enumerate(file_paths.items()):
        source = InputFile(
            display_path=str(file_path),
            origin=file_path,
            kind=InputKind.GZIP if file_path.name.lower().endswith(".gz") else InputKind.PLAIN,
            container=str(file_path.parent),
            stored_size=file_path.stat().st_size,
        )
        try:
            prepared = prepare_input(source, position=position, workspace=workspace, limits=limits)
        except InputRefusedError as error:
            problems[table] = str(error)
            continue
        files.append(
            _ExtractFile(
                table=table,
                path=file_path,
                prepared=prepared,
                header=decode_header(prepared.first_line),
            )
        )
    if not problems:
        return files, None
    return files, [
        FileLoadReport(
            path=str(file_path),
            format=EXTRACT_FORMAT.format(table=table.value),
            status=LoadStatus.REJECTED,
            message=(
                problems[table].removesuffix("; nothing of it was loaded")
                + ". Nothing of the extract was loaded."
                if table in problems
                else "not loaded: another file of the extract was rejected"
            ),
            sha256=stored_sha256(file_path),
        )
        for table, file_path in file_paths.items()
    ]


def _check_headers(
    mapping: ExtractMapping, files: list[_ExtractFile]
) -> list[FileLoadReport] | None:
    problems: dict[ExtractTable, str] = {}
    for item in files:
        renames = mapping.columns[item.table]
        required = [
            theirs for theirs, ours in renames.items() if ours in REQUIRED_COLUMNS[item.table]
        ]
        missing = [column for column in required if column not in item.header]
        if missing:
            # The first line is not quoted: without a header row it is a person's data.
            named = sum(1 for column in item.header if column in renames)
            problems[item.table] = (
                f"header lacks required columns {missing}; the mapping expects "
                f"{', '.join(renames)}; the first line has {len(item.header)} fields, "
                f"{named} of them named by the mapping (if the file has no header row, add "
                "one; its first line is not shown here, as it may hold personal data)"
            )
        absent = [
            theirs for theirs in renames if theirs not in item.header and theirs not in missing
        ]
        if absent:
            item.notes.append(f"mapped columns absent from the file (left empty): {absent}")
        ignored = [column for column in item.header if column not in renames]
        if ignored:
            item.notes.append(f"columns not in the mapping (ignored): {ignored}")
    if not problems:
        return None
    return [
        FileLoadReport(
            path=str(item.path),
            format=item.format,
            status=LoadStatus.REJECTED,
            message=(
                problems[item.table] + ". Nothing of the extract was loaded."
                if item.table in problems
                else "not loaded: another file of the extract was rejected"
            ),
            sha256=item.sha256,
        )
        for item in files
    ]


def _unchanged(
    connection: duckdb.DuckDBPyConnection, files: list[_ExtractFile]
) -> list[FileLoadReport] | None:
    previous = []
    for item in files:
        row = connection.execute(
            "SELECT file_id, rows_in, loaded, quarantined, reasons FROM load_file"
            " WHERE sha256 = ? AND format = ? AND status IN ('loaded', 'replaced')"
            " ORDER BY file_id DESC LIMIT 1",
            [item.sha256, item.format],
        ).fetchone()
        if row is None:
            return None
        previous.append((item, row))
    return [
        FileLoadReport(
            path=str(item.path),
            format=item.format,
            status=LoadStatus.UNCHANGED,
            rows_in=int(row[1]),
            loaded=int(row[2]),
            quarantined=int(row[3]),
            reasons=json.loads(row[4]),
            message=f"identical to file {row[0]} already loaded: nothing changed",
            sha256=item.sha256,
            file_id=int(row[0]),
        )
        for item, row in previous
    ]


def _check_key(connection: duckdb.DuckDBPyConnection, key: bytes) -> None:
    check = key_check_value(key)
    stored = connection.execute("SELECT check_value FROM pseudonym_key_check").fetchall()
    if not stored:
        connection.execute("INSERT INTO pseudonym_key_check (check_value) VALUES (?)", [check])
    elif stored[0][0] != check:
        raise PseudonymKeyError(
            "this is not the pseudonymisation key used for earlier loads into this warehouse: "
            "the same person would get two pseudonyms. Use the original key."
        )


def _column(mapping: ExtractMapping, item: _ExtractFile, ours: str) -> str:
    """SQL for our column ``ours`` in the staged file (NULL when absent)."""
    theirs = mapping.source_column(item.table, ours)
    if theirs is None or theirs not in item.header:
        return "NULL::VARCHAR"
    return f"trim(s.{sql_identifier(theirs)})"


def _load(
    connection: duckdb.DuckDBPyConnection,
    *,
    mapping: ExtractMapping,
    files: list[_ExtractFile],
    key: bytes,
    workspace: Path,
    limits: InputLimits,
    strict: bool,
) -> list[FileLoadReport]:
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE extract_files (filename VARCHAR, file_id BIGINT,"
        " extract_table VARCHAR)"
    )
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE extract_oversized (file_id BIGINT, line_number BIGINT,"
        " byte_length BIGINT, copy_line BIGINT)"
    )
    for item in files:
        item.file_id = next_file_id(connection)
        staging = f"staged_{item.table.value}"
        read_as = stage_csv(
            connection,
            table=staging,
            paths=[item.prepared.read_path],
            column_names=item.header,
            workspace=workspace,
            max_line_bytes=limits.max_line_bytes,
            strict=strict,
        )
        read_path, notes = read_as[item.prepared.read_path]
        item.notes.extend(notes)
        if not strict:
            item.notes.append(LENIENT_READING_NOTE)
        connection.execute(
            "INSERT INTO extract_files VALUES (?, ?, ?)",
            [str(read_path), item.file_id, item.table.value],
        )
        oversized = [
            [item.file_id, line.line_number, line.byte_length, line.copy_line]
            for line in item.prepared.oversized_lines
        ]
        if oversized:
            connection.executemany("INSERT INTO extract_oversized VALUES (?, ?, ?, ?)", oversized)
    connection.execute(
        "INSERT INTO quarantine (file_id, line_number, reason, detail, raw_record) "
        + oversized_quarantine_sql(
            oversized_table="extract_oversized", max_line_bytes=limits.max_line_bytes
        )
    )
    crimes, victims, offenders = files
    _check_crimes(connection, mapping, crimes)
    replaced = _replace_earlier_crimes(connection, mapping)
    if replaced:
        crimes.notes.append(f"replaced {replaced} crimes loaded before under the same reference")
    _insert_crimes(connection, mapping, crimes)
    for people in (victims, offenders):
        _pseudonymise_people(connection, mapping, people, key)
        _check_people(connection, mapping, people)
        _insert_people(connection, mapping, people)
    return [_report(connection, item) for item in files]


def _flag_sql(mapping: ExtractMapping, item: _ExtractFile, flag: str) -> tuple[str, str]:
    """(SQL value, SQL validity test) of one flag column."""
    column = _column(mapping, item, flag)
    if column == "NULL::VARCHAR":
        return "NULL::BOOLEAN", "TRUE"
    trues = ", ".join(sql_text(value) for value in mapping.true_values)
    falses = ", ".join(sql_text(value) for value in mapping.false_values)
    value = f"CASE WHEN {column} IN ({trues}) THEN TRUE ELSE FALSE END"
    valid = (
        f"({column} IS NULL OR {column} = '' OR {column} IN ({trues}) OR {column} IN ({falses}))"
    )
    return value, valid


def _timestamp_sql(column: str, formats: tuple[str, ...]) -> str:
    format_list = "[" + ", ".join(sql_text(item) for item in formats) + "]"
    return f"try_strptime({column}, {format_list})"


def _check_crimes(
    connection: duckdb.DuckDBPyConnection, mapping: ExtractMapping, item: _ExtractFile
) -> None:
    extent = united_kingdom_extent()
    reference = _column(mapping, item, "crime_reference")
    offence = _column(mapping, item, "offence_code")
    committed_from = _timestamp_sql(
        _column(mapping, item, "committed_from"), mapping.datetime_formats
    )
    committed_to_text = _column(mapping, item, "committed_to")
    committed_to = _timestamp_sql(committed_to_text, mapping.datetime_formats)
    recorded_text = _column(mapping, item, "recorded_date")
    recorded = f"CAST({_timestamp_sql(recorded_text, mapping.date_formats)} AS DATE)"
    longitude = _column(mapping, item, "longitude")
    latitude = _column(mapping, item, "latitude")
    easting = _column(mapping, item, "easting")
    northing = _column(mapping, item, "northing")
    lsoa = _column(mapping, item, "lsoa_code")
    flags = {flag: _flag_sql(mapping, item, flag) for flag in FLAG_COLUMNS}
    flag_checks = " ".join(
        f"WHEN NOT {valid} THEN '{QuarantineReason.UNPARSEABLE_BOOLEAN}'"
        for _, valid in flags.values()
        if valid != "TRUE"
    )
    offence_pattern = "'^0*([0-9]{1,3})([A-Z]?)(([/.])0*([0-9]{1,2}))?$'"
    # The Home Office's short form: no leading zeros, e.g. '008N' -> '8N', '008/01' -> '8/1'.
    normalised_offence = f"regexp_replace(upper({offence}), {offence_pattern}, '\\1\\2\\4\\5')"
    reason = (
        f"CASE WHEN {reference} IS NULL OR {reference} = ''"
        f" THEN '{QuarantineReason.MISSING_REQUIRED_VALUE}'"
        f" WHEN count(*) OVER (PARTITION BY {reference}) > 1 AND"
        f" row_number() OVER (PARTITION BY {reference} ORDER BY s.ordinal) > 1"
        f" THEN '{QuarantineReason.DUPLICATE_KEY}'"
        f" WHEN {offence} IS NULL OR NOT regexp_matches(upper({offence}), {offence_pattern})"
        f" THEN '{QuarantineReason.MALFORMED_OFFENCE_CODE}'"
        f" WHEN {committed_from} IS NULL THEN '{QuarantineReason.UNPARSEABLE_DATE}'"
        f" WHEN {committed_to_text} IS NOT NULL AND {committed_to} IS NULL"
        f" THEN '{QuarantineReason.UNPARSEABLE_DATE}'"
        f" WHEN {committed_to} < {committed_from} THEN '{QuarantineReason.OUT_OF_RANGE}'"
        f" WHEN {recorded_text} IS NOT NULL AND {recorded} IS NULL"
        f" THEN '{QuarantineReason.UNPARSEABLE_DATE}'"
        f" WHEN (({longitude}) IS NULL) <> (({latitude}) IS NULL)"
        f" OR ({longitude} IS NOT NULL AND (try_cast({longitude} AS DOUBLE) IS NULL"
        f" OR try_cast({latitude} AS DOUBLE) IS NULL))"
        f" OR (({easting}) IS NULL) <> (({northing}) IS NULL)"
        f" OR ({easting} IS NOT NULL AND (try_cast({easting} AS DOUBLE) IS NULL"
        f" OR try_cast({northing} AS DOUBLE) IS NULL))"
        f" THEN '{QuarantineReason.UNPARSEABLE_COORDINATES}'"
        f" WHEN {longitude} IS NOT NULL AND NOT (try_cast({longitude} AS DOUBLE) BETWEEN"
        f" {extent['min_longitude']} AND {extent['max_longitude']} AND"
        f" try_cast({latitude} AS DOUBLE) BETWEEN {extent['min_latitude']} AND"
        f" {extent['max_latitude']}) OR ({easting} IS NOT NULL AND NOT ("
        f"try_cast({easting} AS DOUBLE) BETWEEN 0 AND 700000 AND"
        f" try_cast({northing} AS DOUBLE) BETWEEN 0 AND 1300000))"
        f" THEN '{QuarantineReason.COORDINATES_OUTSIDE_UK}'"
        f" WHEN {lsoa} IS NOT NULL AND NOT regexp_full_match({lsoa}, '[EW]01[0-9]{{6}}')"
        f" THEN '{QuarantineReason.MALFORMED_LSOA_CODE}'"
        f" {flag_checks} END"
    )
    flag_values = ", ".join(f"{value} AS {flag}" for flag, (value, _) in flags.items())
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE checked_crimes AS SELECT s.ordinal, f.file_id,"
        f" {reference} AS crime_reference, {normalised_offence} AS offence_code,"
        f" {_column(mapping, item, 'offence_description')} AS offence_description,"
        f" {committed_from} AS committed_from, {committed_to} AS committed_to,"
        f" {recorded} AS recorded_date,"
        f" try_cast({longitude} AS DOUBLE) AS longitude,"
        f" try_cast({latitude} AS DOUBLE) AS latitude,"
        f" try_cast({easting} AS DOUBLE) AS given_easting,"
        f" try_cast({northing} AS DOUBLE) AS given_northing,"
        f" {lsoa} AS lsoa_code, {_column(mapping, item, 'outcome')} AS outcome,"
        f" {flag_values}, {reason} AS reason,"
        f" {_raw_record_sql(mapping, item)} AS raw_record"
        " FROM staged_crimes s JOIN extract_files f USING (filename)"
    )


def _replace_earlier_crimes(connection: duckdb.DuckDBPyConnection, mapping: ExtractMapping) -> int:
    """Remove crimes (with their victims and offenders) that this extract loads again."""
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE replaced_crimes AS SELECT crime_reference"
        " FROM extract_crime WHERE source = ? AND crime_reference IN"
        " (SELECT crime_reference FROM checked_crimes WHERE reason IS NULL)",
        [mapping.name],
    )
    row = connection.execute("SELECT count(*) FROM replaced_crimes").fetchone()
    replaced = int(row[0]) if row else 0
    if replaced:
        for table in _TARGET_TABLE.values():
            connection.execute(
                f"DELETE FROM {table} WHERE source = ? AND crime_reference IN"
                " (SELECT crime_reference FROM replaced_crimes)",
                [mapping.name],
            )
    return replaced


def _insert_crimes(
    connection: duckdb.DuckDBPyConnection, mapping: ExtractMapping, item: _ExtractFile
) -> None:
    create_grid_references(
        connection,
        points_query="SELECT DISTINCT longitude, latitude FROM checked_crimes"
        " WHERE reason IS NULL AND longitude IS NOT NULL",
        table="crime_grid",
    )
    flags = ", ".join(f"c.{flag}" for flag in FLAG_COLUMNS)
    connection.execute(
        "INSERT INTO extract_crime BY NAME SELECT c.file_id, ? AS source, c.crime_reference,"
        " c.offence_code, c.offence_description, c.committed_from, c.committed_to,"
        " c.recorded_date, c.longitude, c.latitude,"
        " coalesce(c.given_easting, g.easting) AS easting,"
        " coalesce(c.given_northing, g.northing) AS northing, c.lsoa_code, c.outcome,"
        f" {flags}, (c.longitude IS NOT NULL OR c.given_easting IS NOT NULL) AS has_location"
        " FROM checked_crimes c LEFT JOIN crime_grid g"
        " ON g.longitude = c.longitude AND g.latitude = c.latitude WHERE c.reason IS NULL",
        [mapping.name],
    )
    connection.execute(
        "INSERT INTO quarantine (file_id, line_number, reason, detail, raw_record)"
        " SELECT file_id, NULL, reason, 'data row ' || ordinal || ': ' || reason, raw_record"
        " FROM checked_crimes WHERE reason IS NOT NULL"
    )
    connection.execute(
        "INSERT INTO quarantine (file_id, line_number, reason, detail, raw_record) "
        # Not even the crimes' unparseable lines are kept: their unmapped columns (officers'
        # notes, names in free text) may identify a person.
        + staged_rejects_sql(
            table="staged_crimes",
            files_table="extract_files",
            keep_raw=False,
            oversized_table="extract_oversized",
        )
    )


def _check_people(
    connection: duckdb.DuckDBPyConnection, mapping: ExtractMapping, item: _ExtractFile
) -> None:
    staging = f"staged_{item.table.value}"
    reference = _column(mapping, item, "crime_reference")
    person = _column(mapping, item, _PERSON_COLUMN[item.table])
    person_source = mapping.source_column(item.table, _PERSON_COLUMN[item.table])
    age = _column(mapping, item, "age")
    sex = _column(mapping, item, "sex")
    ethnicity = _column(mapping, item, "ethnicity")
    sex_values = {**_DEFAULT_SEX_VALUES, **mapping.sex_values}
    sex_cases = " ".join(
        f"WHEN {sex} = {sql_text(given)} THEN {sql_text(ours)}"
        for given, ours in sex_values.items()
    )
    groups = ", ".join(sql_text(group) for group in _ETHNIC_GROUPS)
    victim_type = (
        _column(mapping, item, "victim_type") if item.table is ExtractTable.VICTIMS else "NULL"
    )
    reason = (
        f"CASE WHEN {reference} IS NULL OR {person} IS NULL"
        f" THEN '{QuarantineReason.MISSING_REQUIRED_VALUE}'"
        f" WHEN {reference} NOT IN (SELECT crime_reference FROM extract_crime WHERE source = ?)"
        f" THEN '{QuarantineReason.UNKNOWN_CRIME_REFERENCE}'"
        f" WHEN {age} IS NOT NULL AND try_cast({age} AS INTEGER) IS NULL"
        f" THEN '{QuarantineReason.UNPARSEABLE_NUMBER}'"
        f" WHEN NOT coalesce(try_cast({age} AS INTEGER) BETWEEN 0 AND 120, TRUE)"
        f" OR ({sex} IS NOT NULL AND {sex} NOT IN ({', '.join(sql_text(v) for v in sex_values)}))"
        f" OR ({ethnicity} IS NOT NULL AND {ethnicity} NOT IN ({groups}))"
        f" OR ({victim_type} IS NOT NULL AND {victim_type} NOT IN ('person', 'organisation'))"
        f" THEN '{QuarantineReason.OUT_OF_RANGE}' END"
    )
    connection.execute(
        f"CREATE OR REPLACE TEMP TABLE checked_{item.table.value} AS SELECT s.ordinal,"
        f" f.file_id, {reference} AS crime_reference, {person} AS person_id,"
        f" try_cast({age} AS INTEGER) AS age, CASE {sex_cases} END AS sex,"
        f" {ethnicity} AS ethnicity, {victim_type} AS victim_type, {reason} AS reason,"
        f" p.pseudonym, {_raw_record_sql(mapping, item, person_column=person_source)} AS raw_record"
        f" FROM {staging} s JOIN extract_files f USING (filename)"
        f" LEFT JOIN pseudonym p ON p.person_id = {person}",
        [mapping.name],
    )


def _pseudonymise_people(
    connection: duckdb.DuckDBPyConnection,
    mapping: ExtractMapping,
    item: _ExtractFile,
    key: bytes,
) -> None:
    """Temp table ``pseudonym`` (person_id, pseudonym) for every identifier in the file."""
    person = _column(mapping, item, _PERSON_COLUMN[item.table])
    identifiers = [
        str(row[0])
        for row in connection.execute(
            f"SELECT DISTINCT {person} FROM staged_{item.table.value} s WHERE {person} IS NOT NULL"
        ).fetchall()
    ]
    pseudonyms = pa.table(
        {
            "person_id": pa.array(identifiers, type=pa.string()),
            "pseudonym": pa.array(pseudonymise(identifiers, key=key), type=pa.string()),
        }
    )
    connection.register("pseudonym_arrow", pseudonyms)
    connection.execute("CREATE OR REPLACE TEMP TABLE pseudonym AS SELECT * FROM pseudonym_arrow")
    connection.unregister("pseudonym_arrow")


def _insert_people(
    connection: duckdb.DuckDBPyConnection, mapping: ExtractMapping, item: _ExtractFile
) -> None:
    checked = f"checked_{item.table.value}"
    victim_type = ", c.victim_type" if item.table is ExtractTable.VICTIMS else ""
    connection.execute(
        f"INSERT INTO {_TARGET_TABLE[item.table]} BY NAME SELECT c.file_id, ? AS source,"
        f" c.crime_reference, c.pseudonym AS {_PSEUDONYM_COLUMN[item.table]}, c.age, c.sex,"
        f" c.ethnicity{victim_type} FROM {checked} c WHERE c.reason IS NULL",
        [mapping.name],
    )
    connection.execute(
        "INSERT INTO quarantine (file_id, line_number, reason, detail, raw_record)"
        " SELECT file_id, NULL, reason, 'data row ' || ordinal || ': ' || reason, raw_record"
        f" FROM {checked} WHERE reason IS NOT NULL"
    )
    # Lines that could not be parsed may hold an identifier in clear: their text is not kept.
    connection.execute(
        "INSERT INTO quarantine (file_id, line_number, reason, detail, raw_record) "
        + staged_rejects_sql(
            table=f"staged_{item.table.value}",
            files_table="extract_files",
            keep_raw=False,
            oversized_table="extract_oversized",
        )
    )


def _raw_record_sql(
    mapping: ExtractMapping, item: _ExtractFile, *, person_column: str | None = None
) -> str:
    """The row's mapped fields as ``column=value`` pairs; a person identifier as its pseudonym.

    Columns the mapping does not name are left out: they may hold anything (names, dates of
    birth, addresses, officers' notes), and a quarantined row must not keep them in clear.
    """
    fields = ", ".join(
        f"{sql_text(column + '=')} || "
        + (
            "coalesce(p.pseudonym, '')"
            if column == person_column
            else f"coalesce(s.{sql_identifier(column)}, '')"
        )
        for column in item.header
        if column in mapping.columns[item.table]
    )
    return f"concat_ws(',', {fields})"


def _report(connection: duckdb.DuckDBPyConnection, item: _ExtractFile) -> FileLoadReport:
    checked = {
        ExtractTable.CRIMES: "checked_crimes",
        ExtractTable.VICTIMS: "checked_victims",
        ExtractTable.OFFENDERS: "checked_offenders",
    }[item.table]
    loaded_row = connection.execute(
        f"SELECT count(*) FROM {checked} WHERE reason IS NULL"
    ).fetchone()
    reasons = {
        str(reason): int(count)
        for reason, count in connection.execute(
            "SELECT reason, count(*) FROM quarantine WHERE file_id = ? GROUP BY ALL ORDER BY ALL",
            [item.file_id],
        ).fetchall()
    }
    loaded = int(loaded_row[0]) if loaded_row else 0
    report = FileLoadReport(
        path=str(item.path),
        format=item.format,
        status=LoadStatus.LOADED,
        rows_in=loaded + sum(reasons.values()),
        loaded=loaded,
        quarantined=sum(reasons.values()),
        reasons=reasons,
        message="; ".join(item.notes) or None,
        sha256=item.sha256,
        file_id=item.file_id,
    )
    record_file(connection, report)
    return report
