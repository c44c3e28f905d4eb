"""Harm reference data shipped with the package: severity weights and the national offence mix.

Both files under ``safecity.config/harm/`` are derived by ``scripts/build_harm_reference.py``
from the publishers' tables (never hand-typed, ``methods.md`` §4.1); their header comments name
the source, vintage, licence and derivation:

* ``ons_css_weights.csv``: the ONS Crime Severity Score weights by Home Office offence code
  (ONS CSS data tool, about December 2020; OGL v3.0), the default harm index when the user loads
  none;
* ``national_offence_mix.csv``: police recorded crime in England and Wales by offence code,
  2017/18 (Home Office police recorded crime open data tables; OGL v3.0), the volumes that weight
  each police.uk category's mean weight when no newer table of offence counts is loaded.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

CONFIG_PACKAGE = "safecity.config"
WEIGHTS_FILE = "harm/ons_css_weights.csv"
MIX_FILE = "harm/national_offence_mix.csv"


@dataclass(frozen=True, slots=True)
class ShippedFile:
    """A shipped CSV: its header comments, key-value notes and rows."""

    name: str
    comments: tuple[str, ...]
    notes: dict[str, str]
    rows: tuple[dict[str, str], ...]

    @property
    def source(self) -> str:
        """The header comments as one text (source, vintage, licence, derivation)."""
        return " ".join(self.comments)


@dataclass(frozen=True, slots=True)
class OffenceWeight:
    """One offence code's severity weight."""

    offence_code: str
    weight: float
    offence_description: str


@dataclass(frozen=True, slots=True)
class NationalOffenceCount:
    """National recorded crimes of one offence code, with its police.uk category."""

    offence_code: str
    offence_description: str
    offence_group: str
    police_uk_category: str
    offences: int


def _read(file_name: str) -> ShippedFile:
    resource = resources.files(CONFIG_PACKAGE).joinpath(file_name)
    if not resource.is_file():
        raise FileNotFoundError(f"{CONFIG_PACKAGE}/{file_name}: no such reference file")
    lines = resource.read_text(encoding="utf-8").splitlines()
    comments = tuple(line.lstrip("#").strip() for line in lines if line.startswith("#"))
    notes: dict[str, str] = {}
    for comment in comments:
        for part in comment.split(";"):
            key, separator, value = part.partition(":")
            if separator and key.strip().replace("_", "").isalpha() and "_" in key:
                notes[key.strip()] = value.strip()
    rows = tuple(csv.DictReader(line for line in lines if not line.startswith("#")))
    return ShippedFile(name=file_name, comments=comments, notes=notes, rows=rows)


@dataclass(frozen=True, slots=True)
class ShippedHarmWeights:
    """The shipped harm index: name, version, source text and weights."""

    index_name: str
    index_version: str
    source: str
    weights: tuple[OffenceWeight, ...]


@dataclass(frozen=True, slots=True)
class ShippedOffenceMix:
    """The shipped national offence mix: table version, financial year, source and counts."""

    table_version: str
    financial_year: str
    source: str
    counts: tuple[NationalOffenceCount, ...]


@cache
def load_shipped_harm_weights() -> ShippedHarmWeights:
    """The ONS Crime Severity Score weights shipped in ``harm/ons_css_weights.csv``.

    Raises
    ------
    ValueError
        When the file lacks its index name or version, or a weight is not a number ≥ 0.
    """
    shipped = _read(WEIGHTS_FILE)
    try:
        name, version = shipped.notes["index_name"], shipped.notes["index_version"]
    except KeyError as error:
        raise ValueError(f"{WEIGHTS_FILE}: header lacks {error}") from error
    weights = []
    for position, row in enumerate(shipped.rows, start=1):
        weight = float(row["weight"])
        if not weight >= 0:
            raise ValueError(f"{WEIGHTS_FILE}: row {position}: weight must be ≥ 0")
        weights.append(
            OffenceWeight(
                offence_code=row["offence_code"],
                weight=weight,
                offence_description=row["offence_description"],
            )
        )
    return ShippedHarmWeights(
        index_name=name, index_version=version, source=shipped.source, weights=tuple(weights)
    )


@cache
def load_shipped_offence_mix() -> ShippedOffenceMix:
    """The national offence mix shipped in ``harm/national_offence_mix.csv``.

    Raises
    ------
    ValueError
        When the file lacks its table version or financial year, or a count is negative.
    """
    shipped = _read(MIX_FILE)
    try:
        version, year = shipped.notes["table_version"], shipped.notes["financial_year"]
    except KeyError as error:
        raise ValueError(f"{MIX_FILE}: header lacks {error}") from error
    counts = []
    for position, row in enumerate(shipped.rows, start=1):
        offences = int(row["offences"])
        if offences < 0:
            raise ValueError(f"{MIX_FILE}: row {position}: offences must be ≥ 0")
        counts.append(
            NationalOffenceCount(
                offence_code=row["offence_code"],
                offence_description=row["offence_description"],
                offence_group=row["offence_group"],
                police_uk_category=row["police_uk_category"],
                offences=offences,
            )
        )
    return ShippedOffenceMix(
        table_version=version, financial_year=year, source=shipped.source, counts=tuple(counts)
    )
