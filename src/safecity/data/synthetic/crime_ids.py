"""Police.uk Crime IDs: 64 lowercase hexadecimal characters (a SHA-256-sized identifier)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa

_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
CRIME_ID_LENGTH = 64


def random_crime_ids(*, count: int, rng: np.random.Generator) -> npt.NDArray[np.uint8]:
    """``count`` random Crime IDs as a ``(count, 64)`` array of ASCII hex digit bytes."""
    raw = rng.integers(0, 256, size=(count, CRIME_ID_LENGTH // 2), dtype=np.uint8)
    text = np.empty((count, CRIME_ID_LENGTH), dtype=np.uint8)
    text[:, 0::2] = _HEX_DIGITS[raw >> 4]
    text[:, 1::2] = _HEX_DIGITS[raw & 15]
    return text


def crime_ids_to_arrow(ids: npt.NDArray[np.uint8]) -> pa.Array:
    """The ``(count, 64)`` byte array as an Arrow string array (no copy per value)."""
    count = ids.shape[0]
    offsets = np.arange(0, (count + 1) * CRIME_ID_LENGTH, CRIME_ID_LENGTH, dtype=np.int32)
    data = np.ascontiguousarray(ids).reshape(-1)
    return pa.StringArray.from_buffers(count, pa.py_buffer(offsets), pa.py_buffer(data))
