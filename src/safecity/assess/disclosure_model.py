"""The published counts of protected sources as sums of atoms: what disclosure control protects.

An *atom* is the finest count the engine aggregates from a protected source: for a force
extract, the crimes of one LSOA, month, offence code and combination of flags (and whether a
victim was female); for a protected police.uk source, one LSOA, month and category. Every
count a public table publishes from that source is a sum of atoms (a crime group's count in
an LSOA over a period; a ward's; a month's for the area; a deprivation decile's; an offence
code's harm row ...). Writing each published count as a set of atoms puts every linear
relation between public tables in one place (area = Σ wards = Σ LSOAs; all crime = Σ
categories; deprivation groups = Σ their LSOAs; a period = Σ its months; the same count in
two tables), so that secondary suppression and its audit see them all (methods.md §0.2a).

Counts from sources the disclosure policy does not protect are not cells of the model.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse

IndexArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class CellKey:
    """Where a count is published: table, row id and column."""

    table: str
    row: str
    column: str


class DisclosureModelError(RuntimeError):
    """A published count that is not the sum of its atoms: the model and the table disagree."""


@dataclass(slots=True)
class AtomTable:
    """Atoms of one protected source: ``lsoa_code``, ``month`` (Timestamp), ``count`` and masks.

    ``measures`` maps a measure id (a crime group id, ``offence:<code>``, ``offence_group:<name>``
    …) to a boolean mask over the rows.
    """

    source: str
    rows: pd.DataFrame
    measures: dict[str, npt.NDArray[np.bool_]] = field(default_factory=dict)
    _lsoa_ids: dict[str, int] = field(default_factory=dict)
    _month_ids: dict[pd.Timestamp, int] = field(default_factory=dict)
    _lsoa_of_row: IndexArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    _month_of_row: IndexArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    _rows_of_measure: dict[str, IndexArray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rows = self.rows.reset_index(drop=True)
        self.rows["month"] = pd.to_datetime(self.rows["month"])
        lsoa_codes, lsoa_names = pd.factorize(self.rows["lsoa_code"].astype(str))
        self._lsoa_of_row = lsoa_codes.astype(np.int64)
        self._lsoa_ids = {str(name): index for index, name in enumerate(lsoa_names)}
        month_codes, month_names = pd.factorize(self.rows["month"])
        self._month_of_row = month_codes.astype(np.int64)
        self._month_ids = {pd.Timestamp(str(name)): index for index, name in enumerate(month_names)}

    def members(
        self,
        *,
        measure: str | npt.NDArray[np.bool_],
        lsoas: Iterable[str] | None,
        months: Iterable[date | pd.Timestamp],
    ) -> IndexArray:
        """Rows of ``measure`` in ``lsoas`` (None: every LSOA) and ``months``."""
        if isinstance(measure, str):
            if measure not in self._rows_of_measure:
                self._rows_of_measure[measure] = np.flatnonzero(self.measures[measure])
            rows = self._rows_of_measure[measure]
        else:
            rows = np.flatnonzero(measure)
        month_ids = [
            self._month_ids[key]
            for key in (pd.Timestamp(month) for month in months)
            if key in self._month_ids
        ]
        rows = rows[np.isin(self._month_of_row[rows], month_ids)]
        if lsoas is not None:
            lsoa_ids = [self._lsoa_ids[code] for code in map(str, lsoas) if code in self._lsoa_ids]
            rows = rows[np.isin(self._lsoa_of_row[rows], lsoa_ids)]
        return rows.astype(np.int64)


@dataclass(slots=True)
class DisclosureModel:
    """Published counts of protected sources (cells), their atoms and their structure.

    Attributes
    ----------
    atom_counts
        True count of every atom (all protected sources, one index space).
    keys, values, members, slots
        Per cell: where it is published, its value, its atoms, and its ``(measure, unit,
        time)`` slot (for structural lines; ``None`` when it has none).
    lines
        Structural relations ``(total cell, part cells, exact)`` where the parts are disjoint
        and inside the total: area and wards, a ward and its LSOAs, a period and its months
        (exact: the parts add up to the total), a crime group and disjoint groups inside it
        (exact only when they cover it).
    containments
        ``(smaller, larger)`` cells whose atoms lie inside the other's (a count can never exceed
        one that contains it): a group inside another in the same area and months, the months
        compared inside the period.
    """

    atom_counts: npt.NDArray[np.float64] = field(
        default_factory=lambda: np.zeros(0, dtype=np.float64)
    )
    keys: list[CellKey] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    members: list[IndexArray] = field(default_factory=list)
    slots: list[tuple[str, str, str] | None] = field(default_factory=list)
    lines: list[tuple[int, list[int], bool]] = field(default_factory=list)
    containments: list[tuple[int, int]] = field(default_factory=list)
    measure_masks: dict[str, npt.NDArray[np.bool_]] = field(default_factory=dict)
    structure: dict[str, dict[str, npt.NDArray[np.bool_]]] = field(default_factory=dict)
    """Per source, each measure's mask over every atom the source *could* have (all offence
    codes x flag combinations, or all categories): what the published definitions imply,
    whatever the data (relations an attacker knows from the crime-group configuration)."""
    _slot_index: dict[tuple[str, str, str], int] = field(default_factory=dict)

    def add_atoms(self, atoms: AtomTable) -> int:
        """Append ``atoms`` to the index space; returns the offset of its first atom."""
        offset = len(self.atom_counts)
        self.atom_counts = np.concatenate(
            [self.atom_counts, atoms.rows["count"].to_numpy(dtype=np.float64)]
        )
        for name, mask in atoms.measures.items():
            padded = np.zeros(len(self.atom_counts), dtype=bool)
            padded[offset : offset + len(mask)] = mask
            key = f"{atoms.source}:{name}"
            self.measure_masks[key] = padded
        for name, mask in list(self.measure_masks.items()):
            if len(mask) < len(self.atom_counts):
                self.measure_masks[name] = np.concatenate(
                    [mask, np.zeros(len(self.atom_counts) - len(mask), dtype=bool)]
                )
        return offset

    def add_cell(
        self,
        key: CellKey,
        *,
        value: float,
        members: IndexArray,
        slot: tuple[str, str, str] | None = None,
    ) -> int:
        """Register a published count; returns its cell index (one per slot).

        Raises
        ------
        DisclosureModelError
            If ``value`` is not the sum of the atoms' counts.
        """
        expected = float(self.atom_counts[members].sum())
        if not np.isclose(expected, float(value), rtol=0, atol=1e-6):
            raise DisclosureModelError(
                f"{key.table}.{key.column} of {key.row} is {value}, but its atoms sum to"
                f" {expected}: the disclosure model does not describe this count"
            )
        if slot is not None and slot in self._slot_index:
            existing = self._slot_index[slot]
            self.keys.append(key)
            self.values.append(float(value))
            self.members.append(self.members[existing])
            self.slots.append(None)
            return len(self.keys) - 1
        self.keys.append(key)
        self.values.append(float(value))
        self.members.append(np.asarray(members, dtype=np.int64))
        self.slots.append(slot)
        index = len(self.keys) - 1
        if slot is not None:
            self._slot_index[slot] = index
        return index

    def cell_at(self, slot: tuple[str, str, str]) -> int | None:
        """The cell registered for ``slot``, if any."""
        return self._slot_index.get(slot)

    def add_line(
        self, total: int | None, parts: Sequence[int | None], *, exact: bool = True
    ) -> None:
        """Record that ``parts`` are disjoint and inside ``total`` (missing cells ignored).

        ``exact`` says the parts add up to the total; a line with a missing part is never
        exact (what it does not cover is unpublished).
        """
        present = [part for part in parts if part is not None]
        if total is not None and present:
            self.lines.append((total, present, exact and len(present) == len(parts)))

    def add_containment(self, smaller: int | None, larger: int | None) -> None:
        """Record that cell ``smaller``'s atoms all lie in cell ``larger``'s."""
        if smaller is not None and larger is not None and smaller != larger:
            self.containments.append((smaller, larger))

    def incidence(self) -> sparse.csr_matrix:
        """Cells x atoms 0/1 matrix."""
        lengths = [len(members) for members in self.members]
        rows = np.repeat(np.arange(len(self.members)), lengths)
        columns = np.concatenate(self.members) if self.members else np.zeros(0, dtype=np.int64)
        data = np.ones(len(columns), dtype=np.float64)
        return sparse.csr_matrix(
            (data, (rows, columns)), shape=(len(self.members), len(self.atom_counts))
        )

    def classes(self) -> npt.NDArray[np.int64]:
        """For each cell, the id of its class: cells with the same atoms share a class."""
        seen: dict[bytes, int] = {}
        labels = np.empty(len(self.members), dtype=np.int64)
        for index, members in enumerate(self.members):
            digest = np.sort(members).tobytes()
            labels[index] = seen.setdefault(digest, len(seen))
        return labels


MAXIMUM_FAMILIES = 8
"""Disjoint families kept per measure and set of measures (exact covers first)."""


def _families(
    masks: dict[str, npt.NDArray[np.bool_]],
) -> tuple[dict[str, list[str]], dict[str, list[tuple[list[str], bool]]]]:
    """For each measure: the measures inside it, and disjoint families of them.

    A family is grown greedily, largest first, from each measure inside the parent in turn;
    distinct families are kept, those covering the parent exactly first (e.g. all crime as the
    sum of its offence groups, as well as the greedy family of flag-defined groups).
    """
    sizes = {measure: int(mask.sum()) for measure, mask in masks.items()}
    inside_of: dict[str, list[str]] = {}
    families: dict[str, list[tuple[list[str], bool]]] = {}
    for parent, parent_mask in masks.items():
        inside = sorted(
            (
                child
                for child, child_mask in masks.items()
                if child != parent
                and sizes[child] < sizes[parent]
                and not (child_mask & ~parent_mask).any()
            ),
            key=lambda child: (-sizes[child], child),
        )
        inside_of[parent] = inside
        found: dict[frozenset[str], bool] = {}
        for seed in inside:
            chosen = [seed]
            covered = masks[seed].copy()
            for child in inside:
                if child != seed and not (masks[child] & covered).any():
                    chosen.append(child)
                    covered |= masks[child]
            if len(chosen) >= 2:
                found.setdefault(frozenset(chosen), bool((covered == parent_mask).all()))
        ranked = sorted(
            found.items(), key=lambda item: (not item[1], -len(item[0]), sorted(item[0]))
        )
        families[parent] = [(sorted(family), exact) for family, exact in ranked[:MAXIMUM_FAMILIES]]
    return inside_of, families


def measure_lines(model: DisclosureModel) -> None:
    """Relations across measures in each ``(unit, time)`` where the cells are published.

    Relations come from the measures' definitions (``model.structure``), never from the data:
    a measure inside another by definition gives a containment (its count is at most the
    other's), and disjoint measures inside one (:func:`_families`) give a line, exact when they
    cover it by definition. Families are found among the measures published in each ``(unit,
    time)``, so that an exact cover is one whose every part is published there.
    """
    by_slot: dict[tuple[str, str], dict[str, int]] = {}
    for index, slot in enumerate(model.slots):
        if slot is not None:
            measure, unit, time = slot
            by_slot.setdefault((unit, time), {})[measure] = index
    definitions: dict[str, npt.NDArray[np.bool_]] = {}
    for source, masks in model.structure.items():
        for name, mask in masks.items():
            if mask.any():
                definitions[f"{source}:{name}"] = mask
    cache: dict[
        frozenset[str], tuple[dict[str, list[str]], dict[str, list[tuple[list[str], bool]]]]
    ] = {}
    for cells in by_slot.values():
        present = frozenset(measure for measure in cells if measure in definitions)
        if present not in cache:
            by_source: dict[str, dict[str, npt.NDArray[np.bool_]]] = {}
            for measure in present:
                by_source.setdefault(measure.split(":", 1)[0], {})[measure] = definitions[measure]
            inside_of: dict[str, list[str]] = {}
            families: dict[str, list[tuple[list[str], bool]]] = {}
            for masks in by_source.values():
                inside, family = _families(masks)
                inside_of.update(inside)
                families.update(family)
            cache[present] = (inside_of, families)
        inside_of, families = cache[present]
        for parent, children in inside_of.items():
            for child in children:
                model.add_containment(cells[child], cells[parent])
        for parent, parent_families in families.items():
            for children, exact in parent_families:
                model.add_line(cells[parent], [cells[child] for child in children], exact=exact)


__all__ = [
    "AtomTable",
    "CellKey",
    "DisclosureModel",
    "DisclosureModelError",
    "measure_lines",
]
