"""Tests that derive an artefact from another by changing its files record the new hashes.

``safecity assess`` records the SHA-256 of every file in ``manifest.json`` and readers refuse
files that do not match (:func:`safecity.report.artefact_reader.verify_files`). A test that
deliberately builds a changed artefact (tables dropped, rows removed, a hand-made manifest)
calls :func:`record_hashes` afterwards, as the writer would have.
"""

from __future__ import annotations

import json
from pathlib import Path

from safecity.assess.artefact import MANIFEST_FILE, PUBLIC_FOLDER, file_sha256


def record_hashes(folder: Path) -> None:
    """Write the SHA-256 of every table file and shared file present into the manifest."""
    manifest_path = folder / MANIFEST_FILE
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for key, table_folder in (("tables", folder), ("public_tables", folder / PUBLIC_FOLDER)):
        for entry in manifest.get(key, {}).values():
            for kind in ("parquet", "csv"):
                if kind in entry and (table_folder / entry[kind]).is_file():
                    entry[f"{kind}_sha256"] = file_sha256(table_folder / entry[kind])
    shared = {}
    for place in (folder, folder / PUBLIC_FOLDER):
        for path in place.glob("*.geojson"):
            shared[path.name] = {"sha256": file_sha256(path)}
    manifest["shared_files"] = shared
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
