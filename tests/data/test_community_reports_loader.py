"""``safecity load community-reports``: the site's export into the warehouse (issue 13).

Every row is loaded or quarantined with a reason naming its line and column; rows in = loaded
+ quarantined; the load is one transaction; the same bytes again change nothing; a newer
export replaces the months it covers (and only those).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from safecity.cli.main import app
from safecity.data.community_reports import loader
from safecity.data.community_reports.export_format import EXPORT_COLUMNS
from safecity.data.community_reports.loader import (
    CommunityReportsLoadError,
    load_community_reports,
    load_community_reports_file,
)
from safecity.data.load_report import LoadStatus
from safecity.data.warehouse import Warehouse

HEADER = ",".join(EXPORT_COLUMNS)
GOOD = [
    "E06000045,2024-04,hate,verbal_abuse,race;religion,public_form,E05002462,E01017140,3,",
    "E06000045,2024-04,hate,online,disability,reporting_centre,,,1,",
    "E06000045,2024-05,concern,asb,,open311,E05002462,E01017140,2,",
    "E06000045,2024-06,business,theft,,business,E05002463,E01017141,4,312.50",
    "E06000045,2024-06,business,abuse_violence_staff,,business,E05002463,E01017141,1,",
]
BAD = {
    "E06000045,2024-13,hate,online,race,public_form,,,1,": (
        "unparseable_month",
        "column month: '2024-13' is not a month written YYYY-MM",
    ),
    "E06000045,2024-05,burglary,asb,,public_form,,,1,": (
        "unknown_category",
        "column kind: 'burglary' is not a kind of report",
    ),
    "E06000045,2024-05,concern,shoplifting,,public_form,,,1,": (
        "unknown_category",
        "column category: 'shoplifting' is not a category of concern reports",
    ),
    "E06000045,2024-05,hate,online,height,public_form,,,1,": (
        "unknown_category",
        "column strands: 'height' is not a hate-crime strand",
    ),
    "E06000045,2024-05,hate,online,,public_form,,,1,": (
        "missing_required_value",
        "column strands: empty on a hate row",
    ),
    "E06000045,2024-05,concern,asb,race,public_form,,,1,": (
        "out_of_range",
        "column strands: 'race' on a concern row",
    ),
    "E06000045,2024-05,concern,asb,,fax,,,1,": (
        "unknown_category",
        "column channel: 'fax' is not a channel",
    ),
    "X06000045,2024-05,concern,asb,,open311,,,1,": (
        "malformed_area_code",
        "column area_code: 'X06000045' is not a GSS code",
    ),
    "E06000045,2024-05,concern,asb,,open311,E0500246,E01017140,1,": (
        "malformed_area_code",
        "column ward_code: 'E0500246' is not a ward GSS code",
    ),
    "E06000045,2024-05,concern,asb,,open311,E05002462,E02017140,1,": (
        "malformed_lsoa_code",
        "column lsoa_code: 'E02017140' is not an LSOA GSS code",
    ),
    "E06000045,2024-05,concern,asb,,open311,E05002462,,1,": (
        "missing_required_value",
        "column lsoa_code: empty while the other",
    ),
    "E06000045,2024-05,concern,asb,,open311,,,0,": (
        "out_of_range",
        "column reports: 0 reports: a row counts at least one report",
    ),
    "E06000045,2024-05,concern,asb,,open311,,,two,": (
        "unparseable_number",
        "column reports: 'two' is not a whole number",
    ),
    "E06000045,2024-05,concern,drug_dealing,,open311,,,1,10.00": (
        "out_of_range",
        "column losses_pounds: '10.00' on a concern row (only business rows record losses)",
    ),
    "E06000045,2024-05,business,theft,,business,,,1,12.345": (
        "unparseable_number",
        "column losses_pounds: '12.345' is not an amount in pounds",
    ),
    "E06000045,2024-05,concern,asb,,open311,,,1": (
        "wrong_field_count",
        "column *: 9 fields where the header has 10",
    ),
    'E06000045,2024-05,"concern,asb,,open311,,,1,': (
        "malformed_csv_row",
        "not a CSV row",
    ),
}


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    store = Warehouse(tmp_path / "w.duckdb")
    yield store  # type: ignore[misc]
    store.close()


def _counts(store: Warehouse) -> list[tuple[object, ...]]:
    return store.connection.execute(
        "SELECT strftime(month, '%Y-%m'), kind, category, strands, channel, ward_code, lsoa_code,"
        " reports, CAST(losses_pounds AS VARCHAR) FROM community_report_count"
        " ORDER BY month, kind, category, channel"
    ).fetchall()


def test_a_good_export_loads_every_row(tmp_path: Path, warehouse: Warehouse) -> None:
    report = load_community_reports(warehouse, path=_write(tmp_path / "e.csv", GOOD))
    assert report.status is LoadStatus.LOADED
    assert (report.rows_in, report.loaded, report.quarantined) == (5, 5, 0)
    assert _counts(warehouse) == [
        ("2024-04", "hate", "online", "disability", "reporting_centre", None, None, 1, None),
        ("2024-04", "hate", "verbal_abuse", "race;religion", "public_form", "E05002462",
         "E01017140", 3, None),
        ("2024-05", "concern", "asb", "", "open311", "E05002462", "E01017140", 2, None),
        ("2024-06", "business", "abuse_violence_staff", "", "business", "E05002463",
         "E01017141", 1, None),
        ("2024-06", "business", "theft", "", "business", "E05002463", "E01017141", 4, "312.50"),
    ]  # fmt: skip
    months = warehouse.connection.execute(
        "SELECT area_code, strftime(month, '%Y-%m') FROM community_report_month ORDER BY month"
    ).fetchall()
    assert months == [("E06000045", "2024-04"), ("E06000045", "2024-05"), ("E06000045", "2024-06")]
    assert report.message is not None
    assert "E06000045: 2024-04 to 2024-06 (3 months); 11 reports in 5 rows" in report.message


def test_every_bad_row_is_quarantined_naming_line_and_column(
    tmp_path: Path, warehouse: Warehouse
) -> None:
    lines = [*GOOD, *BAD]
    report = load_community_reports(warehouse, path=_write(tmp_path / "e.csv", lines))
    assert report.rows_in == len(lines) == report.loaded + report.quarantined
    assert report.loaded == len(GOOD)
    assert report.quarantined == len(BAD)
    rows = warehouse.connection.execute(
        "SELECT line_number, reason, detail, raw_record FROM quarantine WHERE file_id = ?"
        " ORDER BY line_number",
        [report.file_id],
    ).fetchall()
    assert len(rows) == len(BAD)
    for (line, reason, detail, raw), (text, (expected_reason, expected_words)) in zip(
        rows, BAD.items(), strict=True
    ):
        assert reason == expected_reason, text
        assert expected_words in detail, detail
        assert detail.startswith(f"line {line}")
        assert raw == text
    assert report.reasons == {
        "malformed_area_code": 2,
        "malformed_csv_row": 1,
        "malformed_lsoa_code": 1,
        "missing_required_value": 2,
        "out_of_range": 3,
        "unknown_category": 4,
        "unparseable_month": 1,
        "unparseable_number": 2,
        "wrong_field_count": 1,
    }
    assert f"{tmp_path / 'e.csv'}, line 7, column month" in str(report.message)


def test_a_repeated_combination_is_quarantined(tmp_path: Path, warehouse: Warehouse) -> None:
    report = load_community_reports(warehouse, path=_write(tmp_path / "e.csv", [*GOOD, GOOD[0]]))
    assert report.reasons == {"duplicate_key": 1}
    detail = warehouse.connection.execute("SELECT detail FROM quarantine").fetchone()
    assert detail is not None
    assert "as line 2" in detail[0]


def test_the_same_file_again_changes_nothing(tmp_path: Path, warehouse: Warehouse) -> None:
    path = _write(tmp_path / "e.csv", GOOD)
    first = load_community_reports(warehouse, path=path)
    again = load_community_reports(warehouse, path=path)
    assert again.status is LoadStatus.UNCHANGED
    assert f"load {first.file_id}" in str(again.message)
    assert warehouse.count("community_report_count") == len(GOOD)
    statuses = warehouse.connection.execute(
        "SELECT status FROM load_file ORDER BY file_id"
    ).fetchall()
    assert statuses == [("loaded",), ("unchanged",)]


def test_a_newer_export_replaces_only_the_months_it_covers(
    tmp_path: Path, warehouse: Warehouse
) -> None:
    first = load_community_reports(warehouse, path=_write(tmp_path / "a.csv", GOOD))
    newer = [
        "E06000045,2024-05,concern,asb,,open311,E05002462,E01017140,5,",
        "E06000045,2024-07,concern,unsafe_place,,public_form,,,1,",
    ]
    second = load_community_reports(warehouse, path=_write(tmp_path / "b.csv", newer))
    assert second.status is LoadStatus.REPLACED
    assert f"from load(s) {first.file_id}" in str(second.message)
    by_month = warehouse.connection.execute(
        "SELECT strftime(month, '%Y-%m'), sum(reports) FROM community_report_count"
        " GROUP BY ALL ORDER BY 1"
    ).fetchall()
    # April from the first export stays; May to July are the newer export's (June had none).
    assert by_month == [("2024-04", 4), ("2024-05", 5), ("2024-07", 1)]
    superseded = warehouse.connection.execute(
        "SELECT superseded_by FROM load_file WHERE file_id = ?", [first.file_id]
    ).fetchone()
    assert superseded == (None,)  # April is still the first export's
    third = load_community_reports(warehouse, path=_write(tmp_path / "c.csv", [GOOD[0], *newer]))
    assert third.status is LoadStatus.REPLACED
    superseded = warehouse.connection.execute(
        "SELECT file_id, superseded_by FROM load_file WHERE file_id IN (?, ?) ORDER BY file_id",
        [first.file_id, second.file_id],
    ).fetchall()
    assert superseded == [(first.file_id, third.file_id), (second.file_id, third.file_id)]


def test_a_failure_rolls_the_whole_file_back(
    tmp_path: Path, warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_community_reports(warehouse, path=_write(tmp_path / "a.csv", GOOD))
    before = _counts(warehouse)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(loader, "_insert_rows", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        load_community_reports(warehouse, path=_write(tmp_path / "b.csv", GOOD[2:]))
    assert _counts(warehouse) == before
    assert warehouse.count("load_file") == 1


def test_a_file_that_is_not_an_export_is_rejected(tmp_path: Path, warehouse: Warehouse) -> None:
    path = tmp_path / "other.csv"
    path.write_text("Month,Crime type\n2024-04,Burglary\n", encoding="utf-8")
    report = load_community_reports(warehouse, path=path)
    assert report.status is LoadStatus.REJECTED
    assert "line 1: not a community-reports export" in str(report.message)
    assert "missing column(s) area_code" in str(report.message)
    assert warehouse.count("community_report_count") == 0
    with pytest.raises(CommunityReportsLoadError, match="no such file"):
        load_community_reports(warehouse, path=tmp_path / "absent.csv")


def test_a_file_of_only_bad_rows_is_rejected_and_nothing_changes(
    tmp_path: Path, warehouse: Warehouse
) -> None:
    load_community_reports(warehouse, path=_write(tmp_path / "a.csv", GOOD))
    report = load_community_reports(warehouse, path=_write(tmp_path / "b.csv", list(BAD)[:3]))
    assert report.status is LoadStatus.REJECTED
    assert (report.rows_in, report.quarantined) == (3, 3)
    assert "no row could be loaded" in str(report.message)
    assert warehouse.count("community_report_count") == len(GOOD)


def test_the_gateway_function_and_the_command(tmp_path: Path) -> None:
    path = _write(tmp_path / "e.csv", [*GOOD, next(iter(BAD))])
    result = load_community_reports_file(warehouse_path=tmp_path / "g.duckdb", path=path)
    assert result["status"] == "loaded"
    assert (result["rows_in"], result["loaded"], result["quarantined"]) == (6, 5, 1)
    json.dumps(result)
    runner = CliRunner()
    outcome = runner.invoke(
        app,
        ["load", "community-reports", str(path), "--warehouse", str(tmp_path / "c.duckdb")],
    )
    assert outcome.exit_code == 0, outcome.output
    assert "rows in 6 = loaded 5 + quarantined 1 (unparseable_month 1)" in outcome.output
    bad = _write(tmp_path / "bad.csv", list(BAD)[:2])
    outcome = runner.invoke(
        app, ["load", "community-reports", str(bad), "--warehouse", str(tmp_path / "c.duckdb")]
    )
    assert outcome.exit_code == 1
    assert "rejected" in outcome.output
    help_text = runner.invoke(app, ["load", "community-reports", "--help"]).output
    assert "every row is loaded or" in help_text
