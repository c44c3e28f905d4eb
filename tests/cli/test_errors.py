"""Every error a sentence (issue 15, part 6): bad input and a hostile environment end a
command with one line naming the file and a non-zero exit code, never a traceback; text from
files (headers, names) is printed as written, never read as markup."""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from shared_demo import shared_demo_artefact
from typer.testing import CliRunner

from safecity.cli import report as report_module
from safecity.cli.errors import error_sentence
from safecity.cli.main import app
from safecity.report.artefact_reader import ArtefactError

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_artefact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared demo artefact (read-only)."""
    return shared_demo_artefact(tmp_path_factory)


def _run(arguments: list[str]) -> tuple[int, str]:
    result = runner.invoke(app, arguments, catch_exceptions=False)
    return result.exit_code, " ".join(result.output.split())


def test_markup_in_a_header_and_a_file_name_is_printed_as_written(tmp_path: Path) -> None:
    path = tmp_path / "2024-01-[red]x-street.csv"
    path.write_text("Crime ID,Month,[/bold]\n1,2024-01,x\n", encoding="utf-8")
    code, output = _run(["load", "police-uk", str(path), "--warehouse", str(tmp_path / "w.duckdb")])
    assert code == 1
    assert f"{path}: rejected: header not recognised as a data.police.uk file" in output
    assert "found 3 columns [Crime ID, Month, [/bold]]" in output


def test_a_corrupt_compressed_file_is_rejected_with_a_sentence_naming_it(tmp_path: Path) -> None:
    # A corrupt input is rejected and logged like any other bad file (exit code 1: some
    # input rejected), with the reason in a sentence, never a traceback.
    path = tmp_path / "2024-01-hampshire-street.csv.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00not really gzip")
    code, output = _run(["load", "police-uk", str(path), "--warehouse", str(tmp_path / "w.duckdb")])
    assert code == 1
    assert f"{path.name}: rejected: not a readable gzip file" in output
    assert "(it is corrupt or truncated); nothing of it was loaded" in output
    archive = tmp_path / "police-uk.zip"
    archive.write_bytes(b"PK\x03\x04 not really a zip")
    code, output = _run(
        ["load", "police-uk", str(archive), "--warehouse", str(tmp_path / "w.duckdb")]
    )
    assert code == 1
    assert f"{archive.name}: rejected: not a readable zip archive" in output
    assert "Traceback" not in output


def test_report_into_a_file_or_over_a_non_artefact_is_refused(tmp_path: Path) -> None:
    plain = tmp_path / "report.txt"
    plain.write_text("mine", encoding="utf-8")
    code, output = _run(["assess", "--area", "E22900001", "--period", "2024/25", "--out",
                         str(plain), "--warehouse", str(plain)])  # fmt: skip
    assert code == 2
    assert output == (
        f"error: {plain}: exists and is not a folder; give a folder for the Assessment artefact"
    )
    assert plain.read_text(encoding="utf-8") == "mine"


def _fail_writes_under(
    folder: Path, monkeypatch: pytest.MonkeyPatch, *, error: int, methods: tuple[str, ...]
) -> None:
    """Make ``Path.<methods>`` under ``folder`` fail with ``error`` (the seam used where a tmpfs
    cannot be mounted): the same ``OSError`` the kernel gives, raised at the real call."""
    for method in methods:
        real = getattr(Path, method)

        def failing(
            self: Path, *args: Any, _real: Any = real, _method: str = method, **kwargs: Any
        ) -> Any:
            if self.is_relative_to(folder) and (_method == "mkdir" or self.name.startswith(".")):
                raise OSError(error, os.strerror(error), str(self))
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(Path, method, failing)


def _mounted_tmpfs(
    folder: Path,
    *,
    options: str,
    monkeypatch: pytest.MonkeyPatch,
    error: int,
    methods: tuple[str, ...],
) -> Iterator[Path]:
    """``folder`` with a tmpfs mounted on it (``options``), unmounted afterwards.

    Mounting needs root with mount permission; without it the same error is raised at the real
    calls under ``folder`` instead (:func:`_fail_writes_under`), so the test still runs.
    """
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        _fail_writes_under(folder, monkeypatch, error=error, methods=methods)
        yield folder
        return
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


@pytest.fixture
def read_only_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder this process cannot write: permissions for a user, a read-only mount for root."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    yield from _mounted_tmpfs(
        folder,
        options="ro,size=64k",
        monkeypatch=monkeypatch,
        error=errno.EROFS,
        methods=("mkdir",),
    )


def test_an_unwritable_output_folder_is_a_sentence(
    read_only_folder: Path, demo_artefact: Path
) -> None:
    out = read_only_folder / "report"
    code, output = _run(["report", "--assessment", str(demo_artefact), "--out", str(out),
                         "--format", "html"])  # fmt: skip
    assert code == 1
    assert output in (f"error: {out}: permission denied; choose a folder you may write to (or a"
                      " file you may read), or change its permissions",
                      f"error: {out}: the file system is read-only; choose a folder on a"
                      " writable disk")  # fmt: skip


@pytest.fixture
def small_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A 1 MiB tmpfs (root), so writing more fails with a real ENOSPC."""
    folder = tmp_path / "small-disk"
    folder.mkdir()
    yield from _mounted_tmpfs(
        folder,
        options="size=1m",
        monkeypatch=monkeypatch,
        error=errno.ENOSPC,
        methods=("write_text", "write_bytes"),
    )


def test_a_full_disk_is_a_sentence_and_leaves_earlier_files_whole(
    small_disk: Path, demo_artefact: Path
) -> None:
    out = small_disk / "report"
    out.mkdir()
    earlier = "<html>the earlier report</html>"
    (out / "report.html").write_text(earlier, encoding="utf-8")
    code, output = _run(["report", "--assessment", str(demo_artefact), "--out", str(out),
                         "--format", "html"])  # fmt: skip
    assert code == 1, output
    assert output.startswith("error: ")
    assert output.endswith(
        "no space left on the device; free some space or choose another folder, then run the"
        " command again (files not finished were not kept)"
    )
    assert (out / "report.html").read_text(encoding="utf-8") == earlier
    assert not list(out.rglob(".*.partial"))


def test_disk_full_in_the_middle_of_a_write_keeps_the_earlier_file(
    demo_artefact: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without root: ENOSPC injected at the real write call (``Path.write_text``), after half
    the text reached the disk, as a full disk does."""
    out = tmp_path / "report"
    out.mkdir()
    earlier = "<html>the earlier report</html>"
    (out / "report.html").write_text(earlier, encoding="utf-8")
    real_write_text = Path.write_text

    def half_then_full(self: Path, data: str, *args: object, **kwargs: object) -> int:
        if self.name.startswith(".report.html."):
            real_write_text(self, data[: len(data) // 2], encoding="utf-8")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write_text(self, data, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "write_text", half_then_full)
    code, output = _run(["report", "--assessment", str(demo_artefact), "--out", str(out),
                         "--format", "html"])  # fmt: skip
    assert code == 1
    assert output == (
        "error: a file being read or written: no space left on the device; free some space or"
        " choose another folder, then run the command again (files not finished were not kept)"
    )
    assert (out / "report.html").read_text(encoding="utf-8") == earlier
    assert sorted(path.name for path in out.iterdir() if path.name.startswith(".")) == []


def test_bugs_still_surface_and_known_errors_become_sentences() -> None:
    assert error_sentence(KeyError("column")) is None
    assert error_sentence(TypeError("bug")) is None
    assert error_sentence(ArtefactError("x: missing")) == ("x: missing", 2)
    assert error_sentence(PermissionError(errno.EACCES, "Permission denied", "/srv/out")) == (
        "/srv/out: permission denied; choose a folder you may write to (or a file you may"
        " read), or change its permissions",
        1,
    )
    arrow_style = OSError("Error writing bytes to file. Detail: [errno 28] No space left")
    assert error_sentence(arrow_style) == (
        "a file being read or written: no space left on the device; free some space or choose"
        " another folder, then run the command again (files not finished were not kept)",
        1,
    )


def test_a_bug_in_a_command_still_shows_its_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**_: object) -> None:
        raise KeyError("a bug")

    monkeypatch.setattr(report_module, "write_report", broken)
    result = runner.invoke(app, ["report", "--assessment", str(tmp_path), "--out", str(tmp_path)])
    assert isinstance(result.exception, KeyError)
    assert "error:" not in result.output
