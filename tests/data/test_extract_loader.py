"""Loading force extracts: column mapping, validation, pseudonymisation, replacement."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest
from extract_files import crime, write_extract

from safecity.data.extract.loader import load_extract
from safecity.data.extract.pseudonyms import PseudonymKeyError
from safecity.data.load_report import LoadStatus
from safecity.data.warehouse import Warehouse

KEY = "a-test-key-of-sufficient-length-0123"


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFECITY_PSEUDONYM_KEY", KEY)
    monkeypatch.delenv("SAFECITY_PSEUDONYM_KEY_FILE", raising=False)


def _expected_pseudonym(identifier: str) -> str:
    return hmac.new(KEY.encode(), identifier.encode(), hashlib.sha256).hexdigest()


def test_an_extract_loads_with_mapped_columns_and_pseudonyms(tmp_path: Path) -> None:
    mapping = write_extract(
        tmp_path / "extract",
        crimes=[crime("CR1"), crime("CR2", HOCode="028E", DA="N", ToDT="04/04/2021 06:00")],
        victims=[
            ["CR1", "P-001", "34", "Female", "White", "person"],
            ["CR2", "P-001", "34", "F", "White", "person"],
        ],
        offenders=[["CR1", "N-77", "29", "M", "Black"]],
    )
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        reports = load_extract(warehouse, path=tmp_path / "extract", mapping_path=mapping)
        assert [(r.format, r.rows_in, r.loaded, r.quarantined) for r in reports] == [
            ("force_extract_crimes", 2, 2, 0),
            ("force_extract_victims", 2, 2, 0),
            ("force_extract_offenders", 1, 1, 0),
        ]
        assert "columns not in the mapping (ignored): ['Officer']" in (reports[0].message or "")
        crimes = warehouse.connection.execute(
            "SELECT crime_reference, offence_code, committed_from, committed_to, recorded_date,"
            " flag_domestic, flag_alcohol, flag_drugs, round(easting), lsoa_code"
            " FROM extract_crime ORDER BY 1"
        ).fetchall()
        assert [row[:2] for row in crimes] == [("CR1", "8/1"), ("CR2", "28E")]
        assert str(crimes[0][2]) == "2021-04-03 23:10:00"
        assert crimes[0][3] is None
        assert str(crimes[1][3]) == "2021-04-04 06:00:00"
        assert str(crimes[0][4]) == "2021-04-04"
        # Mapped flags are true/false; a flag the extract does not carry is unknown (NULL).
        assert crimes[0][5:8] == (True, False, None)
        assert crimes[1][5] is False
        assert 441_000 < crimes[0][8] < 443_000
        victims = warehouse.connection.execute(
            "SELECT DISTINCT victim_pseudonym, sex FROM extract_victim"
        ).fetchall()
        assert victims == [(_expected_pseudonym("P-001"), "F")]
        offender = warehouse.connection.execute(
            "SELECT offender_pseudonym, age, sex, ethnicity FROM extract_offender"
        ).fetchone()
        assert offender == (_expected_pseudonym("N-77"), 29, "M", "Black")


def test_no_identifier_is_stored_in_clear(tmp_path: Path) -> None:
    mapping = write_extract(
        tmp_path / "extract",
        crimes=[
            crime("CR1", Officer="SECRET-OFFICER"),
            crime("CR2", HOCode="bad", Officer="SECRET-X"),
        ],
        victims=[
            ["CR1", "SECRET-VICTIM", "34", "F", "White", "person", "SECRET-NAME-1"],
            ["CR9", "SECRET-ORPHAN", "40", "M", "White", "person", "SECRET-NAME-2"],
            ["CR1", "SECRET-BROKEN", "40", "M"],
        ],
        offenders=[["CR1", "SECRET-OFFENDER", "old", "M", "White"]],
    )
    # A column the mapping does not name (here the victim's name) is never kept.
    victims_file = tmp_path / "extract" / "Victims.csv"
    lines = victims_file.read_text().splitlines()
    lines[0] += ",VictimName"
    victims_file.write_text("\n".join(lines) + "\n")
    database = tmp_path / "w.duckdb"
    with Warehouse(database) as warehouse:
        reports = load_extract(warehouse, path=tmp_path / "extract", mapping_path=mapping)
        assert reports[0].reasons == {"malformed_offence_code": 1}
        assert reports[1].reasons == {"unknown_crime_reference": 1, "wrong_field_count": 1}
        assert reports[2].reasons == {"unparseable_number": 1}
        dump = "\n".join(
            str(row)
            for table in ("extract_victim", "extract_offender", "quarantine", "load_file")
            for row in warehouse.connection.execute(f"SELECT * FROM {table}").fetchall()
        )
        assert "SECRET" not in dump
        assert _expected_pseudonym("SECRET-ORPHAN") in dump
    assert b"SECRET" not in database.read_bytes()


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"CrimeRef": ""}, "missing_required_value"),
        ({"HOCode": "8/1/2"}, "malformed_offence_code"),
        ({"FromDT": "2021-04-03"}, "unparseable_date"),
        ({"ToDT": "01/01/2021 00:00"}, "out_of_range"),
        ({"Long": "x"}, "unparseable_coordinates"),
        ({"Long": "10.0"}, "coordinates_outside_uk"),
        ({"LSOA": "E0101"}, "malformed_lsoa_code"),
        ({"DA": "maybe"}, "unparseable_boolean"),
        ({"CrimeRef": "CR1"}, "duplicate_key"),
    ],
)
def test_bad_crimes_are_quarantined(tmp_path: Path, changes: dict[str, str], reason: str) -> None:
    mapping = write_extract(
        tmp_path / "extract",
        crimes=[crime("CR1"), crime("CR2", **changes)],
        victims=[],
        offenders=[],
    )
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        report = load_extract(warehouse, path=tmp_path / "extract", mapping_path=mapping)[0]
        assert (report.rows_in, report.loaded, report.reasons) == (2, 1, {reason: 1})


def test_reloading_is_idempotent_and_overlapping_crimes_are_replaced(tmp_path: Path) -> None:
    first = write_extract(
        tmp_path / "first",
        crimes=[crime("CR1"), crime("CR2")],
        victims=[["CR1", "P1", "30", "F", "White", "person"]],
        offenders=[],
    )
    second = write_extract(
        tmp_path / "second",
        crimes=[crime("CR2", HOCode="30C"), crime("CR3")],
        victims=[["CR2", "P1", "30", "F", "White", "person"]],
        offenders=[],
    )
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        load_extract(warehouse, path=tmp_path / "first", mapping_path=first)
        again = load_extract(warehouse, path=tmp_path / "first", mapping_path=first)
        assert {report.status for report in again} == {LoadStatus.UNCHANGED}
        reports = load_extract(warehouse, path=tmp_path / "second", mapping_path=second)
        assert "replaced 1 crimes" in (reports[0].message or "")
        assert warehouse.connection.execute(
            "SELECT crime_reference, offence_code FROM extract_crime ORDER BY 1"
        ).fetchall() == [("CR1", "8/1"), ("CR2", "30C"), ("CR3", "8/1")]
        assert warehouse.count("extract_victim") == 2


def test_loading_refuses_without_a_key_or_with_another_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mapping = write_extract(tmp_path / "x", crimes=[crime("CR1")], victims=[], offenders=[])
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        monkeypatch.delenv("SAFECITY_PSEUDONYM_KEY")
        with pytest.raises(PseudonymKeyError, match="needs a pseudonymisation key"):
            load_extract(warehouse, path=tmp_path / "x", mapping_path=mapping)
        key_file = tmp_path / "key"
        key_file.write_text(KEY)
        monkeypatch.setenv("SAFECITY_PSEUDONYM_KEY_FILE", str(key_file))
        with pytest.raises(PseudonymKeyError, match="inside the warehouse's folder"):
            load_extract(warehouse, path=tmp_path / "x", mapping_path=mapping)
        nested = tmp_path / "keys" / "deeper" / "key"
        nested.parent.mkdir(parents=True)
        nested.write_text(KEY)
        monkeypatch.setenv("SAFECITY_PSEUDONYM_KEY_FILE", str(nested))
        with pytest.raises(PseudonymKeyError, match="inside the warehouse's folder"):
            load_extract(warehouse, path=tmp_path / "x", mapping_path=mapping)
        monkeypatch.delenv("SAFECITY_PSEUDONYM_KEY_FILE")
        monkeypatch.setenv("SAFECITY_PSEUDONYM_KEY", KEY)
        load_extract(warehouse, path=tmp_path / "x", mapping_path=mapping)
        other = write_extract(tmp_path / "y", crimes=[crime("CR5")], victims=[], offenders=[])
        monkeypatch.setenv("SAFECITY_PSEUDONYM_KEY", "another-key-entirely-0123456789")
        with pytest.raises(PseudonymKeyError, match="not the pseudonymisation key used"):
            load_extract(warehouse, path=tmp_path / "y", mapping_path=other)
        assert warehouse.count("extract_crime") == 1


def test_a_missing_required_column_rejects_the_whole_extract(tmp_path: Path) -> None:
    mapping = write_extract(tmp_path / "x", crimes=[crime("CR1")], victims=[], offenders=[])
    crimes = tmp_path / "x" / "Crimes.csv"
    crimes.write_text(crimes.read_text().replace("HOCode", "OffenceCode"))
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        reports = load_extract(warehouse, path=tmp_path / "x", mapping_path=mapping)
        assert [report.status for report in reports] == [LoadStatus.REJECTED] * 3
        assert "lacks required columns ['HOCode']" in (reports[0].message or "")
        assert warehouse.count("extract_crime") == 0
