"""Suppression of a two-way table with its margins (the partnership's intelligence counts page).

On random small tables, every count from 1 to the threshold minus one is withheld, zeros and
shown counts are exact, and an independent linear program over what stays shown (cells, row,
column and grand totals, counts >= 0) cannot narrow any withheld count to an interval shorter
than the threshold.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.optimize import linprog

from safecity.assess.grid_disclosure import GridSuppression, suppress_grid

THRESHOLD = 5


def _widths(
    counts: dict[tuple[str, str], int], rows: list[str], columns: list[str], hidden: GridSuppression
) -> dict[tuple[str, str], float]:
    cells = list(itertools.product(rows, columns))
    unknown = [cell for cell in cells if cell in hidden.cells]
    index = {cell: number for number, cell in enumerate(unknown)}
    equations = []
    for row in rows:
        if row not in hidden.row_totals:
            equations.append(
                (
                    [(row, column) for column in columns],
                    sum(counts.get((row, c), 0) for c in columns),
                )
            )
    for column in columns:
        if column not in hidden.column_totals:
            equations.append(
                ([(row, column) for row in rows], sum(counts.get((r, column), 0) for r in rows))
            )
    if not hidden.grand_total:
        equations.append((cells, sum(counts.values())))
    a_eq, b_eq = [], []
    for members, total in equations:
        coefficients = np.zeros(len(unknown))
        known = 0
        for member in members:
            if member in index:
                coefficients[index[member]] = 1
            else:
                known += counts.get(member, 0)
        if coefficients.any():
            a_eq.append(coefficients)
            b_eq.append(total - known)
    widths = {}
    for cell in unknown:
        objective = np.zeros(len(unknown))
        objective[index[cell]] = 1
        options = {"A_eq": a_eq or None, "b_eq": b_eq or None, "bounds": [(0, None)] * len(unknown)}
        low = linprog(objective, **options)
        high = linprog(-objective, **options)
        widths[cell] = np.inf if high.status == 3 else -high.fun - low.fun
    return widths


@pytest.mark.parametrize("seed", range(8))
def test_no_withheld_count_can_be_narrowed(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rows = [f"ward {number}" for number in range(4)]
    columns = [f"topic {number}" for number in range(5)]
    values = rng.choice([0, 0, 1, 2, 3, 4, 6, 9, 15], size=(4, 5))
    counts = {
        (row, column): int(values[i, j])
        for i, row in enumerate(rows)
        for j, column in enumerate(columns)
        if values[i, j]
    }
    hidden = suppress_grid(counts=counts, rows=rows, columns=columns, threshold=THRESHOLD)
    for cell, value in counts.items():
        if value < THRESHOLD:
            assert cell in hidden.cells, cell
    assert all(counts.get(cell, 0) > 0 for cell in hidden.cells)  # zeros are shown
    assert hidden.primary >= sum(1 for value in counts.values() if value < THRESHOLD)
    widths = _widths(counts, rows, columns, hidden)
    assert min(widths.values(), default=np.inf) >= THRESHOLD


def test_a_table_without_small_counts_is_shown_whole() -> None:
    counts = {("a", "x"): 5, ("a", "y"): 12, ("b", "y"): 7}
    hidden = suppress_grid(counts=counts, rows=["a", "b"], columns=["x", "y"], threshold=5)
    assert hidden == GridSuppression(
        cells=frozenset(),
        row_totals=frozenset(),
        column_totals=frozenset(),
        grand_total=False,
        primary=0,
        secondary=0,
    )


def test_a_negative_count_is_refused() -> None:
    with pytest.raises(ValueError, match="whole numbers >= 0"):
        suppress_grid(counts={("a", "x"): -1}, rows=["a"], columns=["x"], threshold=5)
