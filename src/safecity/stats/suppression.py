"""Small-number suppression for published counts (``methods.md`` §0.2).

Applied after computation, before output: counts from 1 to ``threshold − 1`` are shown as
``"<5"`` (0 may be shown as 0); with secondary suppression, a row or column of a table whose
total is published never has exactly one suppressed cell, because that cell could be recovered
by subtraction. Secondary cells are shown as ``"[c]"`` (the ONS mark for confidential) since
they may be large. This is the greedy rule of ``methods.md`` §0.2, not an optimal
cell-suppression solver (such as tau-ARGUS); it stops differencing by one row or column total.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from safecity.stats._validation import BoolArray, FloatArray
from safecity.stats.errors import StatisticsInputError

__all__ = ["suppress_counts", "suppression_mask"]

SECONDARY_MARK = "[c]"
TOTAL = "Total"


def _as_table(table: npt.ArrayLike | pd.DataFrame | pd.Series) -> pd.DataFrame:
    if isinstance(table, pd.DataFrame):
        frame = table.copy()
    elif isinstance(table, pd.Series):
        frame = table.to_frame().T
    else:
        values = np.asarray(table, dtype=np.float64)
        if values.ndim == 1:
            values = values.reshape(1, -1)
        if values.ndim != 2:
            raise StatisticsInputError("table must be one- or two-dimensional")
        frame = pd.DataFrame(values)
    numbers = frame.to_numpy(dtype=np.float64)
    bad = ~np.isfinite(numbers) | (numbers < 0)
    if bad.any():
        row, column = (int(item) for item in np.argwhere(bad)[0])
        raise StatisticsInputError(
            f"counts must be finite and not negative: {numbers[row, column]!r} at row "
            f"{frame.index[row]!r}, column {frame.columns[column]!r}"
        )
    return frame


def _secondary(
    values: FloatArray, suppressed: BoolArray, *, column_totals: bool
) -> tuple[BoolArray, BoolArray, BoolArray, BoolArray]:
    """Add secondary cells until no line with a published total has one suppressed cell.

    The complementary cell is the smallest unsuppressed non-zero cell of the line. A line with
    one suppressed cell and no non-zero cell left beside it cannot be protected by another
    cell, so its total is suppressed instead. Column totals are considered only when
    ``column_totals`` (a table of one row has none: each would equal its cell).
    """
    mask = suppressed.copy()
    secondary = np.zeros_like(mask)
    row_flags = np.zeros(values.shape[0], dtype=bool)
    column_flags = np.zeros(values.shape[1], dtype=bool)
    axes = (1, 0) if column_totals else (1,)
    changed = True
    while changed:
        changed = False
        for axis in axes:
            lines = values.shape[0] if axis == 1 else values.shape[1]
            flags = row_flags if axis == 1 else column_flags
            for line in range(lines):
                cells = mask[line, :] if axis == 1 else mask[:, line]
                numbers = values[line, :] if axis == 1 else values[:, line]
                if cells.sum() != 1:
                    continue
                candidates = np.flatnonzero(~cells & (numbers > 0))
                if candidates.size == 0:
                    flags[line] = True
                    continue
                choice = int(candidates[np.argmin(numbers[candidates])])
                position = (line, choice) if axis == 1 else (choice, line)
                mask[position] = True
                secondary[position] = True
                changed = True
    return mask, secondary, row_flags, column_flags


def suppression_mask(
    table: npt.ArrayLike | pd.DataFrame | pd.Series,
    *,
    threshold: int = 5,
    secondary: bool = True,
) -> pd.DataFrame:
    """Which cells of a table of counts to suppress.

    Primary: ``1 ≤ count < threshold`` (5 by default; 10 is the other common choice).
    Secondary (default): for every row and column (their totals are assumed published; a
    one-row table has row totals only), if exactly one cell is suppressed, also suppress the
    smallest remaining non-zero cell; repeat until stable. See :func:`suppress_counts` for the
    lines where only the total can be suppressed.

    Parameters
    ----------
    table : array-like, DataFrame or Series
        Counts (finite, ≥ 0). A one-dimensional input is one row.
    threshold : int, keyword-only
        Counts below this (and above 0) are suppressed.
    secondary : bool, keyword-only
        Apply secondary suppression.

    Returns
    -------
    pandas.DataFrame
        Booleans of the table's shape: True where the cell must not be published.

    References
    ----------
    ONS (2021). *Policy on protecting confidentiality in tables of birth and death
    statistics*; ``methods.md`` §0.2.

    Examples
    --------
    >>> suppression_mask([[3, 20, 7], [12, 15, 30]]).to_numpy().tolist()
    [[True, False, True], [True, False, True]]
    """
    if threshold < 1:
        raise StatisticsInputError(f"threshold must be at least 1; got {threshold}")
    frame = _as_table(table)
    values = frame.to_numpy(dtype=np.float64)
    primary = (values > 0) & (values < threshold)
    mask = (
        _secondary(values, primary, column_totals=values.shape[0] > 1)[0] if secondary else primary
    )
    return pd.DataFrame(mask, index=frame.index, columns=frame.columns)


def suppress_counts(
    table: npt.ArrayLike | pd.DataFrame | pd.Series,
    *,
    threshold: int = 5,
    secondary: bool = True,
) -> pd.DataFrame:
    """A publishable table: counts with small numbers suppressed, plus row and column totals.

    Primary cells read ``"<5"`` (``f"<{threshold}"``), secondary cells ``"[c]"``; totals are
    added as a ``"Total"`` column (and a ``"Total"`` row when the table has more than one row)
    and are themselves shown as ``"[c]"`` when their line has a single suppressed cell and no
    non-zero cell left to suppress beside it, because the total would reveal it; the grand
    total is then hidden too if it would reveal that one hidden total.

    Examples
    --------
    >>> suppress_counts([[3, 20, 7], [12, 15, 30]]).to_numpy().tolist()
    [['<5', 20, '[c]', 30], ['[c]', 15, '[c]', 57], [15, 35, 37, 87]]
    """
    if threshold < 1:
        raise StatisticsInputError(f"threshold must be at least 1; got {threshold}")
    frame = _as_table(table)
    values = frame.to_numpy(dtype=np.float64)
    primary = (values > 0) & (values < threshold)
    with_column_totals = values.shape[0] > 1
    if secondary:
        _, second, row_flags, column_flags = _secondary(
            values, primary, column_totals=with_column_totals
        )
    else:
        second = np.zeros_like(primary)
        row_flags = np.zeros(values.shape[0], dtype=bool)
        column_flags = np.zeros(values.shape[1], dtype=bool)
    whole = values.astype(np.int64)
    rows = values.shape[0] + (1 if with_column_totals else 0)
    display = np.empty((rows, values.shape[1] + 1), dtype=object)
    cells = np.empty(values.shape, dtype=object)
    cells[:] = whole.tolist()
    cells[primary] = f"<{threshold}"
    cells[second] = SECONDARY_MARK
    display[: values.shape[0], :-1] = cells
    for row, total in enumerate(whole.sum(axis=1)):
        display[row, -1] = SECONDARY_MARK if row_flags[row] else int(total)
    index = list(frame.index)
    if with_column_totals:
        for column, total in enumerate(whole.sum(axis=0)):
            display[-1, column] = SECONDARY_MARK if column_flags[column] else int(total)
        hidden_once = row_flags.sum() == 1 or column_flags.sum() == 1
        display[-1, -1] = SECONDARY_MARK if hidden_once else int(whole.sum())
        index.append(TOTAL)
    columns = [*frame.columns.tolist(), TOTAL]
    return pd.DataFrame(display, index=index, columns=columns)
