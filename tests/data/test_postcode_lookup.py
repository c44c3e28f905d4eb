"""The postcode-lookup reference kind (ONS Postcode Directory / NSPL) and postcode normalising."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from safecity.cli.main import app
from safecity.data.load_report import LoadStatus
from safecity.data.reference import ReferenceFileRejectedError, ReferenceKind, load_reference
from safecity.data.reference.postcodes import normalise_postcode
from safecity.data.reference.vintages import reference_vintages
from safecity.data.warehouse import Warehouse

# A subset of the ONSPD's columns in its order (pcd, pcd2, pcds ... osward ... lsoa11 ... lsoa21);
# the rows are made up in the directory's layout: 7- and 8-character forms, terminated
# postcodes (doterm), a Scottish postcode (data zone S01...), a Channel Islands pseudo-code.
ONSPD_HEADER = "pcd,pcd2,pcds,dointr,doterm,oslaua,osward,lsoa11,msoa11,lat,long,lsoa21,msoa21"
ONSPD_ROWS = [
    "SO147LP,SO14 7LP,SO14 7LP,198001,,E06000045,E05002462,E01017140,E02003561,50.9,-1.4,"
    "E01017140,E02003561",
    "SO1 0AA,SO1  0AA,SO1 0AA,198001,199501,E06000045,E05002462,E01017141,E02003561,50.9,-1.4,"
    "E01017141,E02003561",
    "EC1A1BB,EC1A 1BB,EC1A 1BB,198001,,E09000001,E05009300,E01000001,E02000001,51.5,-0.1,"
    "E01000001,E02000001",
    "EH1 1YZ,EH1  1YZ,EH1 1YZ,198001,,S12000036,S13002928,S01008680,S02001585,55.9,-3.2,"
    "S01008680,S02001585",
    "GY1 1AA,GY1  1AA,GY1 1AA,198001,,L99999999,L99999999,L99999999,L99999999,49.4,-2.5,"
    "L99999999,L99999999",
    # faults: a bad postcode, an empty one, a repeat, a malformed English LSOA code
    "NOTAPC,NOTAPC,NOT A PC,198001,,E06000045,E05002462,E01017140,E02003561,50.9,-1.4,"
    "E01017140,E02003561",
    ",,,198001,,E06000045,E05002462,E01017140,E02003561,50.9,-1.4,E01017140,E02003561",
    "SO147LP,SO14 7LP,so14 7lp,198001,,E06000045,E05002462,E01017140,E02003561,50.9,-1.4,"
    "E01017140,E02003561",
    "SO147LQ,SO14 7LQ,SO14 7LQ,198001,,E06000045,E05002462,E0101714,E02003561,50.9,-1.4,"
    "E01017140,E02003561",
]


def _write(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_normalise_postcode() -> None:
    assert normalise_postcode("so14 7lp") == "SO14 7LP"
    assert normalise_postcode("SO147LP") == "SO14 7LP"
    assert normalise_postcode("SO1  0AA") == "SO1 0AA"
    assert normalise_postcode("  ec1a\t1bb ") == "EC1A 1BB"
    assert normalise_postcode("M1 1AE") == "M1 1AE"
    assert normalise_postcode("B33 8TH") == "B33 8TH"
    assert normalise_postcode("CR2 6XH") == "CR2 6XH"
    assert normalise_postcode("DN55 1PT") == "DN55 1PT"
    assert normalise_postcode("W1A\u00a00AX") == "W1A 0AX"
    assert normalise_postcode("gir 0aa") == "GIR 0AA"
    for bad in ("", "   ", "SO14", "SO14 7L", "1SO 4LP", "SO14 7LPP", "SW1A-1AA", "Q"):
        assert normalise_postcode(bad) is None, bad
    assert normalise_postcode(None) is None


@settings(max_examples=50, deadline=None)
@given(
    st.from_regex(r"[A-Z]{1,2}[0-9][A-Z0-9]?", fullmatch=True),
    st.from_regex(r"[0-9][A-Z]{2}", fullmatch=True),
    st.sampled_from(["", " ", "  ", "\t"]),
    st.booleans(),
)
def test_normalised_postcodes_are_fixed_points(
    outward: str, inward: str, blank: str, lower: bool
) -> None:
    text = f"{outward}{blank}{inward}"
    normalised = normalise_postcode(text.lower() if lower else text)
    assert normalised == f"{outward} {inward}"
    assert normalise_postcode(normalised) == normalised


def test_onspd_loads_postcodes_with_lsoa_and_ward(tmp_path: Path) -> None:
    path = _write(tmp_path / "ONSPD_MAY_2024_UK.csv", ONSPD_HEADER, ONSPD_ROWS)
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        report = load_reference(warehouse, kind=ReferenceKind.POSTCODE_LOOKUP, path=path)
        assert report.status is LoadStatus.LOADED
        assert report.format == "ons-postcode-directory"
        # rows in = loaded + quarantined
        assert report.rows_in == 9
        assert report.loaded == 5
        assert report.reasons == {
            "duplicate_key": 1,
            "malformed_lsoa_code": 1,
            "malformed_postcode": 1,
            "missing_required_value": 1,
        }
        rows = warehouse.connection.execute(
            "SELECT postcode, lsoa_code, lsoa_vintage, ward_code, ward_vintage, file_id "
            "FROM postcode_lookup ORDER BY lsoa_vintage, postcode"
        ).fetchall()
        file_id = report.file_id
        expected_2011 = [
            ("EC1A 1BB", "E01000001", 2011, "E05009300", 2024, file_id),
            ("EH1 1YZ", None, 2011, "S13002928", 2024, file_id),
            ("GY1 1AA", None, 2011, None, 2024, file_id),
            ("SO1 0AA", "E01017141", 2011, "E05002462", 2024, file_id),
            ("SO14 7LP", "E01017140", 2011, "E05002462", 2024, file_id),
        ]
        expected_2021 = [(row[0], row[1], 2021, *row[3:]) for row in expected_2011]
        assert rows == expected_2011 + expected_2021
        details = warehouse.connection.execute(
            "SELECT line_number, reason, detail FROM quarantine WHERE file_id = ? "
            "ORDER BY line_number",
            [file_id],
        ).fetchall()
        assert details[0][:2] == (7, "malformed_postcode")
        assert '"NOT A PC" is not a UK postcode' in details[0][2]
        assert details[1][:2] == (8, "missing_required_value")
        assert details[2][:2] == (9, "duplicate_key")
        assert "SO14 7LP repeats line 2" in details[2][2]
        assert details[3][:2] == (10, "malformed_lsoa_code")
        assert '"E0101714" is not a lsoa GSS code' in details[3][2]
        holdings = [h for h in reference_vintages(warehouse) if h.table == "postcode_lookup"]
        assert [(h.vintage, h.keys, h.rows) for h in holdings] == [
            ("lsoa 2011 / ward 2024", 5, 5),
            ("lsoa 2021 / ward 2024", 5, 5),
        ]
        # the same bytes again change nothing
        again = load_reference(warehouse, kind=ReferenceKind.POSTCODE_LOOKUP, path=path)
        assert again.status is LoadStatus.UNCHANGED


def test_stored_postcodes_are_those_normalise_postcode_gives(tmp_path: Path) -> None:
    raw = ["so14 7lp", "EC1A1BB", "W1A\u00a00AX", " m1  1ae ", "GIR 0AA", "DN551PT"]
    rows = [f"{postcode},E01000{index:03d},E05000{index:03d}" for index, postcode in enumerate(raw)]
    path = _write(tmp_path / "nspl.csv", "pcds,lsoa21cd,wd23cd", rows)
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        report = load_reference(warehouse, kind=ReferenceKind.POSTCODE_LOOKUP, path=path)
        assert report.loaded == len(raw)
        stored = warehouse.connection.execute(
            "SELECT postcode, lsoa_vintage, ward_vintage FROM postcode_lookup ORDER BY lsoa_code"
        ).fetchall()
    assert [row[0] for row in stored] == [normalise_postcode(text) for text in raw]
    assert {(row[1], row[2]) for row in stored} == {(2021, 2023)}


def test_a_newer_directory_replaces_the_same_postcodes(tmp_path: Path) -> None:
    first = _write(tmp_path / "nspl_2023.csv", "pcd,lsoa11,osward", ["SO147LP,E01017140,E05002462"])
    second = _write(
        tmp_path / "nspl_2024.csv",
        "pcd,lsoa11,osward",
        ["SO147LP,E01017141,E05002463", "SO147LQ,E01017140,E05002462"],
    )
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        load_reference(warehouse, kind=ReferenceKind.POSTCODE_LOOKUP, path=first)
        report = load_reference(
            warehouse, kind=ReferenceKind.POSTCODE_LOOKUP, path=second, vintage=2024
        )
        assert report.status is LoadStatus.REPLACED
        rows = warehouse.connection.execute(
            "SELECT postcode, lsoa_code, ward_vintage FROM postcode_lookup ORDER BY postcode"
        ).fetchall()
    assert rows == [("SO14 7LP", "E01017141", 2024), ("SO14 7LQ", "E01017140", 2024)]


def test_osward_without_a_year_needs_a_vintage(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "postcodes.csv", "pcds,lsoa11,osward", ["SO14 7LP,E01017140,E05002462"]
    )
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        with pytest.raises(ReferenceFileRejectedError, match="give --vintage"):
            load_reference(warehouse, kind=ReferenceKind.POSTCODE_LOOKUP, path=path)
        report = load_reference(
            warehouse, kind=ReferenceKind.POSTCODE_LOOKUP, path=path, vintage=2022
        )
        assert report.loaded == 1


def test_a_file_without_postcode_or_lsoa_is_rejected_naming_the_columns(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.csv", "postcode,ward", ["SO14 7LP,E05002462"])
    with (
        Warehouse(tmp_path / "w.duckdb") as warehouse,
        pytest.raises(ReferenceFileRejectedError, match=re.escape("pcds (or pcd8/pcd2/pcd7/pcd")),
    ):
        load_reference(warehouse, kind=ReferenceKind.POSTCODE_LOOKUP, path=path)


def test_cli_loads_a_gzipped_postcode_lookup(tmp_path: Path) -> None:
    path = tmp_path / "ONSPD_FEB_2025_UK.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("\n".join([ONSPD_HEADER, *ONSPD_ROWS[:3]]) + "\n")
    warehouse = tmp_path / "w.duckdb"
    result = CliRunner().invoke(
        app,
        ["load", "reference", "postcode-lookup", str(path), "--warehouse", str(warehouse)],
    )
    assert result.exit_code == 0, result.output
    with Warehouse(warehouse) as opened:
        assert opened.connection.execute(
            "SELECT count(*), min(ward_vintage) FROM postcode_lookup"
        ).fetchone() == (6, 2025)
