"""Small-number suppression of a two-way table of counts with its margins (rows x columns).

A page that shows counts by two classifications (e.g. partner-intelligence submissions by
ward and topic) with row totals, column totals and a grand total publishes every linear
relation between them. :func:`suppress_grid` registers the table in the assessment's disclosure
machinery (:class:`~safecity.assess.disclosure_model.DisclosureModel`, one atom per non-zero
cell; each row total, column total and the grand total an exact line over its parts) and lets
:func:`~safecity.assess.disclosure.choose_hidden` withhold every count from 1 to the threshold
minus one, with secondary suppression audited by linear programming, so that no withheld count
can be narrowed from the published ones to an interval shorter than the threshold
(methods.md §0.2a). Zero cells are published as zeros.

References
----------
Hundepool, A. et al. (2012) *Statistical Disclosure Control*, Wiley, ch. 4 (cell suppression
in tables with margins; the audit of suppression patterns by linear programming).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from safecity.assess.disclosure import choose_hidden
from safecity.assess.disclosure_tables import PublishedCounts

GRID_TABLE = "grid"
ALL = "__all__"


@dataclass(frozen=True, slots=True)
class GridSuppression:
    """What to withhold: cells ``(row, column)``, row totals, column totals, the grand total."""

    cells: frozenset[tuple[str, str]]
    row_totals: frozenset[str]
    column_totals: frozenset[str]
    grand_total: bool
    primary: int
    secondary: int


def suppress_grid(
    *,
    counts: Mapping[tuple[str, str], int],
    rows: Sequence[str],
    columns: Sequence[str],
    threshold: int,
) -> GridSuppression:
    """The counts of a rows x columns table (and its margins) to withhold.

    Parameters
    ----------
    counts
        ``(row, column) -> count`` (whole numbers >= 0; absent pairs are zero).
    rows, columns
        Every row and column the table shows (a row or column of zeros included).
    threshold
        Counts from 1 to ``threshold - 1`` are withheld (primary suppression); others are
        withheld when needed to protect them (secondary suppression).

    Returns
    -------
    GridSuppression
        The withheld cells and margins, and how many were withheld for each reason.

    Examples
    --------
    A 2 withheld in a 2 x 2 table with its totals takes the other three cells with it (any one
    of them shown would give it back through a total); the totals stay:

    >>> hidden = suppress_grid(counts={("a", "x"): 2, ("a", "y"): 9, ("b", "x"): 8,
    ...                                ("b", "y"): 7}, rows=["a", "b"], columns=["x", "y"],
    ...                        threshold=5)
    >>> sorted(hidden.cells), hidden.row_totals, hidden.grand_total
    ([('a', 'x'), ('a', 'y'), ('b', 'x'), ('b', 'y')], frozenset(), False)
    """
    for key, value in counts.items():
        if value < 0 or int(value) != value:
            raise ValueError(f"count of {key} is {value}: counts are whole numbers >= 0")
    present = [(row, column) for row in rows for column in columns if counts.get((row, column))]
    published = PublishedCounts()
    model = published.model
    model.atom_counts = np.array([float(counts[key]) for key in present], dtype=np.float64)
    atom = {key: index for index, key in enumerate(present)}

    def register(row: str, column: str, members: list[int]) -> int | None:
        if not members:
            return None
        value = float(model.atom_counts[members].sum())
        return published.cell(
            table=GRID_TABLE,
            row=f"{row}|{column}",
            column="count",
            value=value,
            members=np.asarray(members, dtype=np.int64),
            slot=(GRID_TABLE, row, column),
            reveals=[],
        )

    cell = {key: register(key[0], key[1], [atom[key]]) for key in present}
    row_total = {
        row: register(row, ALL, [atom[(row, c)] for c in columns if (row, c) in atom])
        for row in rows
    }
    column_total = {
        column: register(ALL, column, [atom[(r, column)] for r in rows if (r, column) in atom])
        for column in columns
    }
    grand = register(ALL, ALL, list(range(len(present))))
    for row in rows:
        model.add_line(row_total[row], [cell[(row, c)] for c in columns if (row, c) in cell])
    for column in columns:
        model.add_line(
            column_total[column], [cell[(r, column)] for r in rows if (r, column) in cell]
        )
    model.add_line(grand, [row_total[row] for row in rows if row_total[row] is not None])
    model.add_line(
        grand, [column_total[column] for column in columns if column_total[column] is not None]
    )
    result = choose_hidden(published, threshold=threshold)
    hidden = {model.keys[index].row for index in np.flatnonzero(result.hidden)}
    return GridSuppression(
        cells=frozenset(key for key in present if f"{key[0]}|{key[1]}" in hidden),
        row_totals=frozenset(row for row in rows if f"{row}|{ALL}" in hidden),
        column_totals=frozenset(column for column in columns if f"{ALL}|{column}" in hidden),
        grand_total=f"{ALL}|{ALL}" in hidden,
        primary=result.primary,
        secondary=result.secondary,
    )


__all__ = ["GridSuppression", "suppress_grid"]
