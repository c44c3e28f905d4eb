"""Finding an artefact row by the id a finding or priority cites.

Every table of the artefact that has a ``row_id`` column (``priority_id`` in the priority
tables) is indexed, for the report's audience only: a row the audience cannot read is not
found, so a public report never cites a partners-only row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from safecity.report.artefact_reader import AssessmentArtefact

ROW_ID_COLUMNS = ("row_id", "priority_id", "benchmark_id")
ROW_ID_SEPARATOR = ";"


@dataclass(frozen=True, slots=True)
class CitedRow:
    """A row of the artefact: the table it is in and its values by column."""

    table: str
    row_id: str
    values: dict[str, Any]


@dataclass(slots=True)
class RowIndex:
    """Rows of an artefact by id, for one audience (each row read when first asked for)."""

    artefact: AssessmentArtefact
    positions: dict[str, tuple[str, int]] = field(default_factory=dict)
    suppressed: set[str] = field(default_factory=set)
    """Ids of the rows disclosure control suppressed (``suppressed`` true)."""

    def get(self, row_id: str) -> CitedRow | None:
        """The row with id ``row_id``, or ``None`` when the audience has no such row."""
        found = self.positions.get(row_id)
        if found is None:
            return None
        table, position = found
        frame = self.artefact.table(table)
        if frame is None:  # the index was built from this table, so it is there
            return None
        values = {str(column): value for column, value in frame.iloc[position].items()}
        return CitedRow(table=table, row_id=row_id, values=values)

    def __contains__(self, row_id: object) -> bool:
        return row_id in self.positions

    def has_all(self, row_ids: tuple[str, ...]) -> bool:
        """Whether every one of ``row_ids`` is a row this audience can read."""
        return all(row_id in self.positions for row_id in row_ids)


def split_row_ids(text: object) -> tuple[str, ...]:
    """The ids in a ``;``-separated list of row ids (empty parts dropped)."""
    if not isinstance(text, str):
        return ()
    return tuple(part.strip() for part in text.split(ROW_ID_SEPARATOR) if part.strip())


def index_rows(artefact: AssessmentArtefact) -> RowIndex:
    """Index every row with an id in the tables ``artefact`` offers its audience.

    When two tables hold the same id (``priority_top`` repeats ``priority_scores``) the first
    table in name order keeps it.
    """
    index = RowIndex(artefact=artefact)
    for name in artefact.table_names:
        frame = artefact.table(name)
        if frame is None or frame.empty:
            continue
        id_column = next((column for column in ROW_ID_COLUMNS if column in frame.columns), None)
        if id_column is None:
            continue
        ids = frame[id_column].astype(str)
        for position, row_id in enumerate(ids.tolist()):
            index.positions.setdefault(row_id, (name, position))
        if "suppressed" in frame.columns:
            flags = frame["suppressed"].astype("boolean").fillna(False).astype(bool)
            index.suppressed.update(ids[flags.to_numpy()].tolist())
    return index
