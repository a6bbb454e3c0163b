"""SQL text for DuckDB over the lake, and the ONE way Mudan opens a DuckDB connection.

Quoting: :func:`quote_ident` for a column, table or schema name, :func:`quote_literal` for a
string (a file path); values a caller supplies are bound parameters (``?``), never pasted.

Lock-down (:func:`locked`): ``setup`` builds the connection's tables and views with the
default access; then only the ``readable`` files stay readable (``allowed_paths``), every other
external access is off (files, HTTP, extensions) and the configuration is locked, so SQL run
on the connection afterwards cannot turn any of that back on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import duckdb
import pyarrow as pa

Connection = duckdb.DuckDBPyConnection
Error = duckdb.Error
Interrupted = duckdb.InterruptException


def quote_ident(name: str) -> str:
    """``name`` as a DuckDB identifier (double quotes, inner quotes doubled)."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    """``text`` as a DuckDB string literal (single quotes, inner quotes doubled)."""
    return "'" + text.replace("'", "''") + "'"


def literal_list(texts: Iterable[str]) -> str:
    """Comma-separated string literals (the inside of ``[...]``)."""
    return ", ".join(quote_literal(t) for t in texts)


def parquet_scan(files: Sequence[str], *, union_by_name: bool = True) -> str:
    """``read_parquet`` of ``files`` (columns matched by name across files when asked)."""
    union = ", union_by_name = true" if union_by_name else ""
    return f"read_parquet([{literal_list(files)}]{union})"


def locked(
    setup: Callable[[Connection], None] | None = None,
    *,
    readable: Sequence[str] = (),
    database: str = ":memory:",
    threads: int | None = None,
) -> Connection:
    """A new DuckDB connection (in memory, or the ``database`` file), built by ``setup``, then
    locked down: only ``readable`` stays readable, external access off, configuration locked.
    ``threads``: DuckDB's worker threads (default: one per core). Closed if anything fails."""
    con = duckdb.connect(database, config={"threads": threads} if threads else {})
    try:
        if setup is not None:
            setup(con)
        if readable:
            con.execute(f"SET allowed_paths = [{literal_list(readable)}]")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con


def empty_table(con: Connection, name: str, schema: pa.Schema) -> None:
    """Create table ``name`` (a quoted identifier) with the columns of an Arrow ``schema``."""
    con.register("__empty", schema.empty_table())
    con.execute(f"CREATE TABLE {name} AS SELECT * FROM __empty")
    con.unregister("__empty")
