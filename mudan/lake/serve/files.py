"""One-off reads of a lake snapshot's (or a set of) Parquet files: a locked-down in-memory
DuckDB connection with the view ``t`` over those files (and only them readable), closed when
the read is done. Callers hand in SQL over ``t`` with ``?`` parameters."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pyarrow as pa

from mudan.lake.catalog import Lake
from mudan.lake.sql import Connection, empty_table, locked, parquet_scan, quote_ident


class View:
    """SQL over the table ``t`` of a locked connection."""

    def __init__(self, con: Connection) -> None:
        self._con = con

    def rows(self, sql: str, params: Sequence[Any] = ()) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Column names and rows (Python values) of ``sql``."""
        cur = self._con.execute(sql, list(params))
        names = [d[0] for d in cur.description or ()]
        return names, cur.fetchall()

    def arrow(self, sql: str, params: Sequence[Any] = ()) -> pa.Table:
        return self._con.sql(sql, params=list(params) if params else None).to_arrow_table()


@contextmanager
def files_view(
    files: Sequence[str], empty: pa.Schema, columns: Sequence[str] | None = None
) -> Iterator[View]:
    """View ``t`` over ``files`` (an empty table of ``empty`` if none); only ``columns`` of
    the files when given (else all of them, matched by name across files)."""
    select = ", ".join(quote_ident(c) for c in columns) if columns is not None else "*"

    def setup(con: Connection) -> None:
        if files:
            con.execute(f"CREATE VIEW t AS SELECT {select} FROM {parquet_scan(files)}")
        else:
            empty_table(con, "t", empty)

    con = locked(setup, readable=files, threads=2)
    try:
        yield View(con)
    finally:
        con.close()


def read_table(lake: Lake, ident: str, sql: str, params: list[Any]) -> pa.Table:
    """``sql`` over the current snapshot of ``ident`` as Arrow."""
    table = lake.table(ident)
    files = lake.data_files(ident) if table.current_snapshot() else []
    with files_view(files, table.schema().as_arrow()) as view:
        return view.arrow(sql, params)
