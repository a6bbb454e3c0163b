"""Vectorised casting of source strings to a column's ItemType.

A value that cannot be cast is reported in the ``bad`` mask (a ``type`` violation), never
silently nulled; the empty string is null. Dates accept ``YYYY-MM-DD``, ``YYYY/MM/DD`` and
``YYYYMMDD``; timestamps the same dates followed by `` HH:MM[:SS[.ffffff]]`` (or ``T``),
``YYYYMMDDHHMMSS``, or a bare date (midnight). Calendar validity (2024-02-30) is checked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from mudan.core.arrow_bytes import fixed_width
from mudan.lake.schema import ARROW_TYPES, ColumnSpec, ItemType

Bools = npt.NDArray[np.bool_]

_INT_RE = r"^[+-]?\d{1,18}$"
_FLOAT_RE = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,3})?$"
_DECIMAL_RE = r"^[+-]?(\d{1,14}(\.\d{0,4})?|\.\d{1,4})$"
_DATE_RE = r"^(\d{4}-\d{2}-\d{2}|\d{4}/\d{2}/\d{2}|\d{8})$"
_TIME_RE = r"([ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?$"
_TS_RE = r"^(\d{4}-\d{2}-\d{2}|\d{4}/\d{2}/\d{2})" + _TIME_RE + r"|^\d{8}(\d{6})?$"
_PARTS_RE = (
    r"^(?P<y>\d{4})(?P<mo>\d{2})(?P<d>\d{2})(?P<h>\d{2})?(?P<mi>\d{2})?(?P<s>\d{2})?"
    r"(?:\.(?P<f>\d{1,6}))?$"
)
TRUE_WORDS = ("是", "true", "t", "yes", "y", "1", "真")
FALSE_WORDS = ("否", "false", "f", "no", "n", "0", "假")
_DIM = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


@dataclass(frozen=True)
class CastResult:
    values: pa.Array  # typed; null where empty or bad
    bad: Bools  # non-empty value that does not conform to the type


def normalise(raw: pa.Array) -> pa.Array:
    """Source strings with the empty string as null."""
    if not pa.types.is_string(raw.type):
        raw = raw.cast(pa.string())
    return pc.if_else(pc.equal(raw, ""), pa.scalar(None, pa.string()), raw)


def _mask(arr: pa.Array) -> Bools:
    return np.asarray(arr.fill_null(False).to_numpy(zero_copy_only=False), dtype=np.bool_)


def cast_column(raw: pa.Array, column: ColumnSpec) -> CastResult:
    """Cast one string column (already :func:`normalise`-d) to ``column.type``."""
    typ = column.type
    if typ == ItemType.STRING:
        return CastResult(raw, np.zeros(len(raw), dtype=np.bool_))
    text = pc.utf8_trim_whitespace(raw)
    present = _mask(pc.is_valid(text))
    if typ == ItemType.BOOLEAN:
        low = pc.utf8_lower(text)
        is_true, is_false = (
            pc.is_in(low, pa.array(TRUE_WORDS)),
            pc.is_in(low, pa.array(FALSE_WORDS)),
        )
        ok = _mask(pc.or_(is_true, is_false))
        values = pc.if_else(pa.array(ok), is_true, pa.scalar(None, pa.bool_()))
        return CastResult(values, present & ~ok)
    if typ in (ItemType.DATE, ItemType.TIMESTAMP):
        return _cast_temporal(text, present, typ)
    pattern = {ItemType.INTEGER: _INT_RE, ItemType.FLOAT: _FLOAT_RE, ItemType.DECIMAL: _DECIMAL_RE}
    ok = _mask(pc.match_substring_regex(text, pattern[typ]))
    bad = present & ~ok
    kept = pc.if_else(pa.array(ok), text, pa.scalar(None, pa.string())) if bad.any() else text
    values = pc.cast(kept, ARROW_TYPES[typ], safe=False)
    return CastResult(values, bad)


def _ints(arr: pa.Array) -> npt.NDArray[np.int64]:
    arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
    return np.asarray(pc.cast(arr, pa.int64()).fill_null(0).to_numpy(), dtype=np.int64)


def _date_parts(kept: pa.Array) -> tuple[npt.NDArray[np.int64], ...]:
    """Year, month, day of shape-checked dates by fixed slices (no regex per part)."""
    compact = pc.equal(pc.utf8_length(kept), 8)

    def part(lo: int, hi: int, lo8: int, hi8: int) -> npt.NDArray[np.int64]:
        wide = pc.utf8_slice_codeunits(kept, lo, hi)
        narrow = pc.utf8_slice_codeunits(kept, lo8, hi8)
        return _ints(pc.if_else(compact, narrow, wide))

    zero = np.zeros(len(kept), dtype=np.int64)
    return part(0, 4, 0, 4), part(5, 7, 4, 6), part(8, 10, 6, 8), zero, zero, zero, zero


def _timestamp_parts(kept: pa.Array) -> tuple[npt.NDArray[np.int64], ...]:
    digits = pc.replace_substring_regex(kept, r"[-/ T:]", "")
    parts = pc.extract_regex(digits, _PARTS_RE)
    frac = pc.struct_field(parts, "f")
    frac = pc.utf8_rpad(pc.if_else(pc.is_null(frac), "", frac), width=6, padding="0")
    names = ("y", "mo", "d", "h", "mi", "s")
    return (*(_ints(pc.struct_field(parts, k)) for k in names), _ints(frac))


_YEAR_ONE_S = -62_135_596_800  # 0001-01-01T00:00:00 in seconds since the epoch


def _cast_temporal(text: pa.Array, present: Bools, typ: ItemType) -> CastResult:
    """Fast path for the canonical layout, the general parser below for the rest. Dates in
    ``YYYY-MM-DD`` are decided from their bytes (:func:`_canonical_dates`); timestamps go
    through Arrow's strptime, kept only where rendering the result back gives the same text:
    that rejects 2023-02-29, which strptime rolls over, and unpadded 2024-3-5."""
    out: npt.NDArray[np.int32] | npt.NDArray[np.int64]
    if typ == ItemType.DATE:
        decided, ok, out = _canonical_dates(text)
    else:
        parsed = pc.strptime(text, format="%Y-%m-%d %H:%M:%S", unit="s", error_is_null=True)
        seconds = np.asarray(
            parsed.cast(pa.int64()).fill_null(_YEAR_ONE_S - 1).to_numpy(), dtype=np.int64
        )
        # Arrow's own ISO rendering (cast to string) is the canonical text, and much faster
        # than strftime
        ok = _mask(pc.equal(parsed.cast(pa.string()), text)) & (seconds >= _YEAR_ONE_S)
        decided, out = ok.copy(), seconds * 1_000_000
    rest = present & ~decided
    if rest.any():
        idx = np.flatnonzero(rest)
        slow = _cast_temporal_general(text.take(pa.array(idx)), typ)
        slow_ok = _mask(pc.is_valid(slow))
        as_int = pa.int32() if typ == ItemType.DATE else pa.int64()
        out[idx] = np.asarray(slow.cast(as_int).fill_null(0).to_numpy(), dtype=out.dtype)
        ok[idx] = slow_ok
    if typ == ItemType.DATE:
        values = pa.array(out.astype(np.int32, copy=False), type=pa.date32(), mask=~ok)
    else:
        values = pa.array(out, type=pa.timestamp("us"), mask=~ok)
    return CastResult(values, present & ~ok)


_DASH = np.uint8((ord("-") - ord("0")) % 256)  # after subtracting "0" from every byte


def _month_tables() -> tuple[npt.NDArray[np.int32], npt.NDArray[np.uint8]]:
    """Indexed by ``year * 13 + month`` (years 0-9999): the day number of the month's first
    day (from 1970-01-01) and its length; length 0 for year 0 and month 0 (not dates)."""
    y, mo = np.divmod(np.arange(10_000 * 13, dtype=np.int64), 13)
    real = (y >= 1) & (mo >= 1)
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    length = np.where(real, _DIM[mo] + (leap & (mo == 2)), 0).astype(np.uint8)
    first = days_from_civil(np.where(real, y, 1970), np.where(real, mo, 1), np.ones_like(y))
    return first.astype(np.int32), length


def _canonical_dates(text: pa.Array) -> tuple[Bools, Bools, npt.NDArray[np.int32]]:
    """``(decided, ok, days)`` from the bytes of ``YYYY-MM-DD`` values: ``decided`` where a
    value has that shape (then ``ok`` says whether it is a real date, and ``days`` counts
    from 1970-01-01); other values are left to the general parser."""
    n = len(text)
    decided = np.zeros(n, dtype=np.bool_)
    ok = np.zeros(n, dtype=np.bool_)
    days = np.zeros(n, dtype=np.int32)
    _, cand, mat = fixed_width(text, 10)
    if not len(mat):
        return decided, ok, days
    t = np.ascontiguousarray(mat.T) - np.uint8(48)  # t[j]: byte j of every value; non-digits > 9
    shaped = (t[4] == _DASH) & (t[7] == _DASH)
    for j in (0, 1, 2, 3, 5, 6, 8, 9):
        shaped &= t[j] <= 9
    y = ((t[0] * np.uint16(10) + t[1]) * np.uint16(10) + t[2]) * np.uint16(10) + t[3]
    mo, d = t[5] * np.uint8(10) + t[6], t[8] * np.uint8(10) + t[9]
    month = np.where(shaped & (mo <= 12), y * np.uint32(13) + mo, 0)
    first, length = _MONTHS
    real = shaped & (d >= 1) & (d <= length[month])
    day = first[month] + d - np.int32(1)
    if len(mat) == n:  # every value has ten bytes
        return shaped, real, day
    idx = np.flatnonzero(cand)
    decided[idx], ok[idx], days[idx] = shaped, real, day
    return decided, ok, days


def _cast_temporal_general(text: pa.Array, typ: ItemType) -> pa.Array:
    """Every accepted layout, checked part by part (null where not a valid date/time)."""
    shaped = _mask(pc.match_substring_regex(text, _DATE_RE if typ == ItemType.DATE else _TS_RE))
    kept = pc.if_else(pa.array(shaped), text, pa.scalar(None, pa.string()))
    if typ == ItemType.DATE:
        y, mo, d, h, mi, s, us = _date_parts(kept)
    else:
        y, mo, d, h, mi, s, us = _timestamp_parts(kept)
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    month_ok = (mo >= 1) & (mo <= 12)
    dim = _DIM[np.where(month_ok, mo, 0)] + (leap & (mo == 2))
    ok = shaped & (y >= 1) & month_ok & (d >= 1) & (d <= dim) & (h < 24) & (mi < 60) & (s < 60)
    days = days_from_civil(np.where(ok, y, 1970), np.where(ok, mo, 1), np.where(ok, d, 1))
    if typ == ItemType.DATE:
        return pa.array(days.astype(np.int32), type=pa.date32(), mask=~ok)
    micros = days * 86_400_000_000 + ((h * 60 + mi) * 60 + s) * 1_000_000 + us
    return pa.array(micros, type=pa.timestamp("us"), mask=~ok)


def days_from_civil(
    y: npt.NDArray[np.int64], m: npt.NDArray[np.int64], d: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm)."""
    y = y - (m <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * np.where(m > 2, m - 3, m + 9) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    out: npt.NDArray[np.int64] = era * 146097 + doe - 719468
    return out


_MONTHS = _month_tables()
