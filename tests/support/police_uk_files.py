"""Helpers for police.uk loader tests: small real-format files written into a temp folder."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

STREET_HEADER = [
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
]


def street_row(
    *,
    month: str = "2017-04",
    crime_id: str = "a" * 64,
    crime_type: str = "Burglary",
    longitude: str = "-1.404",
    latitude: str = "50.909",
    location: str = "On or near High Street",
    lsoa_code: str = "E01017136",
    lsoa_name: str = "Southampton 023A",
) -> list[str]:
    """One street-level row with sensible defaults (a Southampton burglary)."""
    return [
        crime_id if crime_type != "Anti-social behaviour" else "",
        month,
        "Hampshire Constabulary",
        "Hampshire Constabulary",
        longitude,
        latitude,
        location,
        lsoa_code,
        lsoa_name,
        crime_type,
        "Under investigation" if crime_type != "Anti-social behaviour" else "",
        "",
    ]


def csv_text(
    rows: list[list[str]], *, header: list[str] = STREET_HEADER, newline: str = "\n"
) -> str:
    """The rows as CSV text, quoting only where needed (as police.uk does)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def write_street_file(
    folder: Path,
    rows: list[list[str]],
    *,
    name: str = "2017-04-hampshire-street.csv",
    encoding: str = "utf-8",
    newline: str = "\n",
    bom: bool = False,
) -> Path:
    """Write a street-level file; ``.gz`` names are gzipped."""
    data = csv_text(rows, newline=newline).encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    path = folder / name
    if name.endswith(".gz"):
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)
    return path


def read_real_rows(path: Path) -> list[list[str]]:
    """The data rows of a real police.uk file (header dropped)."""
    with gzip.open(path, "rt", encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    return rows[1:]
