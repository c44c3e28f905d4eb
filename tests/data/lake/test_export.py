"""Exporting a warehouse to a lake: the layout, the manifest, incremental re-export, atomicity."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from safecity.data.lake import (
    LakeIntegrityError,
    LakeVersionError,
    NotALakeError,
    export_lake,
    read_manifest,
    verify_lake,
)
from safecity.data.lake.layout import LOCK_FILE, MANIFEST_FILE
from safecity.data.lake.manifest import LakeManifest
from safecity.data.lake.parquet_writer import StagedWriter
from safecity.data.warehouse import Warehouse

STREET_PATH = re.compile(
    r"^facts/police_uk_street/force=[a-z0-9-]+/month=\d{4}-\d{2}-01/part-[0-9a-f]{16}\.parquet$"
)


def _files_on_disk(lake: Path) -> set[str]:
    return {
        path.relative_to(lake).as_posix()
        for path in lake.rglob("*")
        if path.is_file() and path.name not in (MANIFEST_FILE, LOCK_FILE)
    }


def _listed(manifest: LakeManifest) -> set[str]:
    return {item.path for item in manifest.files()}


@pytest.fixture(scope="module")
def city_lake(city_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    lake = tmp_path_factory.mktemp("city-lake") / "lake"
    with Warehouse(city_warehouse, read_only=True) as warehouse:
        export_lake(warehouse, out_dir=lake)
    return lake


def test_layout_and_manifest_follow_the_contract(city_warehouse: Path, city_lake: Path) -> None:
    manifest = read_manifest(city_lake)
    document = json.loads((city_lake / MANIFEST_FILE).read_text())
    assert document["schema_version"] == 1
    assert {"safecity_version", "written_at", "warehouse_schema", "tables"} <= set(document)
    with Warehouse(city_warehouse, read_only=True) as warehouse:
        tables = warehouse.table_names()
        version = warehouse.connection.execute("SELECT max(version) FROM schema_migration")
        assert manifest.warehouse_schema == version.fetchall()[0][0]
        counts = {table: warehouse.count(table) for table in tables}
        months = warehouse.connection.execute(
            "SELECT count(DISTINCT (force, month)) FROM police_uk_street"
        ).fetchall()[0][0]
        sources = warehouse.connection.execute(
            "SELECT DISTINCT source FROM extract_crime"
        ).fetchall()
    assert set(manifest.tables) == set(tables) | {"street_month"}
    for table in tables:
        assert manifest.tables[table].rows == counts[table], table
    street = manifest.tables["police_uk_street"]
    assert street.kind == "fact"
    assert street.partition_by == ("force", "month")
    assert len(street.files) == months > 1
    assert [column.name for column in street.columns][:4] == [
        "file_id",
        "force",
        "month",
        "crime_id",
    ]
    for item in street.files:
        assert STREET_PATH.match(item.path), item.path
        assert item.path.endswith(f"force={item.partition.force}/month={item.partition.month}/"
                                  f"part-{item.sha256[:16]}.parquet")  # fmt: skip
        data = (city_lake / item.path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == item.sha256
        assert len(data) == item.bytes
        parquet = pq.ParquetFile(city_lake / item.path)
        assert parquet.metadata.num_rows == item.rows > 0
        # Hive convention: the partition keys are in the path, not in the file.
        assert "force" not in parquet.schema_arrow.names
        assert "month" not in parquet.schema_arrow.names
    extract = manifest.tables["extract_crime"]
    assert extract.partition_by == ("force",)
    assert {item.partition.force for item in extract.files} == {row[0] for row in sources}
    for item in extract.files:
        assert re.match(r"^facts/extract_crime/force=[^/]+/part-[0-9a-f]{16}\.parquet$", item.path)
    lookup = manifest.tables["area_lookup"]
    assert lookup.kind == "reference"
    assert lookup.partition_by == ()
    (only,) = lookup.files
    assert re.match(r"^reference/area_lookup/part-[0-9a-f]{16}\.parquet$", only.path)
    aggregate = manifest.tables["street_month"]
    assert aggregate.kind == "aggregate"
    by_partition = street.by_partition()
    assert {item.partition for item in aggregate.files} == set(by_partition)
    for item in aggregate.files:
        assert item.source_sha256 == by_partition[item.partition].sha256
        assert item.path.startswith("aggregates/street_month/force=")
    # Exactly the listed files are on disk, and they verify.
    assert _files_on_disk(city_lake) == _listed(manifest)
    assert verify_lake(city_lake) == manifest


def test_exporting_again_leaves_every_file_as_it_was(
    city_warehouse: Path, city_lake: Path, tmp_path: Path
) -> None:
    lake = tmp_path / "lake"
    shutil.copytree(city_lake, lake)
    before = read_manifest(lake)
    with Warehouse(city_warehouse, read_only=True) as warehouse:
        summary = export_lake(warehouse, out_dir=lake)
    total = summary.total
    assert total.written == total.rewritten == total.removed == total.rows_written == 0
    assert total.unchanged == len(before.files())
    assert _listed(read_manifest(lake)) == _listed(before)
    assert summary.deleted_files == 0


def _copy(database: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(database, folder / "copy.duckdb")
    return folder / "copy.duckdb"


def test_only_changed_partitions_are_rewritten(national_warehouse: Path, tmp_path: Path) -> None:
    database = _copy(national_warehouse, tmp_path / "warehouse")
    lake = tmp_path / "lake"
    with Warehouse(database) as warehouse:
        export_lake(warehouse, out_dir=lake)
        before = read_manifest(lake)
        changed_force, removed_force = "kent", "dorset"
        warehouse.connection.execute(
            "DELETE FROM police_uk_street WHERE force = ? AND month = DATE '2024-06-01'"
            " AND crime_type = 'Shoplifting'",
            [changed_force],
        )
        warehouse.connection.execute(
            "DELETE FROM police_uk_street WHERE force = ? AND month = DATE '2024-07-01'",
            [removed_force],
        )
        expected_rows = warehouse.count("police_uk_street")
        summary = export_lake(warehouse, out_dir=lake)
    after = read_manifest(lake)
    street_before = {
        (item.partition.force, str(item.partition.month)): item
        for item in before.tables["police_uk_street"].files
    }
    street_after = {
        (item.partition.force, str(item.partition.month)): item
        for item in after.tables["police_uk_street"].files
    }
    changed, removed = (changed_force, "2024-06-01"), (removed_force, "2024-07-01")
    assert set(street_before) - set(street_after) == {removed}
    assert street_after[changed].path != street_before[changed].path
    assert street_after[changed].rows < street_before[changed].rows
    for key, item in street_after.items():
        if key != changed:
            assert item == street_before[key], key
    assert after.tables["police_uk_street"].rows == expected_rows
    change = summary.tables["police_uk_street"]
    assert (change.written, change.rewritten, change.removed) == (0, 1, 1)
    assert change.unchanged == len(street_before) - 2
    assert change.rows_written == street_after[changed].rows
    # The aggregate of the changed partition is recomputed, the removed one dropped, the
    # others left as they were.
    aggregate_before = before.tables["street_month"].by_partition()
    aggregate_after = after.tables["street_month"].by_partition()
    assert set(aggregate_before) - set(aggregate_after) == {street_before[removed].partition}
    for partition, item in aggregate_after.items():
        if partition == street_before[changed].partition:
            assert item.path != aggregate_before[partition].path
            assert item.source_sha256 == street_after[changed].sha256
        else:
            assert item == aggregate_before[partition]
    # Old files are deleted once the new manifest is committed.
    assert _files_on_disk(lake) == _listed(after)
    assert not (lake / street_before[changed].path).exists()
    verify_lake(lake)


def test_a_failure_before_the_commit_leaves_the_old_lake(
    national_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = _copy(national_warehouse, tmp_path / "warehouse")
    lake = tmp_path / "lake"
    with Warehouse(database) as warehouse:
        export_lake(warehouse, out_dir=lake)
        manifest_bytes = (lake / MANIFEST_FILE).read_bytes()
        files_before = _files_on_disk(lake)
        warehouse.connection.execute(
            "UPDATE police_uk_street SET crime_type = 'Shoplifting' WHERE force = 'kent'"
        )
        warehouse.connection.execute("DELETE FROM area_lookup WHERE lsoa_code < 'E01000100'")
        real_write = StagedWriter.write
        calls: list[str] = []

        def failing_write(self: StagedWriter, table: str, **arguments: object) -> object:
            calls.append(table)
            if len(calls) == 2:
                raise OSError("disk full (injected)")
            return real_write(self, table, **arguments)  # type: ignore[arg-type]

        monkeypatch.setattr(StagedWriter, "write", failing_write)
        with pytest.raises(OSError, match="injected"):
            export_lake(warehouse, out_dir=lake)
    assert len(calls) == 2  # one table was written before the failure
    assert (lake / MANIFEST_FILE).read_bytes() == manifest_bytes
    assert _files_on_disk(lake) == files_before
    assert not [path for path in lake.iterdir() if path.name.startswith("_staging-")]
    verify_lake(lake)
    with (
        Warehouse.on_lake(lake) as on_lake,
        Warehouse(national_warehouse, read_only=True) as original,
    ):
        query = "SELECT count(*) FROM police_uk_street WHERE crime_type = 'Shoplifting'"
        assert on_lake.connection.execute(query).fetchall() == (
            original.connection.execute(query).fetchall()
        )


def test_a_folder_that_is_not_a_lake_is_refused(national_warehouse: Path, tmp_path: Path) -> None:
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    with (
        Warehouse(national_warehouse, read_only=True) as warehouse,
        pytest.raises(NotALakeError, match=r"papers exists and is not a lake .*notes\.txt"),
    ):
        export_lake(warehouse, out_dir=folder)
    assert sorted(path.name for path in folder.iterdir()) == ["notes.txt"]
    with pytest.raises(NotALakeError, match=r"no _lake\.json"):
        Warehouse.on_lake(folder)


def test_a_lake_of_a_newer_layout_is_refused(city_lake: Path, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    shutil.copytree(city_lake, lake)
    document = json.loads((lake / MANIFEST_FILE).read_text())
    document["schema_version"] = 2
    (lake / MANIFEST_FILE).write_text(json.dumps(document))
    with pytest.raises(LakeVersionError, match=r"layout version 2.*knows only up to 1"):
        Warehouse.on_lake(lake)
    with pytest.raises(LakeVersionError):
        read_manifest(lake)


def test_verify_names_missing_and_altered_files(city_lake: Path, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    shutil.copytree(city_lake, lake)
    manifest = read_manifest(lake)
    street = manifest.tables["police_uk_street"].files
    missing, altered = street[0].path, street[1].path
    (lake / missing).unlink()
    data = bytearray((lake / altered).read_bytes())
    data[100] ^= 0xFF
    (lake / altered).write_bytes(bytes(data))
    with pytest.raises(LakeIntegrityError) as caught:
        verify_lake(lake)
    message = str(caught.value)
    assert f"{missing} is listed but missing" in message
    assert f"{altered} does not have the SHA-256 the manifest lists" in message
    assert "2 of its files" in message
