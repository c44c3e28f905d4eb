"""``safecity refresh``: one new month into a lake, only its aggregates computed, the every-CSP
artefact recomputed from the lake.

The small national archive of ``archive_country`` (twelve CSPs, two forces) is exported to a
lake with March to November 2020; December's files are then refreshed in. Checked: (a) the
only aggregate files that change are December's (every other file keeps its path and SHA-256,
and so do the facts), (b) the artefact written from the refreshed lake equals, table by table,
the one ``safecity assess --all-csps --years`` writes from scratch from a warehouse loaded with
every month, and the lake's aggregate equals the one of a lake exported from scratch, and (c)
refreshing again with the same files changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from archive_country import ARCHIVE_MONTHS, load_archive_references, write_street_files
from typer.testing import CliRunner

from safecity.assess import street_aggregate
from safecity.cli.main import app
from safecity.data.lake import export_lake, read_manifest
from safecity.data.police_uk.loader import load_police_uk
from safecity.data.warehouse import Warehouse

NEW_MONTH = "2020-12"
PERIOD = "2020-11..2020-12"


def _files(folder: Path) -> dict[str, str]:
    """Every data file under ``folder``: relative path -> SHA-256."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*.parquet"))
    }


def _load_log(path: str) -> bool:
    return path.startswith("reference/load_file/")


def _tables(artefact: Path) -> dict[str, pd.DataFrame]:
    return {
        str(path.relative_to(artefact)): pd.read_parquet(path)
        for path in sorted(artefact.rglob("*.parquet"))
    }


@dataclass(frozen=True)
class Refreshed:
    """The lake after December was refreshed in, and what was there before."""

    folder: Path
    lake: Path
    new_files: list[Path]
    before: dict[str, str]
    after: dict[str, str]
    output: str


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> Refreshed:
    folder = tmp_path_factory.mktemp("refresh")
    write_street_files(folder / "police", months=ARCHIVE_MONTHS[:-1])
    new_files = write_street_files(folder / "new", months=[NEW_MONTH])
    lake = folder / "lake"
    with Warehouse(folder / "before.duckdb") as warehouse:
        load_police_uk(warehouse, paths=[folder / "police"])
        load_archive_references(warehouse, folder)
        export_lake(warehouse, out_dir=lake)
    before = _files(lake)
    result = CliRunner().invoke(
        app,
        [
            "refresh", "--lake", str(lake), *map(str, new_files), "--out",
            str(folder / "refreshed"), "--period", PERIOD, "--years", "2",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return Refreshed(
        folder=folder,
        lake=lake,
        new_files=new_files,
        before=before,
        after=_files(lake),
        output=result.output,
    )


def test_only_the_new_months_aggregates_are_written(refreshed: Refreshed) -> None:
    # The load log (reference/load_file) gains the new files; every data file stays.
    before = {path: digest for path, digest in refreshed.before.items() if not _load_log(path)}
    after = {path: digest for path, digest in refreshed.after.items() if not _load_log(path)}
    added = sorted(set(after) - set(before))
    assert not set(before) - set(after)  # nothing rewritten away
    assert all(after[path] == digest for path, digest in before.items())
    assert any(path.startswith("aggregates/street_month/") for path in before)
    new_month = f"month={NEW_MONTH}-01"
    assert added
    assert all(new_month in path for path in added)
    aggregates = [path for path in added if path.startswith("aggregates/street_month/")]
    facts = [path for path in added if path.startswith("facts/police_uk_street/")]
    assert sorted(path.split("/")[2] for path in aggregates) == [
        "force=northshire", "force=southshire",
    ]  # fmt: skip
    assert len(facts) == 2
    output = refreshed.output
    assert "street aggregates: 2 new, 0 rewritten, 17 unchanged, 0 removed" in output
    assert "aggregates written: northshire 2020-12; southshire 2020-12" in output
    assert (
        "aggregates left unchanged: northshire 2020-03..2020-11; southshire 2020-03..2020-09,"
        " 2020-11"
    ) in output
    manifest = read_manifest(refreshed.lake)
    street = manifest.tables["police_uk_street"].by_partition()
    for partition, item in manifest.tables["street_month"].by_partition().items():
        assert item.source_sha256 == street[partition].sha256


def test_the_refreshed_artefact_equals_a_recompute_from_scratch(
    refreshed: Refreshed,
) -> None:
    folder = refreshed.folder
    write_street_files(folder / "all")
    with Warehouse(folder / "scratch.duckdb") as warehouse:
        load_police_uk(warehouse, paths=[folder / "all"])
        load_archive_references(warehouse, folder / "all")
        export_lake(warehouse, out_dir=folder / "scratch-lake")
    result = CliRunner().invoke(
        app,
        [
            "assess", "--all-csps", "--period", PERIOD, "--years", "2", "--out",
            str(folder / "scratch"), "--warehouse", str(folder / "scratch.duckdb"),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    mine = _tables(folder / "refreshed")
    scratch = _tables(folder / "scratch")
    assert sorted(mine) == sorted(scratch)
    assert "all_csps_trends.parquet" in mine
    assert "public/all_csps_trends.parquet" in mine
    for name, table in scratch.items():
        pd.testing.assert_frame_equal(mine[name], table, obj=name)
    refreshed_manifest = json.loads((folder / "refreshed" / "manifest.json").read_text())
    scratch_manifest = json.loads((folder / "scratch" / "manifest.json").read_text())
    assert refreshed_manifest["parameters"] == scratch_manifest["parameters"]
    assert refreshed_manifest["parameters"]["periods"] == ["2020-09..2020-10", PERIOD]
    lake = refreshed.lake
    with Warehouse.on_lake(lake) as mine_lake, Warehouse.on_lake(folder / "scratch-lake") as new:
        order = "force, month, lsoa_code, crime_type"
        query = f"SELECT * FROM street_month ORDER BY {order}"
        pd.testing.assert_frame_equal(
            mine_lake.connection.execute(query).df(), new.connection.execute(query).df()
        )


def test_the_artefact_reads_the_aggregate_not_the_rows(
    refreshed: Refreshed, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    built = []
    real = street_aggregate.street_month_expression

    def counting(street: object) -> object:
        built.append(street)
        return real(street)

    monkeypatch.setattr(street_aggregate, "street_month_expression", counting)
    result = CliRunner().invoke(
        app,
        [
            "refresh", "--lake", str(refreshed.lake), *map(str, refreshed.new_files),
            "--out", str(tmp_path / "again"), "--period", PERIOD,
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert built == []  # every count summed the lake's kept aggregate
    # One period: the artefact safecity assess --all-csps writes from the same lake.
    assessed = CliRunner().invoke(
        app,
        [
            "assess", "--all-csps", "--period", PERIOD, "--lake", str(refreshed.lake), "--out",
            str(tmp_path / "assessed"),
        ],
    )  # fmt: skip
    assert assessed.exit_code == 0, assessed.output
    again, by_assess = _tables(tmp_path / "again"), _tables(tmp_path / "assessed")
    assert sorted(again) == sorted(by_assess)
    assert "indicators.parquet" in again
    for name, table in by_assess.items():
        pd.testing.assert_frame_equal(again[name], table, obj=name)


def test_refreshing_again_with_the_same_files_changes_nothing(
    refreshed: Refreshed,
) -> None:
    lake = refreshed.lake
    manifest_before = read_manifest(lake)
    result = CliRunner().invoke(
        app,
        ["refresh", "--lake", str(lake), *map(str, refreshed.new_files), "--json"],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert {item["status"] for item in report["files"]} == {"unchanged"}
    for table in ("police_uk_street", "street_month"):
        assert report[table]["written"] == report[table]["rewritten"] == []
        assert report[table]["removed"] == []
    assert len(report["street_month"]["unchanged"]) == 19
    assert _files(lake) == refreshed.after
    manifest_after = read_manifest(lake)
    assert [item.as_json() for item in manifest_after.files()] == [
        item.as_json() for item in manifest_before.files()
    ]


def test_refresh_refuses_what_it_cannot_do(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(app, ["refresh", "--lake", str(tmp_path / "none"), str(tmp_path)])
    assert missing.exit_code == 2
    assert "no lake at" in missing.output
    no_period = runner.invoke(
        app, ["refresh", "--lake", str(tmp_path), str(tmp_path), "--out", str(tmp_path / "o")]
    )
    assert no_period.exit_code == 2
    assert "--out needs --period" in no_period.output


def test_a_corrected_month_rewrites_only_its_partition(
    refreshed: Refreshed, tmp_path: Path
) -> None:
    lake = tmp_path / "lake"
    shutil.copytree(refreshed.lake, lake)
    before = _files(lake)
    corrected = tmp_path / "corrected" / "2020-11-northshire-street.csv"
    corrected.parent.mkdir()
    lines = (refreshed.folder / "police" / corrected.name).read_text().splitlines(keepends=True)
    corrected.write_text("".join(lines[:-1]))  # police.uk withdrew one row
    result = CliRunner().invoke(app, ["refresh", "--lake", str(lake), str(corrected), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [item["status"] for item in report["files"]] == ["replaced"]
    november = [{"force": "northshire", "month": "2020-11-01"}]
    for table in ("police_uk_street", "street_month"):
        assert report[table]["rewritten"] == november
        assert report[table]["written"] == report[table]["removed"] == []
        assert len(report[table]["unchanged"]) == 18
    after = _files(lake)
    changed = sorted(path for path in set(before) ^ set(after) if not _load_log(path))
    assert len(changed) == 4  # the old and new file of the fact and of the aggregate
    assert all("force=northshire/month=2020-11-01" in path for path in changed)


def test_spark_on_the_refreshed_lake_gives_the_same_artefact(
    refreshed: Refreshed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Several periods on Spark (the kept aggregate cached there) equal DuckDB's, to 1e-9."""
    monkeypatch.delenv("SPARK_REMOTE", raising=False)
    monkeypatch.setenv("SPARK_LOCAL_IP", "127.0.0.1")
    result = CliRunner().invoke(
        app,
        [
            "refresh", "--lake", str(refreshed.lake), *map(str, refreshed.new_files), "--out",
            str(tmp_path / "spark"), "--period", PERIOD, "--years", "2", "--engine", "spark",
            "--spark-master", "local[2]",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Aggregated by Spark" in " ".join(result.output.split())
    on_spark = _tables(tmp_path / "spark")
    on_duckdb = _tables(refreshed.folder / "refreshed")
    assert sorted(on_spark) == sorted(on_duckdb)
    for name, table in on_duckdb.items():
        pd.testing.assert_frame_equal(on_spark[name], table, check_exact=False, rtol=1e-9, obj=name)
