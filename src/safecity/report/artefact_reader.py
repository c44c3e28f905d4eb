"""Read an Assessment artefact (the folder ``safecity assess`` writes) for one audience.

The ``public`` audience reads only the disclosure-controlled copies in ``public/``; the
``partners`` audience reads the full tables. Both read ``manifest.json`` and the boundaries;
the public audience reads it without the partner-only families (partner intelligence, issue 14:
:func:`safecity.assess.partner_intelligence_tables.public_manifest`).

Opening an artefact checks every file the audience reads (each table's Parquet file, its CSV
copy when present, the boundaries) against the SHA-256 the manifest records, and refuses a
mixed or altered artefact with a sentence naming the file: tables of one run under the
manifest of another would otherwise be reported under the wrong title.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import pandas as pd

from safecity.assess.partner_intelligence_tables import public_manifest

MANIFEST_FILE = "manifest.json"
PUBLIC_FOLDER = "public"
BOUNDARIES_FILE = "boundaries.geojson"
ARTEFACT_KIND = "safecity-assessment"
RUN_AGAIN = "run `safecity assess` again to write it whole"


class Audience(StrEnum):
    """Who a document or a published view is for."""

    PUBLIC = "public"
    PARTNERS = "partners"


class ArtefactError(ValueError):
    """An Assessment artefact folder is missing, incomplete or not an artefact."""


@dataclass(slots=True)
class AssessmentArtefact:
    """The tables, manifest and boundaries of one Assessment artefact, for one audience.

    Tables are read lazily from Parquet and cached. ``table(name)`` returns ``None`` for a
    table the artefact does not have for this audience (for example a person-level table
    in the public audience), so callers can leave out what has no data and say why.
    """

    directory: Path
    audience: Audience
    manifest: dict[str, Any]
    _cache: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @property
    def table_folder(self) -> Path:
        """The folder the tables of this audience are read from."""
        if self.audience is Audience.PUBLIC:
            return self.directory / PUBLIC_FOLDER
        return self.directory

    @property
    def table_names(self) -> tuple[str, ...]:
        """Names of the tables available to this audience, sorted."""
        key = "public_tables" if self.audience is Audience.PUBLIC else "tables"
        return tuple(sorted(self.manifest.get(key, {})))

    def has_table(self, name: str) -> bool:
        """Whether the artefact has table ``name`` for this audience."""
        return name in self.table_names

    def table(self, name: str) -> pd.DataFrame | None:
        """The table ``name`` as a DataFrame, or ``None`` when this audience has no such table."""
        if name in self._cache:
            return self._cache[name]
        if not self.has_table(name):
            return None
        key = "public_tables" if self.audience is Audience.PUBLIC else "tables"
        entry = self.manifest[key][name]
        path = self.table_folder / str(entry["parquet"])
        if not path.is_file():
            raise ArtefactError(f"{path}: table {name!r} is listed in the manifest but missing")
        frame = pd.read_parquet(path)
        self._cache[name] = frame
        return frame

    def shared_file_path(self, name: str) -> Path | None:
        """Where this audience reads the shared file ``name`` (its folder first), if anywhere."""
        for path in (self.table_folder / name, self.directory / name):
            if path.is_file():
                return path
        return None

    def boundaries(self) -> dict[str, Any] | None:
        """The artefact's area boundaries (GeoJSON FeatureCollection, WGS84), if it has them."""
        path = self.shared_file_path(BOUNDARIES_FILE)
        if path is None:
            return None
        collection: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return collection

    @property
    def area_code(self) -> str:
        """GSS code of the assessed area."""
        return str(self.manifest["area"]["code"])


def open_artefact(*, directory: Path, audience: Audience) -> AssessmentArtefact:
    """Open the Assessment artefact in ``directory`` for ``audience``.

    Raises
    ------
    ArtefactError
        When the folder or its ``manifest.json`` is missing, or the manifest is not an
        assessment manifest.
    """
    directory = Path(directory)
    manifest_path = directory / MANIFEST_FILE
    if not directory.is_dir():
        raise ArtefactError(f"{directory}: no such folder (expected an Assessment artefact)")
    if not manifest_path.is_file():
        raise ArtefactError(
            f"{directory}: no {MANIFEST_FILE}; is this a folder written by `safecity assess`?"
        )
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ArtefactError(f"{manifest_path}: not valid JSON ({error})") from error
    if not isinstance(manifest, dict) or manifest.get("kind") != ARTEFACT_KIND:
        raise ArtefactError(
            f"{manifest_path}: not an assessment manifest (kind is not {ARTEFACT_KIND!r})"
        )
    if audience is Audience.PUBLIC:
        manifest = public_manifest(manifest)
    artefact = AssessmentArtefact(directory=directory, audience=audience, manifest=manifest)
    verify_files(artefact)
    return artefact


def verify_files(artefact: AssessmentArtefact) -> None:
    """Check every file ``artefact``'s audience reads against the manifest's SHA-256.

    Raises
    ------
    ArtefactError
        Naming the first file that is missing, has no SHA-256 in the manifest, or whose bytes
        differ from those the manifest records (a mixed or altered artefact).
    """
    manifest_path = artefact.directory / MANIFEST_FILE
    key = "public_tables" if artefact.audience is Audience.PUBLIC else "tables"
    entries = artefact.manifest.get(key, {})
    if not isinstance(entries, dict):
        raise ArtefactError(f"{manifest_path}: {key!r} is not a table list; {RUN_AGAIN}")
    expected: list[tuple[Path, object]] = []
    for name, entry in sorted(entries.items()):
        if not isinstance(entry, dict):
            raise ArtefactError(f"{manifest_path}: table {name!r} has no file names; {RUN_AGAIN}")
        for kind in ("parquet", "csv"):
            file_name = entry.get(kind)
            if kind == "csv" and file_name is None:
                continue
            if not isinstance(file_name, str) or Path(file_name).name != file_name:
                raise ArtefactError(
                    f"{manifest_path}: table {name!r} has no valid {kind} file name; {RUN_AGAIN}"
                )
            path = artefact.table_folder / file_name
            # Tables are read from Parquet; a CSV copy may be left out, but never differ.
            if kind == "parquet" or path.is_file():
                expected.append((path, entry.get(f"{kind}_sha256")))
    shared = artefact.manifest.get("shared_files", {})
    for name, entry in sorted(shared.items() if isinstance(shared, dict) else []):
        shared_path = artefact.shared_file_path(str(name))
        if shared_path is not None:
            expected.append((shared_path, entry.get("sha256") if isinstance(entry, dict) else None))
    if BOUNDARIES_FILE not in (shared if isinstance(shared, dict) else {}):
        unlisted = artefact.shared_file_path(BOUNDARIES_FILE)
        if unlisted is not None:
            expected.append((unlisted, None))
    for path, digest in expected:
        _check_file(path, digest=digest, manifest_path=manifest_path)


def _check_file(path: Path, *, digest: object, manifest_path: Path) -> None:
    if not path.is_file():
        raise ArtefactError(f"{path}: listed in {manifest_path.name} but missing; {RUN_AGAIN}")
    if not isinstance(digest, str) or len(digest) != 64:
        raise ArtefactError(
            f"{path}: {manifest_path} records no SHA-256 for it (written by an earlier Safe City"
            f" or by hand), so it cannot be checked; {RUN_AGAIN}"
        )
    sha256 = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            sha256.update(block)
    if sha256.hexdigest() != digest.lower():
        raise ArtefactError(
            f"{path}: its contents are not those {manifest_path} records (SHA-256 differs), so"
            f" the artefact is mixed or was changed after `safecity assess` wrote it; {RUN_AGAIN}"
        )
