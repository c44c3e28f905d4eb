"""Artefacts are all or nothing: written beside the target and renamed into place, and read
only when every file matches the SHA-256 its manifest records (issue 15, part 2)."""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from tests.faults.demo_years import DemoYears
from typer.testing import CliRunner

from safecity.assess import artefact as artefact_module
from safecity.assess.artefact import Artefact, ArtefactWriteError, file_sha256, write_artefact
from safecity.cli.main import app
from safecity.report.artefact_reader import ArtefactError, Audience, open_artefact

runner = CliRunner()


def _small(period: str, count: int) -> Artefact:
    """A two-table artefact whose numbers say which run wrote it."""
    indicators = pd.DataFrame({"indicator_id": ["all_crime"], "period": [period], "count": [count]})
    return Artefact(
        tables={"indicators": indicators, "findings": pd.DataFrame({"sentence": [period]})},
        public_tables={"indicators": indicators},
        manifest={
            "kind": "safecity-assessment",
            "area": {"code": "E22900001", "name": "Demoton"},
            "parameters": {"period": period},
        },
        shared_files={"boundaries.geojson": '{"type": "FeatureCollection", "features": []}\n'},
    )


def _siblings(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.parent.iterdir() if path != folder)


def _counts(folder: Path, audience: Audience) -> tuple[str, int]:
    artefact = open_artefact(directory=folder, audience=audience)
    table = artefact.table("indicators")
    assert table is not None
    return str(artefact.manifest["parameters"]["period"]), int(table["count"].iloc[0])


def test_a_new_artefact_replaces_the_old_whole_and_leaves_nothing_beside(tmp_path: Path) -> None:
    out = tmp_path / "runs" / "assessment"
    write_artefact(_small("2023/24", 100), out_dir=out)
    assert _counts(out, Audience.PARTNERS) == ("2023/24", 100)
    write_artefact(_small("2024/25", 250), out_dir=out)
    for audience in Audience:
        assert _counts(out, audience) == ("2024/25", 250)
    assert _siblings(out) == []
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["public_tables"]["indicators"]
    assert entry["parquet_sha256"] == file_sha256(out / "public" / "indicators.parquet")
    assert entry["csv_sha256"] == file_sha256(out / "public" / "indicators.csv")
    assert manifest["shared_files"]["boundaries.geojson"]["sha256"] == file_sha256(
        out / "public" / "boundaries.geojson"
    )


def test_without_an_atomic_swap_the_old_artefact_is_renamed_aside_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "assessment"
    write_artefact(_small("2023/24", 100), out_dir=out)
    monkeypatch.setattr(artefact_module, "_exchange", lambda _first, _second: False)
    write_artefact(_small("2024/25", 250), out_dir=out)
    assert _counts(out, Audience.PUBLIC) == ("2024/25", 250)
    assert _siblings(out) == []


def test_a_failed_write_keeps_the_old_artefact_and_leaves_no_partial_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "assessment"
    write_artefact(_small("2023/24", 100), out_dir=out)
    before = {path.name: path.read_bytes() for path in out.rglob("*") if path.is_file()}
    real_write_table = artefact_module._write_table
    written: list[str] = []

    def disk_full_on_second_table(table: pd.DataFrame, folder: Path, name: str) -> object:
        written.append(name)
        if len(written) == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(folder / name))
        return real_write_table(table, folder, name)

    monkeypatch.setattr(artefact_module, "_write_table", disk_full_on_second_table)
    with pytest.raises(OSError, match="No space left on device"):
        write_artefact(_small("2024/25", 250), out_dir=out)
    after = {path.name: path.read_bytes() for path in out.rglob("*") if path.is_file()}
    assert after == before
    assert _counts(out, Audience.PARTNERS) == ("2023/24", 100)
    assert _siblings(out) == []


def test_a_folder_of_other_files_or_a_file_is_never_overwritten(tmp_path: Path) -> None:
    other = tmp_path / "documents"
    other.mkdir()
    (other / "budget.xlsx").write_bytes(b"not an artefact")
    with pytest.raises(ArtefactWriteError, match="holds files but no Assessment artefact"):
        write_artefact(_small("2024/25", 250), out_dir=other)
    assert [path.name for path in other.iterdir()] == ["budget.xlsx"]
    plain_file = tmp_path / "notes.txt"
    plain_file.write_text("keep me", encoding="utf-8")
    with pytest.raises(ArtefactWriteError, match="exists and is not a folder"):
        write_artefact(_small("2024/25", 250), out_dir=plain_file)
    assert plain_file.read_text(encoding="utf-8") == "keep me"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["documents", "notes.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    write_artefact(_small("2024/25", 250), out_dir=empty)
    assert _counts(empty, Audience.PUBLIC) == ("2024/25", 250)


def test_what_a_killed_writer_left_is_cleared_by_the_next_write(tmp_path: Path) -> None:
    out = tmp_path / "assessment"
    dead = tmp_path / ".assessment.999999999-0a1b2c.partial"
    replaced = tmp_path / ".assessment.0a1b2c.previous"
    running = tmp_path / f".assessment.{os.getpid()}-0a1b2c.partial"
    for folder in (dead, replaced, running):
        folder.mkdir()
        (folder / "indicators.parquet").write_bytes(b"half")
    write_artefact(_small("2024/25", 250), out_dir=out)
    assert _siblings(out) == [running.name]


def test_a_table_changed_after_writing_is_refused_naming_the_file(tmp_path: Path) -> None:
    out = tmp_path / "assessment"
    write_artefact(_small("2024/25", 250), out_dir=out)
    path = out / "public" / "indicators.parquet"
    pd.DataFrame({"indicator_id": ["all_crime"], "period": ["2024/25"], "count": [99]}).to_parquet(
        path
    )
    with pytest.raises(ArtefactError) as refused:
        open_artefact(directory=out, audience=Audience.PUBLIC)
    assert str(refused.value).startswith(f"{path}: its contents are not those")
    assert "mixed or was changed after `safecity assess` wrote it" in str(refused.value)
    # The partners' tables were not touched: that audience still reads.
    assert _counts(out, Audience.PARTNERS) == ("2024/25", 250)
    (out / "public" / "indicators.csv").write_text("changed\n", encoding="utf-8")
    path.unlink()
    with pytest.raises(ArtefactError, match=r"indicators\.parquet: listed in manifest\.json but"):
        open_artefact(directory=out, audience=Audience.PUBLIC)


def test_changed_boundaries_and_unhashed_tables_are_refused(tmp_path: Path) -> None:
    out = tmp_path / "assessment"
    write_artefact(_small("2024/25", 250), out_dir=out)
    (out / "boundaries.geojson").write_text('{"type": "FeatureCollection"}', encoding="utf-8")
    with pytest.raises(ArtefactError, match=r"boundaries\.geojson: its contents are not those"):
        open_artefact(directory=out, audience=Audience.PARTNERS)
    manifest_path = out / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    del manifest["public_tables"]["indicators"]["parquet_sha256"]
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ArtefactError, match="records no SHA-256 for it"):
        open_artefact(directory=out, audience=Audience.PUBLIC)


def test_report_refuses_new_tables_under_an_old_manifest(
    demo_years: DemoYears, tmp_path: Path
) -> None:
    """What a writer killed over an old artefact used to leave: the 2024/25 manifest over
    2023/24 tables (reported as 2024/25 with exit code 0 before the reader checked hashes)."""
    mixed = tmp_path / "mixed"
    shutil.copytree(demo_years.earlier, mixed)
    shutil.copy(demo_years.later / "manifest.json", mixed / "manifest.json")
    result = runner.invoke(
        app,
        ["report", "--assessment", str(mixed), "--out", str(tmp_path / "report")],
        catch_exceptions=False,
    )
    message = " ".join(result.output.split())
    assert result.exit_code == 2, message
    assert message.startswith(f"error: {mixed}/public/")
    assert "the artefact is mixed or was changed after `safecity assess` wrote it" in message
    assert not (tmp_path / "report").exists()
    # Each year whole reads, and says its own period.
    for folder, period in ((demo_years.earlier, "2023/24"), (demo_years.later, "2024/25")):
        opened = open_artefact(directory=folder, audience=Audience.PUBLIC)
        assert opened.manifest["parameters"]["period"] == period
