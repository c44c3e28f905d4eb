"""``safecity load intelligence-counts``: the site's de-identified counts into the warehouse.

Issue 14, point 5. Every row is loaded or quarantined with a reason naming its line and column
(bad month, unknown topic, a count under one, no area: "outside the area", an unknown or
malformed ward, a repeated combination); rows in = loaded + quarantined; the load is one
transaction; the same bytes again change nothing; a newer export replaces the months it covers.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from safecity.cli.main import app
from safecity.data.intelligence_counts import loader
from safecity.data.intelligence_counts.export_format import EXPORT_COLUMNS
from safecity.data.intelligence_counts.loader import (
    IntelligenceCountsLoadError,
    load_intelligence_counts,
    load_intelligence_counts_file,
)
from safecity.data.load_report import LoadStatus
from safecity.data.synthetic.intelligence_counts import (
    synthetic_intelligence_counts,
    write_demo_intelligence_counts,
)
from safecity.data.warehouse import Warehouse

AREA = "E22900099"
WEST, EAST, STRANGER = "E05900001", "E05900002", "E05999999"
HEADER = ",".join(EXPORT_COLUMNS)
GOOD = [
    f"{AREA},2024-04,county_lines,{EAST},3",
    f"{AREA},2024-04,exploitation,{WEST},1",
    f"{AREA},2024-05,hate,,2",
    f"{AREA},2024-06,county_lines,{EAST},4",
]
BAD = {
    f"{AREA},2024-13,hate,,1": ("unparseable_month", "column month: '2024-13' is not a month"),
    f"{AREA},April 2024,hate,,1": ("unparseable_month", "column month: 'April 2024'"),
    f"{AREA},2024-05,gossip,,1": (
        "unknown_category",
        "column topic: 'gossip' is not an intelligence topic (known: exploitation,",
    ),
    f"{AREA},2024-05,hate,,0": ("out_of_range", "column submissions: 0 submissions"),
    f"{AREA},2024-05,hate,,-2": ("out_of_range", "column submissions: -2 submissions"),
    f"{AREA},2024-05,hate,,two": ("unparseable_number", "column submissions: 'two' is not"),
    ",2024-05,county_lines,,2": ("outside_the_area", "column area_code: outside the area"),
    f"{AREA},2024-05,hate,{STRANGER},1": (
        "unknown_area_code",
        f"column ward_code: '{STRANGER}' is a ward no loaded area lookup knows",
    ),
    f"{AREA},2024-05,hate,ward 7,1": ("malformed_area_code", "column ward_code: 'ward 7'"),
    f"{AREA},2024-05,hate,1": ("wrong_field_count", "4 fields where the header has 5"),
}


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    store = Warehouse(tmp_path / "w.duckdb")
    with store.transaction() as connection:
        for ward in (WEST, EAST):
            connection.execute(
                "INSERT INTO area_lookup VALUES (?, 2021, 'x', ?, 'w', 2023, 'E06000045', 'c',"
                " 2023, 0)",
                [f"E0190000{ward[-1]}", ward],
            )
    return store


def _write(path: Path, rows: list[str]) -> Path:
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _rows(warehouse: Warehouse) -> list[tuple[object, ...]]:
    return warehouse.connection.execute(
        "SELECT area_code, strftime(month, '%Y-%m'), topic, ward_code, submissions"
        " FROM intelligence_count ORDER BY ALL"
    ).fetchall()


def test_a_good_export_loads_every_row(tmp_path: Path, warehouse: Warehouse) -> None:
    report = load_intelligence_counts(warehouse, path=_write(tmp_path / "a.csv", GOOD))
    assert report.status is LoadStatus.LOADED
    assert (report.rows_in, report.loaded, report.quarantined) == (4, 4, 0)
    assert _rows(warehouse) == [
        (AREA, "2024-04", "county_lines", EAST, 3),
        (AREA, "2024-04", "exploitation", WEST, 1),
        (AREA, "2024-05", "hate", None, 2),
        (AREA, "2024-06", "county_lines", EAST, 4),
    ]
    months = warehouse.connection.execute(
        "SELECT strftime(month, '%Y-%m') FROM intelligence_count_month ORDER BY 1"
    ).fetchall()
    assert [month for (month,) in months] == ["2024-04", "2024-05", "2024-06"]
    assert "months covered: E22900099 2024-04 to 2024-06; 10 submissions in 4 rows" in str(
        report.message
    )


def test_every_bad_row_is_quarantined_naming_line_and_column(
    tmp_path: Path, warehouse: Warehouse
) -> None:
    path = _write(tmp_path / "b.csv", [*GOOD, *BAD])
    report = load_intelligence_counts(warehouse, path=path)
    assert (report.rows_in, report.loaded, report.quarantined) == (14, 4, 10)
    quarantined = warehouse.connection.execute(
        "SELECT line_number, reason, detail, raw_record FROM quarantine ORDER BY line_number"
    ).fetchall()
    assert len(quarantined) == len(BAD)
    for (line, reason, detail, raw), (row, (expected_reason, words)) in zip(
        quarantined, BAD.items(), strict=True
    ):
        assert reason == expected_reason, row
        assert detail.startswith(f"line {line}, ") or detail.startswith(f"line {line}:"), detail
        assert words in detail, detail
        assert raw == row
    assert report.reasons["out_of_range"] == 2
    assert f"{path}, line 6, column month" in str(report.message)
    assert len(_rows(warehouse)) == 4


def test_without_a_ward_lookup_wards_are_not_checked_and_the_report_says_so(
    tmp_path: Path,
) -> None:
    with Warehouse(tmp_path / "bare.duckdb") as bare:
        report = load_intelligence_counts(
            bare, path=_write(tmp_path / "c.csv", [*GOOD, f"{AREA},2024-05,hate,{STRANGER},1"])
        )
        assert (report.loaded, report.quarantined) == (5, 0)
        assert "ward codes not checked against a lookup" in str(report.message)


def test_a_repeated_combination_is_quarantined(tmp_path: Path, warehouse: Warehouse) -> None:
    report = load_intelligence_counts(warehouse, path=_write(tmp_path / "d.csv", [*GOOD, GOOD[0]]))
    assert report.reasons == {"duplicate_key": 1}
    assert "line 6: the same area, month, topic and ward as line 2" in str(report.message)


def test_the_same_file_again_changes_nothing(tmp_path: Path, warehouse: Warehouse) -> None:
    path = _write(tmp_path / "e.csv", GOOD)
    first = load_intelligence_counts(warehouse, path=path)
    before = _rows(warehouse)
    again = load_intelligence_counts(warehouse, path=path)
    assert again.status is LoadStatus.UNCHANGED
    assert f"already loaded (load {first.file_id})" in str(again.message)
    assert _rows(warehouse) == before
    assert warehouse.count("intelligence_count_month") == 3


def test_a_newer_export_replaces_only_the_months_it_covers(
    tmp_path: Path, warehouse: Warehouse
) -> None:
    first = load_intelligence_counts(warehouse, path=_write(tmp_path / "f.csv", GOOD))
    newer = [f"{AREA},2024-05,hate,,3", f"{AREA},2024-06,county_lines,{EAST},5"]
    second = load_intelligence_counts(warehouse, path=_write(tmp_path / "g.csv", newer))
    assert second.status is LoadStatus.REPLACED
    assert f"replaced the rows of those months from load(s) {first.file_id}" in str(second.message)
    assert _rows(warehouse) == [
        (AREA, "2024-04", "county_lines", EAST, 3),
        (AREA, "2024-04", "exploitation", WEST, 1),
        (AREA, "2024-05", "hate", None, 3),
        (AREA, "2024-06", "county_lines", EAST, 5),
    ]
    whole = [f"{AREA},2024-04,hate,,1", f"{AREA},2024-06,hate,,1"]
    third = load_intelligence_counts(warehouse, path=_write(tmp_path / "h.csv", whole))
    superseded = warehouse.connection.execute(
        "SELECT file_id, superseded_by FROM load_file WHERE superseded_by IS NOT NULL"
        " ORDER BY file_id"
    ).fetchall()
    assert superseded == [(first.file_id, third.file_id), (second.file_id, third.file_id)]
    assert _rows(warehouse) == [
        (AREA, "2024-04", "hate", None, 1),
        (AREA, "2024-06", "hate", None, 1),
    ]


def test_a_failure_rolls_the_whole_file_back(
    tmp_path: Path, warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_intelligence_counts(warehouse, path=_write(tmp_path / "a.csv", GOOD))
    before = (_rows(warehouse), warehouse.count("intelligence_count_month"))

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(loader, "_insert_rows", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        load_intelligence_counts(warehouse, path=_write(tmp_path / "b.csv", GOOD[2:]))
    assert (_rows(warehouse), warehouse.count("intelligence_count_month")) == before
    assert warehouse.count("load_file") == 1


def test_a_file_that_is_not_an_export_is_rejected(tmp_path: Path, warehouse: Warehouse) -> None:
    path = tmp_path / "other.csv"
    path.write_text("area_code,month,kind,reports\nE22900099,2024-04,hate,1\n", encoding="utf-8")
    report = load_intelligence_counts(warehouse, path=path)
    assert report.status is LoadStatus.REJECTED
    assert "line 1: not an intelligence-counts export" in str(report.message)
    assert "missing column(s) topic, ward_code, submissions" in str(report.message)
    assert warehouse.count("intelligence_count") == 0
    with pytest.raises(IntelligenceCountsLoadError, match="no such file"):
        load_intelligence_counts(warehouse, path=tmp_path / "absent.csv")
    only_bad = load_intelligence_counts(warehouse, path=_write(tmp_path / "x.csv", list(BAD)[:3]))
    assert only_bad.status is LoadStatus.REJECTED
    assert "no row could be loaded" in str(only_bad.message)
    assert warehouse.count("intelligence_count") == 0


def test_the_gateway_function_and_the_command(tmp_path: Path) -> None:
    path = _write(tmp_path / "e.csv", [*GOOD, next(iter(BAD))])
    result = load_intelligence_counts_file(warehouse_path=tmp_path / "g.duckdb", path=path)
    assert (result["status"], result["rows_in"], result["loaded"], result["quarantined"]) == (
        "loaded",
        5,
        4,
        1,
    )
    json.dumps(result)
    runner = CliRunner()
    warehouse = str(tmp_path / "c.duckdb")
    outcome = runner.invoke(
        app, ["load", "intelligence-counts", str(path), "--warehouse", warehouse]
    )
    assert outcome.exit_code == 0, outcome.output
    assert "rows in 5 = loaded 4 + quarantined 1 (unparseable_month 1)" in outcome.output
    bad = _write(tmp_path / "bad.csv", list(BAD)[:2])
    outcome = runner.invoke(
        app, ["load", "intelligence-counts", str(bad), "--warehouse", warehouse]
    )
    assert outcome.exit_code == 1
    assert "rejected" in outcome.output


def test_the_demo_counts_are_deterministic_and_concentrated(tmp_path: Path) -> None:
    wards = [f"E0590{number:04d}" for number in range(12)]
    rows, planted = synthetic_intelligence_counts(
        area_code=AREA, ward_codes=wards, seed=20221, last_month="2025-03"
    )
    again, _ = synthetic_intelligence_counts(
        area_code=AREA, ward_codes=list(reversed(wards)), seed=20221, last_month="2025-03"
    )
    assert rows == again
    other, _ = synthetic_intelligence_counts(
        area_code=AREA, ward_codes=wards, seed=1, last_month="2025-03"
    )
    assert rows != other
    assert {row.month for row in rows} == {
        f"{year}-{month:02d}"
        for year, month in [(2023, m) for m in range(4, 13)]
        + [(2024, m) for m in range(1, 13)]
        + [(2025, m) for m in range(1, 4)]
    }
    concerned = [row for row in rows if row.topic in ("county_lines", "exploitation")]
    per_ward = {
        ward: sum(r.submissions for r in concerned if r.ward_code == ward) for ward in wards
    }
    assert min(per_ward[ward] for ward in planted) > 2 * max(
        count for ward, count in per_ward.items() if ward not in planted
    )
    written = write_demo_intelligence_counts(
        area_code=AREA, ward_codes=wards, seed=20221, last_month="2025-03", out_dir=tmp_path
    )
    assert written.path == tmp_path / "intelligence-counts" / "intelligence-counts-export.csv"
    with Warehouse(tmp_path / "demo.duckdb") as store:
        report = load_intelligence_counts(store, path=written.path)
    assert (report.loaded, report.quarantined) == (len(rows), 0)
