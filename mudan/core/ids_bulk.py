"""Vectorised bulk checks of citizen IDs and USCCs over Arrow string arrays.

The strings are never touched one by one in Python: the Arrow offsets and data buffers are read
as numpy arrays, every 18-byte value is gathered into an ``(m, 18)`` uint8 matrix, and the rules
of :mod:`mudan.core.ids` run as column operations (weighted checksums, table look-ups, calendar
arithmetic). Verdicts — valid or not, and the first failing code — are identical to the scalar
checkers for every input; ``None`` elements get the ``*.empty`` code, like ``""``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from mudan.core.arrow_bytes import fixed_width
from mudan.core.ids import (
    CITIZEN_ID_WEIGHTS,
    PROVINCE_CODES,
    USCC_ALPHABET,
    USCC_NATIONAL_REGION,
    USCC_ORG_TYPES,
    USCC_WEIGHTS,
)

__all__ = ["ID_CODES", "USCC_CODES", "BulkInput", "BulkResult", "check_citizen_ids", "check_usccs"]

#: Error numbers of :attr:`BulkResult.error`, index → stable code of the scalar checker.
ID_CODES: tuple[str | None, ...] = (
    None,
    "id.empty",
    "id.format",
    "id.checksum",
    "id.region",
    "id.birthdate",
)
USCC_CODES: tuple[str | None, ...] = (
    None,
    "uscc.empty",
    "uscc.format",
    "uscc.checksum",
    "uscc.dept",
    "uscc.org_type",
    "uscc.region",
)
_EMPTY, _FORMAT = 1, 2

BulkInput: TypeAlias = "pa.Array | pa.ChunkedArray | Sequence[str | None]"
U8 = npt.NDArray[np.uint8]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class BulkResult:
    """Per-element verdicts: ``error[i]`` indexes ``code_names`` (0 = valid)."""

    valid: Bools
    error: U8
    code_names: tuple[str | None, ...]

    def __len__(self) -> int:
        return len(self.error)

    @property
    def codes(self) -> list[str | None]:
        """The stable failure code of every element (``None`` where valid)."""
        names = np.array(self.code_names, dtype=object)
        return list(names[self.error])

    def counts(self) -> dict[str, int]:
        """Number of elements per failure code (only codes that occur), plus ``"valid"``."""
        per = np.bincount(self.error, minlength=len(self.code_names))
        out = {"valid": int(per[0])}
        out.update({str(self.code_names[i]): int(c) for i, c in enumerate(per) if i and c})
        return out


# --- Arrow → fixed-width byte matrix: see :mod:`mudan.core.arrow_bytes` ---------------------


def _chunks(values: BulkInput) -> list[pa.Array]:
    if isinstance(values, pa.ChunkedArray):
        return list(values.chunks)
    if isinstance(values, pa.Array):
        return [values]
    return [pa.array(list(values), type=pa.large_string())]


def _run(values: BulkInput, width: int, names: tuple[str | None, ...], rules: _Rules) -> BulkResult:
    errors: list[U8] = []
    for chunk in _chunks(values):
        empty, cand, mat = fixed_width(chunk, width)
        err = np.full(len(chunk), _FORMAT, dtype=np.uint8)
        err[empty] = _EMPTY
        err[cand] = rules(mat)
        errors.append(err)
    error = np.concatenate(errors) if errors else np.empty(0, dtype=np.uint8)
    return BulkResult(error == 0, error, names)


class _Rules:
    """Rules over a block of values given *transposed*: ``t[j]`` is byte ``j`` of every value."""

    def block(self, t: U8) -> U8:
        raise NotImplementedError

    def __call__(self, mat: U8) -> U8:
        out = np.empty(len(mat), dtype=np.uint8)
        for lo in range(0, len(mat), _BLOCK):  # cache-sized blocks of contiguous byte rows
            out[lo : lo + _BLOCK] = self.block(np.ascontiguousarray(mat[lo : lo + _BLOCK].T))
        return out


_BLOCK = 1 << 15


def _first_failure(*failures: Bools) -> U8:
    """Per value, 2 + index of the first failing rule (format = 2 …), 0 if none fails."""
    codes = np.zeros(len(failures[0]), dtype=np.uint8)
    for i in range(len(failures) - 1, -1, -1):  # earliest rule written last wins
        codes[failures[i]] = _FORMAT + i
    return codes


def _weighted_sum(rows: U8, weights: Sequence[int]) -> npt.NDArray[np.uint16]:
    total = np.zeros(rows.shape[1], dtype=np.uint16)
    for row, w in zip(rows, weights, strict=True):
        total += row * np.uint16(w)
    return total


# Arithmetic below may wrap around on rows that already fail the format rule: those rows get the
# format code regardless, and wrapped uint8 values stay valid indexes of the 256-entry tables.
_TEN = np.uint8(10)

# --- citizen IDs ------------------------------------------------------------------------------

_PROVINCE_TABLE = np.zeros(256, dtype=np.bool_)  # two digits as a (wrapping) uint8 number
_PROVINCE_TABLE[[int(p) for p in PROVINCE_CODES]] = True
_DAYS_IN_MONTH = np.zeros(256, dtype=np.uint8)
_DAYS_IN_MONTH[1:13] = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class _CitizenIdRules(_Rules):
    def __init__(self, today: date) -> None:
        self.today = today.year * 10000 + today.month * 100 + today.day

    def block(self, t: U8) -> U8:
        d = t - np.uint8(48)  # non-digits wrap to > 9
        is_x = (t[17] == ord("X")) | (t[17] == ord("x"))
        bad_format = ~((d[:17] <= 9).all(axis=0) & ((d[17] <= 9) | is_x))

        expected = (12 - _weighted_sum(d[:17], CITIZEN_ID_WEIGHTS) % 11) % 11
        bad_checksum = expected != np.where(is_x, _TEN, d[17])

        bad_region = ~_PROVINCE_TABLE[d[0] * _TEN + d[1]] | ((d[2] | d[3] | d[4] | d[5]) == 0)

        year = d[6].astype(np.int32) * 1000 + d[7].astype(np.int32) * 100 + d[8] * _TEN + d[9]
        month, day = d[10] * _TEN + d[11], d[12] * _TEN + d[13]
        leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
        days = _DAYS_IN_MONTH[month] + (leap & (month == 2))
        ok_date = (year >= 1900) & (day >= 1) & (day <= days)
        ok_date &= year * 10000 + month.astype(np.int32) * 100 + day <= self.today
        return _first_failure(bad_format, bad_checksum, bad_region, ~ok_date)


def check_citizen_ids(values: BulkInput, *, today: date | None = None) -> BulkResult:
    """Check many citizen IDs at once; same verdicts as :func:`mudan.core.ids.check_citizen_id`."""
    return _run(values, 18, ID_CODES, _CitizenIdRules(today or date.today()))


# --- USCCs ------------------------------------------------------------------------------------

_USCC_VALUE = np.full(256, 255, dtype=np.uint8)
_USCC_VALUE[[ord(c) for c in USCC_ALPHABET]] = np.arange(len(USCC_ALPHABET), dtype=np.uint8)
_DEPT_TABLE = np.zeros(256, dtype=np.bool_)
_DEPT_TABLE[[ord(c) for c in USCC_ORG_TYPES]] = True
_ORG_TABLE = np.zeros((256, 256), dtype=np.bool_)
for _dept, _types in USCC_ORG_TYPES.items():
    _ORG_TABLE[ord(_dept), [ord(t) for t in _types]] = True
_NATIONAL = np.frombuffer(USCC_NATIONAL_REGION.encode(), dtype=np.uint8)


class _UsccRules(_Rules):
    def block(self, t: U8) -> U8:
        vals = _USCC_VALUE[t]
        region = t[2:8] - np.uint8(48)
        bad_format = ~((vals != 255).all(axis=0) & (region <= 9).all(axis=0))

        bad_checksum = (31 - _weighted_sum(vals[:17], USCC_WEIGHTS) % 31) % 31 != vals[17]
        bad_dept = ~_DEPT_TABLE[t[0]]
        bad_org = ~_ORG_TABLE[t[0], t[1]]
        national = (t[2:8] == _NATIONAL[:, None]).all(axis=0)
        bad_region = ~(_PROVINCE_TABLE[region[0] * _TEN + region[1]] | national)
        return _first_failure(bad_format, bad_checksum, bad_dept, bad_org, bad_region)


def check_usccs(values: BulkInput) -> BulkResult:
    """Check many USCCs at once; same verdicts as :func:`mudan.core.ids.check_uscc`."""
    return _run(values, 18, USCC_CODES, _UsccRules())
