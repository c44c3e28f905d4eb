"""The one place where the command line turns known errors into a sentence and an exit code.

Bad input (an unusable artefact, a folder that cannot hold an artefact, a corrupt compressed
file) and a hostile environment (no permission, a read-only or full disk, a warehouse file
that cannot be written) end every command with one line on standard error, naming the file
where it is known, and a non-zero exit code: 2 for input, 1 for the environment. Anything else
is a bug and still surfaces with its traceback, to be reported.
"""

from __future__ import annotations

import errno
import gzip
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import typer
from typer.core import TyperGroup

from safecity.assess.artefact import ArtefactWriteError
from safecity.cli.options import error_console, styled
from safecity.data.input_files import InputError
from safecity.report.artefact_reader import ArtefactError
from safecity.report.writer import ReportError

INPUT_EXIT_CODE = 2
ENVIRONMENT_EXIT_CODE = 1

INPUT_ERRORS: tuple[type[Exception], ...] = (
    ArtefactError,
    ArtefactWriteError,
    InputError,
    ReportError,
)
"""Errors whose message is already the sentence a user needs (the input is unusable)."""

CORRUPT_FILE_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    gzip.BadGzipFile,
    zlib.error,
    EOFError,
)
"""What Python's archive and compression readers raise on a corrupt or truncated file."""

_ADVICE = {
    errno.ENOSPC: "no space left on the device; free some space or choose another folder,"
    " then run the command again (files not finished were not kept)",
    errno.EDQUOT: "the disk quota is used up; free some space or choose another folder, then"
    " run the command again (files not finished were not kept)",
    errno.EACCES: "permission denied; choose a folder you may write to (or a file you may"
    " read), or change its permissions",
    errno.EPERM: "operation not permitted; choose a folder you may write to (or a file you"
    " may read), or change its permissions",
    errno.EROFS: "the file system is read-only; choose a folder on a writable disk",
    errno.ENOENT: "no such file or folder",
    errno.ENOTDIR: "a part of this path is a file, not a folder",
    errno.EISDIR: "is a folder where a file was expected",
    errno.EFBIG: "the file is larger than this system allows",
}


def corrupt_input_sentence(paths: Sequence[Path], error: BaseException) -> str:
    """The sentence for a corrupt compressed file among the inputs ``paths``."""
    named = ", ".join(str(path) for path in paths)
    return (
        f"{named}: a compressed file is corrupt or truncated"
        f" ({error or type(error).__name__}); check the file or download it again"
        " (files already loaded are kept whole)"
    )


def error_sentence(error: BaseException) -> tuple[str, int] | None:
    """The sentence and exit code for a known input or environment error; ``None`` for a bug."""
    if isinstance(error, INPUT_ERRORS):
        return str(error), INPUT_EXIT_CODE
    if isinstance(error, CORRUPT_FILE_ERRORS):
        return (
            f"a compressed input file is corrupt or truncated ({error or type(error).__name__});"
            " check the file or download it again",
            INPUT_EXIT_CODE,
        )
    if isinstance(error, duckdb.IOException):
        return f"the warehouse cannot be read or written: {error}", ENVIRONMENT_EXIT_CODE
    if isinstance(error, OSError):
        return _os_error_sentence(error), ENVIRONMENT_EXIT_CODE
    return None


def _os_error_sentence(error: OSError) -> str:
    names = [str(name) for name in (error.filename, error.filename2) if name is not None]
    where = " -> ".join(names) if names else "a file being read or written"
    code = error.errno if error.errno is not None else _errno_in_text(str(error))
    advice = _ADVICE.get(code) if code is not None else None
    if advice is None:
        advice = error.strerror or str(error) or type(error).__name__
    return f"{where}: {advice}"


def _errno_in_text(text: str) -> int | None:
    """The error number an Arrow error quotes (``[errno 28] ...``), if any."""
    lowered = text.lower()
    for code in _ADVICE:
        if f"[errno {code}]" in lowered:
            return code
    return None


class SafeCityGroup(TyperGroup):
    """The ``safecity`` command group: every command runs inside the known-error handling."""

    def invoke(self, ctx: Any) -> Any:
        """Run the command; a known error becomes a sentence and an exit code."""
        try:
            return super().invoke(ctx)
        except Exception as error:
            known = error_sentence(error)
            if known is None:
                raise
            message, code = known
            error_console.print(styled(("error:", "bold red"), f" {message}"), soft_wrap=True)
            raise typer.Exit(code=code) from error
