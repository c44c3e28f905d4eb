"""Staging, checking and quarantining a reference CSV in DuckDB.

The normalised body (see :mod:`safecity.data.reference.text_input`) is scanned with DuckDB's
CSV reader, every column as text, with explicit options (comma, double quote, no type
detection, strict field count). Records DuckDB cannot read (wrong number of fields, invalid
UTF-8, stray quotes) are kept in its rejects table and quarantined; the others are checked by
the plan's SQL checks, then duplicates of the plan's key are quarantined (the first occurrence
is kept).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from safecity.data.quality import QuarantineReason
from safecity.data.reference.kinds import ReferenceFormat
from safecity.data.reference.replacement import TableInsert, replace_rows
from safecity.data.reference.row_checks import MACROS, RowCheck, sql_text
from safecity.data.reference.text_input import NormalisedCsv, raw_records

_REJECT_REASONS = {
    "MISSING COLUMNS": QuarantineReason.WRONG_FIELD_COUNT,
    "TOO MANY COLUMNS": QuarantineReason.WRONG_FIELD_COUNT,
    "INVALID ENCODING": QuarantineReason.ENCODING_ERROR,
}


@dataclass(frozen=True, slots=True)
class CsvPlan:
    """How to check and load a recognised reference CSV."""

    format: ReferenceFormat
    dataset_key: str
    checks: tuple[RowCheck, ...]
    unique_key: tuple[str, ...]
    """SQL expressions that identify a row; a repeat of an earlier row's key is quarantined."""
    unique_key_label: str
    inserts: tuple[TableInsert, ...]
    notes: tuple[str, ...] = ()
    fast_pass: str | None = None
    """Optional cheap SQL condition implying that every check passes (checked first, so wide
    files of clean rows are not put through each check one by one)."""
    conflict_value: str | None = None
    """Optional SQL of what a row says about its key (e.g. its value): rows repeating a key with
    different values are all quarantined (the file contradicts itself, so no value is kept);
    repeats with the same value are quarantined as plain repeats (the first kept)."""


@dataclass(slots=True)
class LoadOutcome:
    """What a load did inside its transaction."""

    rows_in: int
    loaded: int
    reasons: dict[str, int]
    replaced: dict[int, int] = field(default_factory=dict)
    """Earlier load's file id -> rows of it replaced (summed over tables)."""


def _stage(connection: duckdb.DuckDBPyConnection, source: NormalisedCsv) -> None:
    width = len(source.header)
    columns = {"line_number": "BIGINT"} | {f"c{index}": "VARCHAR" for index in range(width)}
    column_spec = "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in columns.items()) + "}"
    for table in ("ref_rejects", "ref_reject_scans"):
        connection.execute(f"DROP TABLE IF EXISTS {table}")
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE ref_staged AS SELECT * FROM read_csv(?, header = false, "
        f"columns = {column_spec}, delim = ',', quote = '\"', escape = '\"', auto_detect = false, "
        # The normalised body ends every line with LF; a CR left in a line is text, never an end.
        "new_line = '\\n', "
        "null_padding = false, strict_mode = true, store_rejects = true, "
        "rejects_table = 'ref_rejects', rejects_scan = 'ref_reject_scans', parallel = false)",
        [str(source.body_path)],
    )
    reason_cases = " ".join(
        f"WHEN {sql_text(error_type)} THEN {sql_text(reason.value)}"
        for error_type, reason in _REJECT_REASONS.items()
    )
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE ref_rejected AS SELECT"
        " TRY_CAST(split_part(csv_line, ',', 1) AS BIGINT) AS line_number,"
        f" first(CASE CAST(error_type AS VARCHAR) {reason_cases}"
        f" ELSE {sql_text(QuarantineReason.MALFORMED_CSV_ROW.value)} END) AS reason,"
        " first(CASE WHEN CAST(error_type AS VARCHAR) IN ('MISSING COLUMNS', 'TOO MANY COLUMNS')"
        f" THEN 'the header has {width} fields but this record has ' ||"
        " (TRY_CAST(regexp_extract(error_message, 'Found: ([0-9]+)', 1) AS BIGINT) - 1)"
        " ELSE error_message END) AS detail,"
        " first(substr(csv_line, strpos(csv_line, ',') + 1)) AS raw_record"
        " FROM ref_rejects GROUP BY ALL"
    )


def _quarantine_unread_records(
    connection: duckdb.DuckDBPyConnection, source: NormalisedCsv
) -> None:
    """Quarantine records DuckDB dropped without a reject entry (an unterminated quote)."""
    accounted = {
        int(row[0])
        for row in connection.execute(
            "SELECT line_number FROM ref_staged UNION ALL SELECT line_number FROM ref_rejected"
        ).fetchall()
        if row[0] is not None
    }
    unread = [line for line in source.record_lines if line not in accounted]
    if not unread:
        return
    texts = raw_records(source.body_path, line_numbers=set(unread))
    connection.executemany(
        "INSERT INTO ref_rejected VALUES (?, ?, ?, ?)",
        [
            [
                line,
                QuarantineReason.MALFORMED_CSV_ROW.value,
                "the CSV reader could not read this record (an unterminated quoted field?)",
                texts.get(line),
            ]
            for line in unread
        ],
    )


def _check(connection: duckdb.DuckDBPyConnection, plan: CsvPlan, width: int) -> None:
    if plan.checks:
        reason = " ".join(
            f"WHEN {check.failed} THEN {sql_text(check.reason.value)}" for check in plan.checks
        )
        detail = " ".join(f"WHEN {check.failed} THEN {check.detail}" for check in plan.checks)
        if plan.fast_pass is not None:
            reason = f"WHEN {plan.fast_pass} THEN NULL {reason}"
            detail = f"WHEN {plan.fast_pass} THEN NULL {detail}"
        computed = f"CASE {reason} END AS reason, CASE {detail} END AS detail"
    else:
        computed = "CAST(NULL AS VARCHAR) AS reason, CAST(NULL AS VARCHAR) AS detail"
    connection.execute(
        f"CREATE OR REPLACE TEMP TABLE ref_checked AS SELECT *, {computed} FROM ref_staged"
    )
    if plan.unique_key and plan.conflict_value is not None:
        key = ", ".join(plan.unique_key)
        shown = " || ' ' || ".join(f"coalesce({part}, '')" for part in plan.unique_key)
        connection.execute(
            "UPDATE ref_checked SET reason = ?, detail = ? || conflicting.key_text || "
            "' is given ' || conflicting.values || ' different values (first at line ' || "
            "conflicting.first_line || '): none is kept' FROM ("
            f"SELECT line_number, {shown} AS key_text, "
            f"count(DISTINCT coalesce({plan.conflict_value}, '')) OVER (PARTITION BY {key}) "
            "AS values, "
            f"min(line_number) OVER (PARTITION BY {key}) AS first_line "
            "FROM ref_checked WHERE reason IS NULL) AS conflicting "
            "WHERE conflicting.values > 1 AND ref_checked.line_number = conflicting.line_number",
            [QuarantineReason.DUPLICATE_KEY.value, plan.unique_key_label + " "],
        )
    if plan.unique_key:
        key = ", ".join(plan.unique_key)
        shown = " || ' ' || ".join(f"coalesce({part}, '')" for part in plan.unique_key)
        connection.execute(
            "UPDATE ref_checked SET reason = ?, detail = ? || repeated.key_text || "
            "' repeats line ' || repeated.first_line FROM ("
            f"SELECT line_number, {shown} AS key_text, "
            f"row_number() OVER (PARTITION BY {key} ORDER BY line_number) AS occurrence, "
            f"min(line_number) OVER (PARTITION BY {key}) AS first_line "
            "FROM ref_checked WHERE reason IS NULL) AS repeated "
            "WHERE repeated.occurrence > 1 AND ref_checked.line_number = repeated.line_number",
            [QuarantineReason.DUPLICATE_KEY.value, plan.unique_key_label + " "],
        )
    raw_fields = ", ".join(f"coalesce(c{index}, '')" for index in range(width))
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE ref_quarantined AS "
        "SELECT line_number, reason, detail, raw_record FROM ref_rejected UNION ALL "
        f"SELECT line_number, reason, detail, concat_ws(',', {raw_fields}) AS raw_record "
        "FROM ref_checked WHERE reason IS NOT NULL"
    )
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE ref_valid AS SELECT * FROM ref_checked WHERE reason IS NULL"
    )


def load_csv(
    connection: duckdb.DuckDBPyConnection, *, source: NormalisedCsv, plan: CsvPlan, file_id: int
) -> LoadOutcome:
    """Stage, check, quarantine and write ``source`` per ``plan`` (inside a transaction)."""
    for macro in MACROS:
        connection.execute(macro)
    _stage(connection, source)
    _quarantine_unread_records(connection, source)
    _check(connection, plan, len(source.header))
    connection.execute(
        "INSERT INTO quarantine (file_id, line_number, reason, detail, raw_record) "
        "SELECT ?, line_number, reason, detail, raw_record FROM ref_quarantined",
        [file_id],
    )
    reasons = {
        str(reason): int(count)
        for reason, count in connection.execute(
            "SELECT reason, count(*) FROM ref_quarantined GROUP BY reason ORDER BY reason"
        ).fetchall()
    }
    loaded_row = connection.execute("SELECT count(*) FROM ref_valid").fetchone()
    loaded = int(loaded_row[0]) if loaded_row else 0
    rows_in = loaded + sum(reasons.values())
    if rows_in != len(source.record_lines):
        raise RuntimeError(
            f"{source.body_path}: {len(source.record_lines)} records read but {rows_in} "
            "accounted for: "
            "the CSV reader lost rows"
        )
    replaced: dict[int, int] = {}
    for insert in plan.inserts:
        for old_file_id, count in replace_rows(connection, insert=insert, file_id=file_id).items():
            replaced[old_file_id] = replaced.get(old_file_id, 0) + count
    for table in ("ref_valid", "ref_checked", "ref_staged", "ref_rejected", "ref_quarantined"):
        connection.execute(f"DROP TABLE IF EXISTS {table}")
    return LoadOutcome(rows_in=rows_in, loaded=loaded, reasons=reasons, replaced=replaced)
