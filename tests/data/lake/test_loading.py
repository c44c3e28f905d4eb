"""Loading files straight into a lake: the same reports, and only what changed published."""

from __future__ import annotations

import gzip
import shutil
from dataclasses import asdict
from pathlib import Path

import pytest
from loaded_city import LoadedCity

from safecity.data.extract.pseudonyms import KEY_ENVIRONMENT_VARIABLE
from safecity.data.input_files import InputError
from safecity.data.lake import export_lake, read_manifest, refresh_street_aggregates, verify_lake
from safecity.data.lake.lake_loads import (
    load_extract_into_lake,
    load_police_uk_into_lake,
    load_reference_into_lake,
)
from safecity.data.lake.layout import MANIFEST_FILE
from safecity.data.lake.manifest import LakeFile
from safecity.data.load_report import FileLoadReport, LoadStatus
from safecity.data.police_uk.loader import load_police_uk
from safecity.data.reference.kinds import ReferenceKind
from safecity.data.synthetic import DemoDataset
from safecity.data.warehouse import Warehouse

LAST_MONTH = "2025-03"


def _report(report: FileLoadReport) -> dict[str, object]:
    return {key: value for key, value in asdict(report).items() if key != "path"}


def _by_path(files: tuple[LakeFile, ...]) -> dict[str, LakeFile]:
    return {item.path: item for item in files}


def _no_staging(lake: Path) -> bool:
    return not [path for path in lake.iterdir() if path.name.startswith("_staging-")]


@pytest.fixture(scope="module")
def first_load(
    national_dataset: DemoDataset, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list[FileLoadReport]]:
    """A lake loaded with every month but the last."""
    lake = tmp_path_factory.mktemp("loaded") / "lake"
    files = [file.path for file in national_dataset.police_uk_files if file.month != LAST_MONTH]
    reports, summary = load_police_uk_into_lake(lake, paths=files)
    assert summary.total.rewritten == 0
    return lake, reports


def _copy(lake: Path, folder: Path) -> Path:
    shutil.copytree(lake, folder / "lake")
    return folder / "lake"


def _last_month_files(dataset: DemoDataset) -> list[Path]:
    return [file.path for file in dataset.police_uk_files if file.month == LAST_MONTH]


def test_a_load_into_a_lake_reports_and_holds_what_a_warehouse_load_does(
    national_dataset: DemoDataset, first_load: tuple[Path, list[FileLoadReport]], tmp_path: Path
) -> None:
    lake, lake_reports = first_load
    files = [file.path for file in national_dataset.police_uk_files if file.month != LAST_MONTH]
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        reports = load_police_uk(warehouse, paths=files)
    with Warehouse(tmp_path / "w.duckdb", read_only=True) as warehouse:
        tables = set(warehouse.table_names())
    assert set(read_manifest(lake).tables) == tables | {"street_month"}
    assert [_report(report) for report in lake_reports] == [_report(r) for r in reports]
    assert {report.status for report in lake_reports} == {LoadStatus.LOADED}
    with Warehouse.on_lake(lake) as on_lake:
        on_lake.connection.execute(f"ATTACH '{tmp_path / 'w.duckdb'}' AS loaded (READ_ONLY)")
        for table, columns in (
            ("police_uk_street", "*"),
            ("load_file", "* EXCLUDE (loaded_at)"),
            ("quarantine", "*"),
        ):
            for first, second in (("loaded.", ""), ("", "loaded.")):
                difference = on_lake.connection.execute(
                    f"SELECT count(*) FROM (SELECT {columns} FROM {first}{table}"
                    f" EXCEPT ALL SELECT {columns} FROM {second}{table})"
                ).fetchall()[0][0]
                assert difference == 0, table
        assert on_lake.count("load_file") == len(files)
        assert on_lake.count("police_uk_street") == sum(r.loaded for r in reports) > 0
        assert "street_month" in on_lake.table_names()
    verify_lake(lake)


def test_publishing_a_new_month_rewrites_only_its_partitions(
    national_dataset: DemoDataset,
    national_warehouse: Path,
    first_load: tuple[Path, list[FileLoadReport]],
    tmp_path: Path,
) -> None:
    lake = _copy(first_load[0], tmp_path)
    before = read_manifest(lake)
    reports, summary = load_police_uk_into_lake(lake, paths=_last_month_files(national_dataset))
    assert len(reports) == 43
    assert {report.status for report in reports} == {LoadStatus.LOADED}
    after = read_manifest(lake)
    for table in ("police_uk_street", "street_month"):
        old = _by_path(before.tables[table].files)
        new = _by_path(after.tables[table].files)
        assert set(old) <= set(new)
        assert all(new[path] == item for path, item in old.items()), table
        added = [new[path] for path in set(new) - set(old)]
        assert len(added) == 43
        assert {str(item.partition.month) for item in added} == {f"{LAST_MONTH}-01"}
        assert summary.tables[table].written == 43
        assert summary.tables[table].rewritten == 0
    assert summary.tables["load_file"].rewritten == 1
    with (
        Warehouse.on_lake(lake) as on_lake,
        Warehouse(national_warehouse, read_only=True) as everything,
    ):
        police_uk_loads = "SELECT count(*) FROM load_file WHERE format LIKE 'police_uk%'"
        assert (
            on_lake.connection.execute(police_uk_loads).fetchall()
            == everything.connection.execute(police_uk_loads).fetchall()
            == [(len(national_dataset.police_uk_files),)]
        )
        on_lake.connection.execute(f"ATTACH '{national_warehouse}' AS whole (READ_ONLY)")
        difference = on_lake.connection.execute(
            "SELECT count(*) FROM (SELECT * FROM whole.police_uk_street"
            " EXCEPT ALL SELECT * FROM police_uk_street)"
        ).fetchall()[0][0]
        assert difference == 0
        assert on_lake.count("police_uk_street") == everything.count("police_uk_street")
    assert _no_staging(lake)
    verify_lake(lake)


def test_a_republished_month_replaces_its_partition(
    national_dataset: DemoDataset, first_load: tuple[Path, list[FileLoadReport]], tmp_path: Path
) -> None:
    lake = _copy(first_load[0], tmp_path)
    before = read_manifest(lake)
    original = national_dataset.police_uk_files[0]
    republished = tmp_path / "republished" / original.path.name
    republished.parent.mkdir()
    opener = gzip.open if original.path.suffix == ".gz" else open
    with opener(original.path, "rt", encoding="utf-8", newline="") as stream:
        lines = stream.readlines()
    with opener(republished, "wt", encoding="utf-8", newline="") as stream:
        stream.writelines(lines[:-5])
    (report,), summary = load_police_uk_into_lake(lake, paths=[republished])
    assert report.status is LoadStatus.REPLACED
    after = read_manifest(lake)
    old_street = before.tables["police_uk_street"].by_partition()
    new_street = after.tables["police_uk_street"].by_partition()
    changed = [
        partition for partition in new_street if new_street[partition] != old_street[partition]
    ]
    assert [(p.force, f"{p.month:%Y-%m}") for p in changed] == [
        (original.force_slug, original.month)
    ]
    assert new_street[changed[0]].rows == old_street[changed[0]].rows - 5
    assert not (lake / old_street[changed[0]].path).exists()
    assert summary.tables["police_uk_street"].rewritten == 1
    assert summary.tables["street_month"].rewritten == 1
    with Warehouse.on_lake(lake) as on_lake:
        superseded = on_lake.connection.execute(
            "SELECT count(*) FROM load_file WHERE superseded_by = ?", [report.file_id]
        ).fetchall()[0][0]
        assert superseded == 1
    (again,), unchanged = load_police_uk_into_lake(lake, paths=[republished])
    assert again.status is LoadStatus.UNCHANGED
    assert unchanged.total.written == unchanged.total.rewritten == 0
    verify_lake(lake)


def test_aggregates_are_refreshed_only_where_facts_changed(
    national_dataset: DemoDataset, first_load: tuple[Path, list[FileLoadReport]], tmp_path: Path
) -> None:
    lake = _copy(first_load[0], tmp_path)
    before = read_manifest(lake).tables["street_month"]
    load_police_uk_into_lake(
        lake, paths=_last_month_files(national_dataset), street_aggregates=False
    )
    with Warehouse.on_lake(lake) as on_lake:
        assert "street_month" not in on_lake.table_names()  # stale: left aside
    summary = refresh_street_aggregates(lake)
    change = summary.tables["street_month"]
    assert (change.written, change.rewritten, change.removed) == (43, 0, 0)
    assert change.unchanged == len(before.files)
    after = _by_path(read_manifest(lake).tables["street_month"].files)
    assert all(after[item.path] == item for item in before.files)
    with Warehouse.on_lake(lake) as on_lake:
        totals = on_lake.connection.execute(
            "SELECT (SELECT sum(rows) FROM street_month), (SELECT count(*) FROM police_uk_street)"
        ).fetchall()[0]
        assert totals[0] == totals[1]
    again = refresh_street_aggregates(lake).tables["street_month"]
    assert again.written == again.rewritten == 0


def test_reference_tables_stay_and_load_into_the_lake(
    national_dataset: DemoDataset, national_warehouse: Path, tmp_path: Path
) -> None:
    lake = tmp_path / "lake"
    with Warehouse(national_warehouse, read_only=True) as warehouse:
        export_lake(warehouse, out_dir=lake)
    before = read_manifest(lake)
    references = national_dataset.reference
    reports, summary = load_reference_into_lake(
        lake, kind=ReferenceKind.LSOA_LOOKUP, paths=[references.lsoa_ward_lad_lookup]
    )
    assert [report.status for report in reports] == [LoadStatus.UNCHANGED]
    # The reference loader logs a file seen again; nothing else changes.
    assert {
        name for name, change in summary.tables.items() if change.written or change.rewritten
    } == {"load_file"}
    reports, summary = load_reference_into_lake(
        lake, kind=ReferenceKind.HARM_WEIGHTS, paths=[references.harm_weights]
    )
    assert [report.status for report in reports] == [LoadStatus.LOADED]
    after = read_manifest(lake)
    changed = {
        name for name, table in after.tables.items() if table.files != before.tables[name].files
    }
    assert changed == {"harm_weight", "load_file"}
    with Warehouse.on_lake(lake) as on_lake:
        assert on_lake.count("harm_weight") == reports[0].loaded > 0
        assert on_lake.count("area_lookup") == before.tables["area_lookup"].rows
    verify_lake(lake)


def test_a_failed_load_leaves_the_lake_as_it_was(
    first_load: tuple[Path, list[FileLoadReport]], tmp_path: Path
) -> None:
    lake = _copy(first_load[0], tmp_path)
    manifest = (lake / MANIFEST_FILE).read_bytes()
    with pytest.raises(InputError):
        load_police_uk_into_lake(lake, paths=[tmp_path / "no-such-file.csv"])
    assert (lake / MANIFEST_FILE).read_bytes() == manifest
    assert _no_staging(lake)
    verify_lake(lake)


def test_an_extract_loads_into_the_lake_replacing_its_source(
    city: LoadedCity, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_ENVIRONMENT_VARIABLE, city.key)
    monkeypatch.delenv("SAFECITY_PSEUDONYM_KEY_FILE", raising=False)
    extract = city.dataset.extract
    assert extract is not None
    lake = tmp_path / "lake"
    arguments = {"path": extract.mapping.parent, "mapping_path": extract.mapping}
    reports, _ = load_extract_into_lake(lake, **arguments)
    assert {report.status for report in reports} == {LoadStatus.LOADED}
    tables = ("extract_crime", "extract_victim", "extract_offender")
    with Warehouse.on_lake(lake) as on_lake:
        on_lake.connection.execute(f"ATTACH '{city.warehouse}' AS city (READ_ONLY)")
        for table in tables:
            for first, second in (("city.", ""), ("", "city.")):
                difference = on_lake.connection.execute(
                    f"SELECT count(*) FROM (SELECT * EXCLUDE (file_id) FROM {first}{table}"
                    f" EXCEPT ALL SELECT * EXCLUDE (file_id) FROM {second}{table})"
                ).fetchall()[0][0]
                assert difference == 0, table
        counts = {table: on_lake.count(table) for table in tables}
    (source,) = {item.partition.force for item in read_manifest(lake).tables[tables[0]].files}
    reports, summary = load_extract_into_lake(lake, **arguments)
    assert all(report.status is not LoadStatus.REJECTED for report in reports)
    with Warehouse.on_lake(lake) as on_lake:
        # The same crimes again replace the earlier ones: nothing is counted twice.
        assert {table: on_lake.count(table) for table in tables} == counts
    assert source
    assert summary.tables["extract_crime"].removed == 0
    verify_lake(lake)
