"""Read a lake snapshot's (or a set of) Parquet files with DuckDB, locked to those files."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import duckdb
import pyarrow as pa

from mudan.lake.catalog import Lake
from mudan.lake.sql import Connection, empty_table, locked, parquet_scan


@contextmanager
def files_view(files: Sequence[str], empty: pa.Schema) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection with view ``t`` over ``files`` (an empty table of ``empty`` if none)."""

    def setup(con: Connection) -> None:
        if files:
            con.execute(f"CREATE VIEW t AS SELECT * FROM {parquet_scan(files)}")
        else:
            empty_table(con, "t", empty)

    con = locked(setup, readable=files, threads=2)
    try:
        yield con
    finally:
        con.close()


def read_table(lake: Lake, ident: str, sql: str, params: list[Any]) -> pa.Table:
    table = lake.table(ident)
    files = lake.data_files(ident) if table.current_snapshot() else []
    with files_view(files, table.schema().as_arrow()) as con:
        return con.sql(sql, params=params).to_arrow_table()
