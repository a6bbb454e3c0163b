"""Streaming readers for uploaded files: every column comes out as Arrow strings (the quality
engine casts them to the table's types).

``open_source(path)`` picks the reader from the suffix (or ``fmt``): CSV/TSV in UTF-8 (BOM or
not), GBK or GB18030 (detected, see :mod:`mudan.lake.encoding`), XLSX (:mod:`mudan.lake.xlsx`),
JSON arrays and NDJSON, Parquet. Empty cells are nulls. Bad input raises clear codes:
``lake.empty_file``, ``lake.bad_csv``, ``lake.bad_encoding``, ``lake.bad_json``,
``lake.bad_parquet``, ``lake.unknown_format``.

CSV values may not contain line breaks (that keeps parsing parallel); a quoted field left open
at the end of a truncated file is detected and refused.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from mudan.core.errors import InvalidInput
from mudan.lake.encoding import sniff_file
from mudan.lake.pipeline import prefetch
from mudan.lake.schema import TableSpec

FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".json": "json",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
    ".parquet": "parquet",
}
CSV_BLOCK_BYTES = 8 << 20
_DELIMITERS = (",", "\t", ";", "|")


class SourceReader:
    """One source file: ``columns`` (source headers), ``encoding`` (for text formats), and
    iteration over RecordBatches of strings named by those headers. Iterable more than once."""

    def __init__(
        self,
        *,
        path: Path,
        fmt: str,
        columns: list[str],
        encoding: str | None,
        batches: Callable[[], Iterator[pa.RecordBatch]],
    ) -> None:
        self.path = path
        self.fmt = fmt
        self.columns = columns
        self.encoding = encoding
        self._batches = batches

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        return self._batches()


def _check_names(names: list[str], path: Path) -> list[str]:
    names = [n.strip() for n in names]
    if not names or not any(names):
        raise InvalidInput("lake.empty_file", path=path.name)
    if "" in names or len(set(names)) != len(names):
        raise InvalidInput("lake.bad_header", path=path.name, columns=", ".join(names)[:200])
    return names


def _slices(batch: pa.RecordBatch, rows: int) -> Iterator[pa.RecordBatch]:
    """Cut to about ``rows``; a short tail (under a quarter) rides with the slice before it,
    so a CSV block a little larger than ``rows`` is not followed by a tiny batch."""
    n = batch.num_rows
    start = 0
    while start < n:
        size = n - start if n - start < rows + rows // 4 else rows
        yield batch.slice(start, size)
        start += size


# --- CSV --------------------------------------------------------------------------------------

_LINE_END = re.compile(r"[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")  # str.splitlines' breaks


def _first_line(text: str) -> str:
    """``text.splitlines()[0]`` ("" for blank text) without splitting a 1 MB sample."""
    if not text.strip():
        return ""
    end = _LINE_END.search(text)
    return text if end is None else text[: end.start()]


def _csv(path: Path, batch_rows: int) -> SourceReader:
    sample, enc = sniff_file(path)
    text = codecs.getincrementaldecoder(enc)().decode(sample).lstrip("\ufeff")
    first = _first_line(text)
    delimiter = max(_DELIMITERS, key=first.count)
    names = _check_names(next(csv.reader(io.StringIO(first), delimiter=delimiter)), path)
    arrow_enc = "utf8" if enc == "utf-8" else enc

    def batches() -> Iterator[pa.RecordBatch]:
        # blocks are parsed on a background thread while the caller checks the previous ones
        return prefetch(parse(), depth=2)

    def parse() -> Iterator[pa.RecordBatch]:
        rows = 0
        last: pa.RecordBatch | None = None
        try:
            reader = pacsv.open_csv(
                path,
                read_options=pacsv.ReadOptions(
                    encoding=arrow_enc, block_size=CSV_BLOCK_BYTES, column_names=names, skip_rows=1
                ),
                parse_options=pacsv.ParseOptions(delimiter=delimiter),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()),
                    null_values=[""],
                    strings_can_be_null=True,
                ),
            )
            for batch in reader:
                for part in _slices(batch, batch_rows):
                    rows += part.num_rows
                    last = part
                    yield part
        except UnicodeDecodeError as e:
            raise InvalidInput("lake.bad_encoding", path=path.name, reason=str(e)) from e
        except pa.ArrowInvalid as e:
            if "UTF8" in str(e):
                raise InvalidInput("lake.bad_encoding", path=path.name, reason=str(e)) from e
            raise InvalidInput(
                "lake.bad_csv", path=path.name, line=rows + 2, reason=str(e)[:300]
            ) from e
        if last is not None and last.num_rows:
            tail = [last.column(i)[last.num_rows - 1].as_py() for i in range(last.num_columns)]
            if any(isinstance(v, str) and ("\n" in v or "\r" in v) for v in tail):
                raise InvalidInput(
                    "lake.bad_csv", path=path.name, line=rows + 1, reason="unterminated quote"
                )

    return SourceReader(path=path, fmt="csv", columns=names, encoding=enc, batches=batches)


# --- JSON / NDJSON ----------------------------------------------------------------------------


def _cell(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)


def _records_batches(
    records: Iterator[tuple[int, Any]], columns: list[str], path: Path, batch_rows: int
) -> Iterator[pa.RecordBatch]:
    known = set(columns)
    buf: dict[str, list[str | None]] = {c: [] for c in columns}
    n = 0
    for line, rec in records:
        if not isinstance(rec, dict):
            raise InvalidInput("lake.bad_json", path=path.name, line=line, reason="not an object")
        unknown = rec.keys() - known
        if unknown:
            reason = f"unexpected keys {sorted(unknown)[:5]}"
            raise InvalidInput("lake.bad_json", path=path.name, line=line, reason=reason)
        for c in columns:
            buf[c].append(_cell(rec.get(c)))
        n += 1
        if n == batch_rows:
            yield pa.record_batch({c: pa.array(v, pa.string()) for c, v in buf.items()})
            buf, n = {c: [] for c in columns}, 0
    if n:
        yield pa.record_batch({c: pa.array(v, pa.string()) for c, v in buf.items()})


def _parse_line(line: str, i: int, path: Path) -> Any:
    try:
        return json.loads(line)
    except json.JSONDecodeError as e:
        raise InvalidInput("lake.bad_json", path=path.name, line=i, reason=e.msg) from e


def _ndjson_records(path: Path, enc: str) -> Iterator[tuple[int, Any]]:
    try:
        with path.open(encoding=enc, errors="strict") as f:
            for i, line in enumerate(f, start=1):
                if line.strip():
                    yield i, _parse_line(line.lstrip("\ufeff"), i, path)
    except UnicodeDecodeError as e:
        raise InvalidInput("lake.bad_encoding", path=path.name, reason=str(e)) from e


def _array_records(path: Path, enc: str) -> Iterator[tuple[int, Any]]:
    """A JSON array is parsed whole (its size bounds memory); prefer NDJSON for big files."""
    try:
        data = json.loads(path.read_text(encoding=enc).lstrip("\ufeff"))
    except UnicodeDecodeError as e:
        raise InvalidInput("lake.bad_encoding", path=path.name, reason=str(e)) from e
    except json.JSONDecodeError as e:
        raise InvalidInput("lake.bad_json", path=path.name, line=e.lineno, reason=e.msg) from e
    if not isinstance(data, list):
        raise InvalidInput("lake.bad_json", path=path.name, line=1, reason="not an array")
    yield from enumerate(data, start=1)


def _json(path: Path, fmt: str, batch_rows: int) -> SourceReader:
    sample, enc = sniff_file(path)
    if fmt == "json" and sample.lstrip(codecs.BOM_UTF8).lstrip()[:1] != b"[":
        fmt = "ndjson"
    source = _array_records if fmt == "json" else _ndjson_records
    columns: list[str] = []
    for i, (_, rec) in enumerate(source(path, enc)):
        if i >= batch_rows:
            break
        if isinstance(rec, dict):
            columns.extend(k for k in rec if k not in columns)
    columns = _check_names(columns, path)

    def batches() -> Iterator[pa.RecordBatch]:
        return _records_batches(source(path, enc), columns, path, batch_rows)

    return SourceReader(path=path, fmt=fmt, columns=columns, encoding=enc, batches=batches)


# --- Parquet ----------------------------------------------------------------------------------


def _parquet(path: Path, batch_rows: int) -> SourceReader:
    try:
        columns = pq.ParquetFile(path).schema_arrow.names
    except (pa.ArrowInvalid, OSError) as e:
        raise InvalidInput("lake.bad_parquet", path=path.name, reason=str(e)[:300]) from e

    def batches() -> Iterator[pa.RecordBatch]:
        with pq.ParquetFile(path) as f:
            for batch in f.iter_batches(batch_size=batch_rows):
                arrays = [pc.cast(col, pa.string()) for col in batch.columns]
                yield pa.RecordBatch.from_arrays(arrays, names=columns)

    return SourceReader(path=path, fmt="parquet", columns=columns, encoding=None, batches=batches)


def open_source(
    path: Path, *, fmt: str | None = None, batch_rows: int = 65536, spec: TableSpec | None = None
) -> SourceReader:
    """Open an uploaded file. ``spec`` (optional) helps find the header row of a spreadsheet."""
    fmt = fmt or FORMATS.get(path.suffix.lower())
    if fmt not in set(FORMATS.values()):
        raise InvalidInput("lake.unknown_format", path=path.name)
    if not path.exists() or path.stat().st_size == 0:
        raise InvalidInput("lake.empty_file", path=path.name)
    if fmt == "csv":
        return _csv(path, batch_rows)
    if fmt in ("json", "ndjson"):
        return _json(path, fmt, batch_rows)
    if fmt == "parquet":
        return _parquet(path, batch_rows)
    from mudan.lake.xlsx import open_xlsx

    return open_xlsx(path, batch_rows=batch_rows, spec=spec)
