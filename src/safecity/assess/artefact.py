"""The Assessment artefact: tidy tables as Parquet and CSV, and ``manifest.json``.

Partner tables go in the artefact's folder; public tables, after disclosure control, in
``public/``. Person-level tables are never written to ``public/``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

MANIFEST_FILE = "manifest.json"
PUBLIC_FOLDER = "public"


@dataclass(slots=True)
class Artefact:
    """Tables by name (partner versions), public tables by name, and the manifest.

    ``shared_files`` (file name -> text, e.g. ``boundaries.geojson``) are written both in the
    artefact's folder and in ``public/``.
    """

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    public_tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    manifest: dict[str, Any] = field(default_factory=dict)
    shared_files: dict[str, str] = field(default_factory=dict)


def _write_table(table: pd.DataFrame, folder: Path, name: str) -> dict[str, Any]:
    csv_path = folder / f"{name}.csv"
    parquet_path = folder / f"{name}.parquet"
    try:
        arrow_table = pa.Table.from_pandas(table, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        # Columns of mixed Python objects: let pandas write them as text.
        table.to_csv(csv_path, index=False)
        table.to_parquet(parquet_path, index=False)
    else:
        # Arrow writes CSV many times faster than pandas, with full-precision numbers.
        pa_csv.write_csv(arrow_table, csv_path)
        pq.write_table(arrow_table, parquet_path)
    return {
        "rows": len(table),
        "columns": list(map(str, table.columns)),
        "csv": csv_path.name,
        "parquet": parquet_path.name,
        "csv_sha256": hashlib.sha256(csv_path.read_bytes()).hexdigest(),
    }


def write_artefact(artefact: Artefact, *, out_dir: Path) -> Path:
    """Write every table and the manifest into ``out_dir`` (created); return the manifest path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    public_dir = out_dir / PUBLIC_FOLDER
    public_dir.mkdir(exist_ok=True)
    manifest = dict(artefact.manifest)
    manifest["tables"] = {
        name: _write_table(table, out_dir, name) for name, table in artefact.tables.items()
    }
    manifest["public_tables"] = {
        name: _write_table(table, public_dir, name)
        for name, table in artefact.public_tables.items()
    }
    for name, text in artefact.shared_files.items():
        for folder in (out_dir, public_dir):
            (folder / name).write_text(text, encoding="utf-8")
    path = out_dir / MANIFEST_FILE
    path.write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")
    return path
