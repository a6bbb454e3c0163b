"""Fixed-width views of Arrow string arrays as numpy byte matrices.

Vectorised checkers (citizen IDs, USCCs, canonical dates) look at values of one known byte
length as an ``(m, width)`` uint8 matrix instead of touching strings one by one in Python.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa

U8 = npt.NDArray[np.uint8]
Bools = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int32] | npt.NDArray[np.int64]

_NARROW = (pa.string(), pa.binary())  # int32 offsets
_WIDE = (pa.large_string(), pa.large_binary())  # int64 offsets


def _offsets(arr: pa.Array, buf: pa.Buffer) -> Ints:
    n, start = len(arr) + 1, arr.offset
    if arr.type in _NARROW:
        return np.frombuffer(buf, dtype=np.int32, count=n, offset=start * 4)
    return np.frombuffer(buf, dtype=np.int64, count=n, offset=start * 8)


def _contiguous(arr: pa.Array, width: int) -> U8:
    """The bytes of an array whose every value is ``width`` bytes long, zero-copy."""
    _, off_buf, data_buf = arr.buffers()
    if data_buf is None or not len(arr):
        return np.empty((0, width), dtype=np.uint8)
    start = int(_offsets(arr, off_buf)[0])
    data: U8 = np.frombuffer(data_buf, dtype=np.uint8)
    return data[start : start + len(arr) * width].reshape(len(arr), width)


def fixed_width(arr: pa.Array, width: int) -> tuple[Bools, Bools, U8]:
    """``(empty, candidate, matrix)``: null-or-"" mask, byte-length == width mask, and the
    candidates' bytes as an ``(m, width)`` uint8 matrix (row order of the candidates)."""
    if arr.type not in _NARROW + _WIDE:
        arr = arr.cast(pa.large_string())
    n = len(arr)
    _, off_buf, _ = arr.buffers()
    lengths = np.diff(_offsets(arr, off_buf))
    nulls: Bools
    if arr.null_count:
        nulls = arr.is_null().to_numpy(zero_copy_only=False)
    else:
        nulls = np.zeros(n, dtype=np.bool_)
    empty = nulls | (lengths == 0)
    cand = ~nulls & (lengths == width)
    if cand.all():  # contiguous fast path: zero-copy reshape
        return empty, cand, _contiguous(arr, width)
    if not cand.any():
        return empty, cand, np.empty((0, width), dtype=np.uint8)
    # Arrow's filter packs the candidates' bytes back to back (a memcpy per value), which is
    # several times faster than a numpy gather of byte windows
    return empty, cand, _contiguous(arr.filter(pa.array(cand)), width)
