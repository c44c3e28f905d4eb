"""Property: corrupting random rows of a real police.uk file never loses a row.

Whatever rows are corrupted, and however, every row of the file is loaded or quarantined, the
counts reconcile, and each corrupted row is quarantined for the reason its corruption implies.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from police_uk_files import STREET_HEADER, read_real_rows

from safecity.data.police_uk.loader import load_police_uk
from safecity.data.warehouse import Warehouse

SAMPLE_ROWS = 200


def _bad_month(row: list[str]) -> list[str]:
    return [row[0], "April 2017", *row[2:]]


def _other_month(row: list[str]) -> list[str]:
    return [row[0], "2017-05", *row[2:]]


def _unknown_crime_type(row: list[str]) -> list[str]:
    return [*row[:9], "Not a crime type", *row[10:]]


def _missing_field(row: list[str]) -> list[str]:
    return row[:-1]


def _extra_field(row: list[str]) -> list[str]:
    return [*row, "surplus"]


def _outside_uk(row: list[str]) -> list[str]:
    return [*row[:4], "2.3522", "48.8566", *row[6:]]


def _text_coordinate(row: list[str]) -> list[str]:
    return [*row[:4], "west", "50.9", *row[6:]]


def _malformed_lsoa(row: list[str]) -> list[str]:
    return [*row[:7], "S01X", *row[8:]]


CORRUPTIONS = {
    "unparseable_month": _bad_month,
    "month_mismatch": _other_month,
    "unknown_crime_type": _unknown_crime_type,
    "wrong_field_count": _missing_field,
    "wrong_field_count ": _extra_field,
    "coordinates_outside_uk": _outside_uk,
    "unparseable_coordinates": _text_coordinate,
    "malformed_lsoa_code": _malformed_lsoa,
    "encoding_error": None,
}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    corrupted=st.dictionaries(
        keys=st.integers(min_value=0, max_value=SAMPLE_ROWS - 1),
        values=st.sampled_from(sorted(CORRUPTIONS)),
        max_size=30,
    )
)
def test_corrupted_rows_are_quarantined_and_counts_reconcile(
    shared_data: Path, tmp_path_factory: object, corrupted: dict[int, str]
) -> None:
    source = shared_data / "police-uk" / "hampshire" / "2017-04-hampshire-street.csv.gz"
    rows = read_real_rows(source)[:SAMPLE_ROWS]
    lines: list[bytes] = []
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(STREET_HEADER)
    lines.append(header.getvalue().encode())
    for index, row in enumerate(rows):
        kind = corrupted.get(index)
        corruption = CORRUPTIONS[kind] if kind else None
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(corruption(row) if corruption else row)
        encoded = buffer.getvalue().encode()
        if kind == "encoding_error":
            encoded = encoded.replace(b",", b",\xff\xfe", 1)
        lines.append(encoded)
    # One more (valid) row with a non-ASCII name makes the file recognisably UTF-8; a file with
    # no multi-byte UTF-8 at all would be read as Windows-1252 instead (see transcoding.py).
    utf8_row = io.StringIO()
    csv.writer(utf8_row, lineterminator="\n").writerow(
        [*rows[0][:6], "On or near Café Street", *rows[0][7:]]
    )
    lines.append(utf8_row.getvalue().encode())
    folder = Path(str(tmp_path_factory.mktemp("corrupt")))  # type: ignore[attr-defined]
    path = folder / "2017-04-hampshire-street.csv"
    path.write_bytes(b"".join(lines))

    with Warehouse(folder / "w.duckdb") as warehouse:
        report = load_police_uk(warehouse, paths=[path])[0]
        expected_reasons = Counter(kind.strip() for kind in corrupted.values())
        assert report.rows_in == SAMPLE_ROWS + 1
        assert report.loaded == SAMPLE_ROWS + 1 - len(corrupted)
        assert report.quarantined == len(corrupted)
        assert report.reasons == dict(expected_reasons)
        assert warehouse.count("police_uk_street") == report.loaded
        assert warehouse.count("quarantine") == report.quarantined
