"""Reading CSV files into temporary staging tables, with every unreadable line accounted for.

All columns are read as text (validation is the loaders' SQL), rejected lines are captured with
DuckDB's ``store_rejects`` (wrong field count, bad quoting, invalid UTF-8), and files that are
not UTF-8 at all are re-read as Windows-1252 (:mod:`safecity.data.transcoding`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from safecity.data.input_files import input_limits
from safecity.data.quality import QuarantineReason
from safecity.data.transcoding import (
    LEGACY_ENCODING_NOTE,
    is_legacy_encoded_file,
    transcode_to_utf8,
)
from safecity.geography.coordinates import to_british_national_grid

_REJECT_REASONS = {
    "MISSING COLUMNS": QuarantineReason.WRONG_FIELD_COUNT,
    "TOO MANY COLUMNS": QuarantineReason.WRONG_FIELD_COUNT,
    "INVALID ENCODING": QuarantineReason.ENCODING_ERROR,
    "INVALID UNICODE": QuarantineReason.ENCODING_ERROR,
}


def sql_text(value: str) -> str:
    """``value`` as a SQL string literal.

    Examples
    --------
    >>> sql_text("O'Brien")
    "'O''Brien'"
    """
    return "'" + value.replace("'", "''") + "'"


def sql_identifier(name: str) -> str:
    """``name`` as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def read_csv_sql(
    paths: Sequence[Path],
    column_names: Sequence[str],
    rejects: str,
    *,
    max_line_bytes: int | None = None,
    strict: bool = True,
) -> str:
    """A ``read_csv`` call reading ``paths`` with the given columns, all as text.

    The files have no line over the line limit (:func:`~safecity.data.input_files.prepare_input`
    set those aside); DuckDB's own limit is twice that, for a quoted value over two lines.
    With ``strict`` false DuckDB reads what does not follow the CSV standard as best it can (a
    CR alone ends a line): for a file the strict reader cannot read at all.
    """
    shipped = input_limits().max_line_bytes
    max_line_size = 2 * max(shipped, max_line_bytes or shipped) + 2
    files = "[" + ", ".join(sql_text(str(path)) for path in paths) + "]"
    columns = "{" + ", ".join(f"{sql_text(name)}: 'VARCHAR'" for name in column_names) + "}"
    return (
        f"read_csv({files}, columns = {columns}, header = true, auto_detect = false,"
        " delim = ',', quote = '\"', escape = '\"', filename = true, store_rejects = true,"
        f" rejects_table = '{rejects}_errors', rejects_scan = '{rejects}_scans',"
        f" max_line_size = {max_line_size}, strict_mode = {'true' if strict else 'false'})"
    )


def stage_csv(
    connection: duckdb.DuckDBPyConnection,
    *,
    table: str,
    paths: Sequence[Path],
    column_names: Sequence[str],
    workspace: Path,
    select: str = "r.*",
    files_table: str | None = None,
    numbered: bool = True,
    max_line_bytes: int | None = None,
    strict: bool = True,
) -> dict[Path, tuple[Path, list[str]]]:
    """Read ``paths`` into the temporary table ``table``.

    Each row read is ``r``: ``ordinal`` (the row's position in the read, in file order; only
    when ``numbered``, since numbering makes DuckDB read the files one thread at a time),
    ``filename`` and the columns as text. With ``files_table`` (a table with a ``filename``
    column, joined as ``f``), ``select`` may derive columns from both in the same pass, so the
    rows are read and checked at once. Lines DuckDB cannot parse go to
    ``<table>_rejects_errors``.

    Returns
    -------
    dict
        For each path: the path actually read (a UTF-8 copy in ``workspace`` for a legacy
        encoded file; that is the ``filename`` in the table) and notes for the load log.
    """
    rejects = f"{table}_rejects"
    connection.execute(f"DROP TABLE IF EXISTS {rejects}_errors")
    connection.execute(f"DROP TABLE IF EXISTS {rejects}_scans")
    join = f" JOIN {files_table} f USING (filename)" if files_table else ""

    limit = max_line_bytes

    def rows_of(read_paths: Sequence[Path], first_ordinal: str) -> str:
        numbering = f"{first_ordinal} + row_number() OVER () AS ordinal, " if numbered else ""
        reader = read_csv_sql(
            read_paths, column_names, rejects, max_line_bytes=limit, strict=strict
        )
        return f"SELECT {select} FROM (SELECT {numbering}* FROM {reader}) r{join}"

    connection.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {rows_of(paths, '0')}")
    read_as: dict[Path, tuple[Path, list[str]]] = {path: (path, []) for path in paths}
    suspects = {
        str(row[0])
        for row in connection.execute(
            f"SELECT DISTINCT s.file_path FROM {rejects}_errors e JOIN {rejects}_scans s"
            " ON s.scan_id = e.scan_id AND s.file_id = e.file_id"
            " WHERE e.error_type IN ('INVALID ENCODING', 'INVALID UNICODE')"
        ).fetchall()
    }
    for index, path in enumerate(paths):
        if str(path) not in suspects or not is_legacy_encoded_file(path):
            continue
        target = workspace / f"{table}-{index}.csv"
        transcode_to_utf8(source=path, target=target)
        connection.execute(f"DELETE FROM {table} WHERE filename = ?", [str(path)])
        connection.execute(
            f"DELETE FROM {rejects}_errors e USING {rejects}_scans s"
            " WHERE s.scan_id = e.scan_id AND s.file_id = e.file_id AND s.file_path = ?",
            [str(path)],
        )
        if files_table:
            connection.execute(
                f"UPDATE {files_table} SET filename = ? WHERE filename = ?",
                [str(target), str(path)],
            )
        last = (
            connection.execute(f"SELECT coalesce(max(ordinal), 0) FROM {table}").fetchall()[0][0]
            if numbered
            else 0
        )
        connection.execute(f"INSERT INTO {table} {rows_of([target], str(int(last)))}")
        read_as[path] = (target, [LEGACY_ENCODING_NOTE])
    return read_as


def staged_rejects_sql(
    *,
    table: str,
    files_table: str,
    keep_raw: bool = True,
    oversized_table: str | None = None,
) -> str:
    """A query of the lines DuckDB rejected while staging ``table``.

    Columns: ``file_id, line, reason, detail, raw_record`` (one row per rejected line), where
    ``files_table`` maps ``filename`` (as read) to ``file_id``. With ``keep_raw`` false neither
    the line nor DuckDB's message about it is kept (for files that may hold personal data: the
    message can quote a value), only the kind of error. With ``oversized_table`` (columns
    ``file_id, copy_line``: the lines set aside as over-long), line numbers are those of the
    file as given rather than of the copy read.
    """
    rejects = f"{table}_rejects"
    cases = " ".join(
        f"WHEN e.error_type = {sql_text(error_type)} THEN {sql_text(reason.value)}"
        for error_type, reason in _REJECT_REASONS.items()
    )
    raw = "e.csv_line" if keep_raw else "NULL"
    line = (
        f"e.line + (SELECT count(*) FROM {oversized_table} o WHERE o.file_id = f.file_id"
        " AND o.copy_line <= e.line)"
        if oversized_table
        else "e.line"
    )
    detail = (
        "e.error_type || ': ' || e.error_message"
        if keep_raw
        else f"'line ' || ({line}) || ': ' || lower(e.error_type::VARCHAR)"
        " || '; its text is not kept'"
    )
    return (
        "SELECT file_id, line, reason, detail, raw_record FROM (SELECT DISTINCT ON"
        f" (f.file_id, e.line) f.file_id, {line} AS line, CASE {cases} ELSE"
        f" {sql_text(QuarantineReason.MALFORMED_CSV_ROW.value)} END AS reason,"
        f" {detail} AS detail, {raw} AS raw_record"
        f" FROM {rejects}_errors e JOIN {rejects}_scans s"
        " ON s.scan_id = e.scan_id AND s.file_id = e.file_id"
        f" JOIN {files_table} f ON f.filename = s.file_path ORDER BY f.file_id, e.line)"
    )


def oversized_quarantine_sql(*, oversized_table: str, max_line_bytes: int) -> str:
    """Quarantine rows (``file_id, line, reason, detail, raw_record``) for the over-long lines
    in ``oversized_table`` (``file_id, line_number, byte_length``): by reference, no text."""
    limit = max_line_bytes
    return (
        f"SELECT file_id, line_number, {sql_text(QuarantineReason.LINE_TOO_LONG.value)},"
        " 'line ' || line_number || ': ' || byte_length || ' bytes, over the limit of "
        f"{limit} bytes; not read, its text is not kept', NULL FROM {oversized_table}"
    )


def create_grid_references(
    connection: duckdb.DuckDBPyConnection, *, points_query: str, table: str
) -> None:
    """Create temp ``table`` (longitude, latitude, easting, northing) for the distinct points
    returned by ``points_query`` (columns ``longitude, latitude`` as DOUBLE)."""
    points = connection.execute(points_query).fetchnumpy()
    longitudes = np.asarray(points["longitude"], dtype=np.float64)
    latitudes = np.asarray(points["latitude"], dtype=np.float64)
    eastings, northings = to_british_national_grid(longitude=longitudes, latitude=latitudes)
    grid = pa.table(
        {"longitude": longitudes, "latitude": latitudes, "easting": eastings, "northing": northings}
    )
    view = f"{table}_arrow"
    connection.register(view, grid)
    connection.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM {view}")
    connection.unregister(view)
