"""Read an Assessment artefact (the folder ``safecity assess`` writes) for one audience.

The ``public`` audience reads only the disclosure-controlled copies in ``public/``; the
``partners`` audience reads the full tables. Both read ``manifest.json`` and the boundaries.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import pandas as pd

MANIFEST_FILE = "manifest.json"
PUBLIC_FOLDER = "public"
BOUNDARIES_FILE = "boundaries.geojson"
ARTEFACT_KIND = "safecity-assessment"


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

    def boundaries(self) -> dict[str, Any] | None:
        """The artefact's area boundaries (GeoJSON FeatureCollection, WGS84), if it has them."""
        path = self.table_folder / BOUNDARIES_FILE
        if not path.is_file():
            path = self.directory / BOUNDARIES_FILE
        if not path.is_file():
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
    return AssessmentArtefact(directory=directory, audience=audience, manifest=manifest)
