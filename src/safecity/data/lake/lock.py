"""One writer at a time: an exclusive lock on ``_lake.lock`` while a lake is written.

The lock is an operating-system lock (``flock``), released when the writer ends, however it
ends, so a crashed writer never leaves the lake locked. Readers take no lock: they read the files
the manifest lists, which a writer never changes.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from safecity.data.lake.errors import LakeBusyError
from safecity.data.lake.layout import LOCK_FILE


@contextmanager
def lake_write_lock(lake_dir: Path) -> Iterator[None]:
    """Hold the lake's write lock (creating the lake's folder if needed).

    Raises
    ------
    LakeBusyError
        If another process holds it.
    """
    lake_dir.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(lake_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if sys.platform != "win32":
            import fcntl  # noqa: PLC0415 (POSIX only)

            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as error:
                raise LakeBusyError(
                    f"another Safe City process is writing to the lake in {lake_dir}: wait for"
                    " it to finish"
                ) from error
        yield
    finally:
        os.close(descriptor)
