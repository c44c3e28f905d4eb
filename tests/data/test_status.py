"""``safecity status``: coverage gaps, quarantine by reason, unknown LSOA codes, reference data."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from police_uk_files import street_row, write_street_file

from safecity.data.police_uk.loader import load_police_uk
from safecity.data.reference.kinds import ReferenceKind
from safecity.data.reference.loader import load_reference
from safecity.data.status import warehouse_status
from safecity.data.warehouse import Warehouse


def test_status_reports_gaps_quarantine_and_unknown_lsoas(tmp_path: Path) -> None:
    folder = tmp_path / "police"
    folder.mkdir()
    write_street_file(folder, [street_row(month="2017-02")], name="2017-02-hampshire-street.csv")
    write_street_file(
        folder,
        [
            street_row(month="2017-04"),
            street_row(month="2017-04", lsoa_code="E01999999", lsoa_name="Elsewhere 001A"),
            street_row(month="2017-04", crime_type="Jaywalking"),
        ],
        name="2017-04-hampshire-street.csv",
    )
    write_street_file(
        folder,
        [street_row(month=month) for month in ("2017-02", "2017-03", "2017-04")],
        name="2017-03-thames-valley-street.csv",
    )
    lookup = tmp_path / "LSOA11_WD20_LAD20_EW_LU.csv"
    with lookup.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["LSOA11CD", "LSOA11NM", "WD20CD", "WD20NM", "LAD20CD", "LAD20NM"])
        writer.writerow(
            ["E01017136", "Southampton 023A", "E05002455", "Bargate", "E06000045", "Southampton"]
        )
    warehouse_path = tmp_path / "w.duckdb"
    with Warehouse(warehouse_path) as warehouse:
        load_police_uk(warehouse, paths=[folder])
        load_reference(warehouse, kind=ReferenceKind.LSOA_LOOKUP, path=lookup)
        status = warehouse_status(warehouse)
    coverage = {entry.force: entry for entry in status.coverage}
    # Hampshire has February and April: March is a gap. Thames Valley's March file holds two
    # rows of other months, which are quarantined, so it covers March only.
    assert coverage["hampshire"].missing_months == [date(2017, 3, 1)]
    assert coverage["thames-valley"].missing_months == [date(2017, 2, 1), date(2017, 4, 1)]
    assert status.quarantine_by_reason == {"month_mismatch": 2, "unknown_crime_type": 1}
    assert (status.unknown_lsoa_codes, status.unknown_lsoa_rows) == (1, 1)
    assert status.table_rows["police_uk_street"] == 4
    assert [entry["kind"] for entry in status.reference] == ["lsoa-lookup"]

    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "safecity"),
            "status",
            "--warehouse",
            str(warehouse_path),
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    payload = json.loads(result.stdout)
    assert payload["quarantine_by_reason"] == status.quarantine_by_reason
    assert payload["coverage"][0]["missing_months"] == ["2017-03-01"]
    text = subprocess.run(
        [
            str(Path(sys.executable).parent / "safecity"),
            "status",
            "--warehouse",
            str(warehouse_path),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "2017-03" in text
    assert "not in the loaded lookups" in text
