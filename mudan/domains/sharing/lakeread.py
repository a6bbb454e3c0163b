"""Read a lake snapshot's (or a set of) Parquet files with DuckDB, locked to those files."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import duckdb
import pyarrow as pa

from mudan.lake.catalog import Lake


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@contextmanager
def files_view(files: Sequence[str], empty: pa.Schema) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection with view ``t`` over ``files`` (an empty table of ``empty`` if none)."""
    con = duckdb.connect(":memory:", config={"threads": 2})
    try:
        if files:
            listing = ", ".join(_lit(f) for f in files)
            con.execute(
                f"CREATE VIEW t AS SELECT * FROM read_parquet([{listing}], union_by_name = true)"
            )
            con.execute(f"SET allowed_paths = [{listing}]")
        else:
            con.register("__empty", empty.empty_table())
            con.execute("CREATE TABLE t AS SELECT * FROM __empty")
        con.execute("SET enable_external_access = false")
        yield con
    finally:
        con.close()


def read_table(lake: Lake, ident: str, sql: str, params: list[Any]) -> pa.Table:
    table = lake.table(ident)
    files = lake.data_files(ident) if table.current_snapshot() else []
    with files_view(files, table.schema().as_arrow()) as con:
        return con.sql(sql, params=params).to_arrow_table()
