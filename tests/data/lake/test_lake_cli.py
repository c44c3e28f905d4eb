"""``safecity export lake`` and ``safecity load police-uk --lake`` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from safecity.cli.main import app
from safecity.data.lake import read_manifest
from safecity.data.synthetic import DemoDataset
from safecity.data.warehouse import Warehouse

runner = CliRunner()


def test_export_lake_writes_then_leaves_unchanged(national_warehouse: Path, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    arguments = ["export", "lake", "--out", str(lake), "--warehouse", str(national_warehouse)]
    first = runner.invoke(app, [*arguments, "--json"])
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    manifest = read_manifest(lake)
    assert report["total"]["files_written"] == len(manifest.files())
    assert report["total"]["files_unchanged"] == report["total"]["files_rewritten"] == 0
    with Warehouse(national_warehouse, read_only=True) as warehouse:
        street_rows = warehouse.count("police_uk_street")
    assert report["tables"]["police_uk_street"]["rows_written"] == street_rows
    second = runner.invoke(app, arguments)
    assert second.exit_code == 0, second.output
    text = " ".join(second.stdout.split())
    assert f"0 files written, 0 rewritten (changed), {len(manifest.files()):,} unchanged" in text
    assert str(lake) in text


def test_export_lake_refuses_a_folder_that_is_not_a_lake(
    national_warehouse: Path, tmp_path: Path
) -> None:
    (tmp_path / "report.pdf").write_text("not a lake")
    result = runner.invoke(
        app, ["export", "lake", "--out", str(tmp_path), "--warehouse", str(national_warehouse)]
    )
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert f"error: {tmp_path} exists and is not a lake" in message
    assert "report.pdf" in message


def test_export_lake_without_a_warehouse_says_so(tmp_path: Path) -> None:
    missing = tmp_path / "none.duckdb"
    result = runner.invoke(
        app, ["export", "lake", "--out", str(tmp_path / "lake"), "--warehouse", str(missing)]
    )
    assert result.exit_code == 2
    assert f"no warehouse at {missing}" in " ".join(result.stderr.split())
    assert not (tmp_path / "lake").exists()


def test_load_police_uk_into_a_lake(national_dataset: DemoDataset, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    files = [str(file.path) for file in national_dataset.police_uk_files[:3]]
    result = runner.invoke(app, ["load", "police-uk", *files, "--lake", str(lake), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [item["status"] for item in report["files"]] == ["loaded"] * 3
    loaded = sum(item["loaded"] for item in report["files"])
    assert report["lake"]["tables"]["police_uk_street"]["rows_written"] == loaded > 0
    assert report["lake"]["tables"]["police_uk_street"]["files_written"] == 3
    again = runner.invoke(app, ["load", "police-uk", files[0], "--lake", str(lake)])
    assert again.exit_code == 0, again.output
    text = " ".join(again.stdout.split())
    assert "unchanged" in text
    assert "0 files written, 0 rewritten (changed)" in text
    with Warehouse.on_lake(lake) as on_lake:
        assert on_lake.count("police_uk_street") == loaded


def test_load_reference_into_a_lake(national_dataset: DemoDataset, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    lookup = national_dataset.reference.lsoa_ward_lad_lookup
    arguments = ["load", "reference", "lsoa-lookup", str(lookup), "--lake", str(lake)]
    result = runner.invoke(app, [*arguments, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    ((item),) = report["files"]
    assert item["status"] == "loaded"
    assert report["lake"]["tables"]["area_lookup"]["rows_written"] == item["loaded"] > 0
    with Warehouse.on_lake(lake) as on_lake:
        assert on_lake.count("area_lookup") == item["loaded"]
