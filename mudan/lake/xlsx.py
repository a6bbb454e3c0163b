"""XLSX sources via python-calamine: first sheet, header row detected below merged title rows.

Department spreadsheets often start with a merged title (``菏泽市某某局人口信息表``) and a date
line above the real header. The header is the first row whose cells match the most column names
or Chinese labels of the table spec; without a spec (or no match), the first row with at least
half of the widest row's cells filled. Values come out as strings: whole numbers without
``.0``, dates in ISO form.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
from python_calamine import CalamineWorkbook

from mudan.core.errors import InvalidInput
from mudan.lake.headers import header_candidates, norm_header
from mudan.lake.readers import SourceReader
from mudan.lake.schema import TableSpec

HEADER_SCAN_ROWS = 30


def cell_text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def find_header(rows: Sequence[Sequence[str | None]], spec: TableSpec | None) -> int:
    """Index of the header row among the first rows of a sheet."""
    filled = [sum(1 for c in r if c) for r in rows]
    if spec is not None:
        expected = header_candidates(spec)
        scores = [sum(1 for c in r if c and norm_header(c) in expected) for r in rows]
        if scores and max(scores) > 0:
            return scores.index(max(scores))
    widest = max(filled, default=0)
    if not widest:
        raise InvalidInput("lake.empty_file", path="")
    return filled.index(widest)


def open_xlsx(path: Path, *, batch_rows: int, spec: TableSpec | None) -> SourceReader:
    def rows() -> Iterator[list[str | None]]:
        try:
            book = CalamineWorkbook.from_path(str(path))
            try:
                sheet = book.get_sheet_by_index(0)
                for raw in sheet.iter_rows():
                    yield [cell_text(v) for v in raw]
            finally:
                book.close()
        except InvalidInput:
            raise
        except Exception as e:  # calamine raises its own zip/xml/format errors
            raise InvalidInput("lake.bad_xlsx", path=path.name, reason=str(e)[:300]) from e

    head: list[list[str | None]] = []
    for r in rows():
        head.append(r)
        if len(head) >= HEADER_SCAN_ROWS:
            break
    if not any(any(r) for r in head):
        raise InvalidInput("lake.empty_file", path=path.name)
    at = find_header(head, spec)
    header = list(head[at])
    while header and not header[-1]:
        header.pop()
    names = [(h or "").strip() for h in header]
    if "" in names or len(set(names)) != len(names):
        raise InvalidInput("lake.bad_header", path=path.name, columns=", ".join(names)[:200])

    def batches() -> Iterator[pa.RecordBatch]:
        buf: list[list[str | None]] = [[] for _ in names]
        n = 0
        for i, r in enumerate(rows()):
            if i <= at or not any(r):
                continue
            if any(r[len(names) :]):
                raise InvalidInput(
                    "lake.bad_xlsx", path=path.name, reason=f"row {i + 1}: value outside header"
                )
            for j in range(len(names)):
                buf[j].append(r[j] if j < len(r) else None)
            n += 1
            if n == batch_rows:
                yield pa.record_batch([pa.array(c, pa.string()) for c in buf], names=names)
                buf, n = [[] for _ in names], 0
        if n:
            yield pa.record_batch([pa.array(c, pa.string()) for c in buf], names=names)

    return SourceReader(path=path, fmt="xlsx", columns=names, encoding=None, batches=batches)
