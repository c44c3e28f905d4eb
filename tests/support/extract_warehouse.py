"""A warehouse holding Testham and Otherton's reference data and a force extract, under a key."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from reference_files import load_two_csps

from safecity.data.extract.loader import load_extract
from safecity.data.load_report import FileLoadReport
from safecity.data.warehouse import Warehouse


@contextmanager
def extract_warehouse(
    folder: Path, *, key: str, mapping_path: Path
) -> Iterator[tuple[Warehouse, list[FileLoadReport]]]:
    """Load the two CSPs and the extract in ``folder / "extract"``; yield the warehouse and reports.

    The pseudonym key ``key`` is set in the environment while the warehouse is open (the loader
    pseudonymises people with it); the warehouse is closed on leaving.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAFECITY_PSEUDONYM_KEY", key)
        patch.delenv("SAFECITY_PSEUDONYM_KEY_FILE", raising=False)
        with Warehouse(folder / "w.duckdb") as store:
            load_two_csps(store, folder)
            reports = load_extract(store, path=folder / "extract", mapping_path=mapping_path)
            yield store, reports
