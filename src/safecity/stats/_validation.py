"""Input checking and array coercion shared by the statistics modules (private)."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import special

from safecity.stats.errors import StatisticsInputError

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

__all__ = [
    "BoolArray",
    "FloatArray",
    "InputArrays",
    "critical_value",
    "label_array",
    "normalise_confidence",
    "require_multiplier",
    "set_label_column",
]


def normalise_confidence(confidence: float) -> float:
    """Return ``confidence`` as a fraction strictly between 0 and 1, or raise."""
    try:
        value = float(confidence)
    except (TypeError, ValueError) as error:
        raise StatisticsInputError(
            f"confidence must be a number between 0 and 1, got {confidence!r}"
        ) from error
    if not 0.0 < value < 1.0:
        hint = f" (did you mean {value / 100:g}?)" if 1.0 < value < 100.0 else ""
        raise StatisticsInputError(
            f"confidence must be a fraction strictly between 0 and 1, got {confidence!r}{hint}"
        )
    return value


def require_multiplier(multiplier: float, *, name: str = "multiplier") -> float:
    """Return ``multiplier`` as a float if it is a positive finite number, else raise."""
    try:
        value = float(multiplier)
    except (TypeError, ValueError) as error:
        raise StatisticsInputError(
            f"{name} must be a positive finite number (e.g. 1000 for a rate per 1,000), "
            f"got {multiplier!r}"
        ) from error
    if not (np.isfinite(value) and value > 0.0):
        raise StatisticsInputError(
            f"{name} must be a positive finite number (e.g. 1000 for a rate per 1,000), "
            f"got {multiplier!r}"
        )
    return value


def critical_value(confidence: float) -> float:
    """Two-sided standard normal critical value ``z = Φ⁻¹(1 − α/2)`` for a fractional level."""
    return float(special.ndtri(0.5 + confidence / 2.0))


class InputArrays:
    """Array-likes coerced to float arrays, broadcast to one length, with an output index.

    The index of the first :class:`pandas.Series` argument (of the broadcast length) becomes the
    index of the result, so results join back onto the caller's table; otherwise a
    ``RangeIndex``. Error messages name the argument, the row position and the index label.
    """

    def __init__(self, **values: Any) -> None:
        self.names = list(values)
        arrays: list[FloatArray] = []
        index: pd.Index | None = None
        for name, raw in values.items():
            try:
                array = np.asarray(raw, dtype=np.float64)
            except (TypeError, ValueError) as error:
                raise StatisticsInputError(
                    f"{name} must be numeric; could not convert {type(raw).__name__} to numbers"
                ) from error
            if array.ndim > 1:
                raise StatisticsInputError(
                    f"{name} must be a scalar or one-dimensional, got shape {array.shape}"
                )
            arrays.append(array.reshape(-1) if array.ndim == 1 else array)
            if index is None and isinstance(raw, pd.Series):
                index = raw.index
        try:
            broadcast = np.broadcast_arrays(*arrays)
        except ValueError as error:
            lengths = ", ".join(
                f"{name}={array.size}" for name, array in zip(self.names, arrays, strict=True)
            )
            raise StatisticsInputError(
                f"inputs must have the same length or be scalars; got lengths {lengths}"
            ) from error
        self.arrays: dict[str, FloatArray] = {
            name: np.atleast_1d(np.array(array, dtype=np.float64))
            for name, array in zip(self.names, broadcast, strict=True)
        }
        length = next(iter(self.arrays.values())).size if self.arrays else 0
        self.length = length
        if index is None or len(index) != length:
            index = pd.RangeIndex(length)
        self.index: pd.Index = index

    def __getitem__(self, name: str) -> FloatArray:
        return self.arrays[name]

    def row_label(self, position: int) -> str:
        """Describe a row for an error message: its position and, if informative, its label."""
        label: Hashable = self.index[position]
        if isinstance(self.index, pd.RangeIndex) and label == position:
            return f"row {position}"
        return f"row {position} (index {label!r})"

    def fail(self, name: str, mask: BoolArray, problem: str) -> None:
        """Raise for the first row where ``mask`` is true, if any."""
        if mask.any():
            position = int(np.flatnonzero(mask)[0])
            count = int(mask.sum())
            value = float(self.arrays[name][position])
            more = f" ({count} rows in all)" if count > 1 else ""
            raise StatisticsInputError(
                f"{name} {problem}: {value!r} at {self.row_label(position)}{more}"
            )

    def require_finite(self, *names: str) -> None:
        """Every value is a finite number (no NaN, no infinity)."""
        for name in names:
            self.fail(name, ~np.isfinite(self.arrays[name]), "must be a finite number")

    def require_non_negative(self, *names: str) -> None:
        """Every value is finite and ≥ 0."""
        for name in names:
            self.require_finite(name)
            self.fail(name, self.arrays[name] < 0, "must not be negative")

    def require_positive(self, *names: str) -> None:
        """Every value is finite and > 0."""
        for name in names:
            self.require_finite(name)
            self.fail(name, self.arrays[name] <= 0, "must be greater than zero")

    def require_not_greater(self, name: str, limit_name: str) -> None:
        """``arrays[name] <= arrays[limit_name]`` row by row."""
        self.fail(
            name,
            self.arrays[name] > self.arrays[limit_name],
            f"must not exceed {limit_name}",
        )


def label_array(labels: object, length: int) -> npt.NDArray[np.object_]:
    """An object array of ``length`` holding ``labels`` (one enum member, or one per row).

    ``numpy.full`` and ``numpy.asarray`` turn :class:`enum.StrEnum` members into plain strings;
    slice assignment into an empty object array keeps the members themselves.
    """
    array = np.empty(length, dtype=object)
    array[:] = labels
    return array


def set_label_column(frame: pd.DataFrame, column: str, labels: object) -> None:
    """Put enum members into ``frame[column]`` as an object column, so pandas keeps them.

    pandas 3 stores a list of :class:`enum.StrEnum` members as its ``str`` dtype (plain
    strings) unless the column is given ``dtype=object``. An existing column keeps its position.
    """
    frame[column] = pd.Series(label_array(labels, len(frame)), index=frame.index, dtype=object)
