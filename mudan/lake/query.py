"""Read-only SQL over the lake on DuckDB, one throw-away in-memory connection per query.

Steps: guard the SQL (:mod:`mudan.lake.guard`); check every referenced table against the
caller's permission (``lake.table_forbidden``) and the catalog (``lake.unknown_table``);
register each table as a view over ``read_parquet`` of the chosen snapshot's files (time
travel); lock the connection down (only those files readable, external access off,
configuration locked); stream at most ``max_rows + 1`` rows; interrupt after ``timeout_s``.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv

from mudan.core.errors import Forbidden, InvalidInput, NotFound
from mudan.lake.catalog import Lake
from mudan.lake.guard import check_select

FETCH_ROWS = 2048


@dataclass(frozen=True)
class QueryResult:
    columns: list[tuple[str, str]]
    rows: pa.Table
    truncated: bool
    elapsed_ms: float
    snapshots: dict[str, int | None] = field(default_factory=dict)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _watchdog(con: duckdb.DuckDBPyConnection, timeout_s: float, done: threading.Event) -> None:
    """Interrupt the query at the deadline, and keep interrupting until it has stopped (an
    interrupt that lands between statements would otherwise be lost)."""
    if done.wait(timeout_s):
        return
    while True:
        con.interrupt()
        if done.wait(0.05):
            return


class QueryEngine:
    def __init__(self, lake: Lake) -> None:
        self.lake = lake

    def _connect(
        self, tables: list[str], snapshots: Mapping[str, int]
    ) -> tuple[duckdb.DuckDBPyConnection, dict[str, int | None]]:
        con = duckdb.connect(":memory:", config={"threads": 4})
        used: dict[str, int | None] = {}
        paths: list[str] = []
        try:
            for ident in tables:
                ns, name = ident.split(".", 1)
                snap = snapshots.get(ident)
                files = self.lake.data_files(ident, snap)
                table = self.lake.table(ident)
                current = table.current_snapshot()
                used[ident] = (
                    snap if snap is not None else (current.snapshot_id if current else None)
                )
                con.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(ns)}")
                target = f"{_quote(ns)}.{_quote(name)}"
                if files:
                    listing = ", ".join(_literal(f) for f in files)
                    con.execute(
                        f"CREATE VIEW {target} AS SELECT * FROM "
                        f"read_parquet([{listing}], union_by_name = true)"
                    )
                    paths.extend(files)
                else:  # no data yet: an empty table with the current schema
                    empty = table.schema().as_arrow().empty_table()
                    con.register("__empty", empty)
                    con.execute(f"CREATE TABLE {target} AS SELECT * FROM __empty")
                    con.unregister("__empty")
            listing = ", ".join(_literal(p) for p in paths)
            con.execute(f"SET allowed_paths = [{listing}]")
            con.execute("SET enable_external_access = false")
            con.execute("SET lock_configuration = true")
        except BaseException:
            con.close()
            raise
        return con, used

    def query(
        self,
        sql: str,
        *,
        allowed: Callable[[str], bool],
        max_rows: int = 10000,
        timeout_s: float = 30,
        snapshots: Mapping[str, int] | None = None,
    ) -> QueryResult:
        guarded = check_select(sql)
        tables = sorted(guarded.tables)
        for ident in tables:  # permission first: do not reveal which tables exist
            if not allowed(ident):
                raise Forbidden("lake.table_forbidden", table=ident)
        for ident in tables:
            if not self.lake.exists(ident):
                raise NotFound("lake.unknown_table", table=ident)
        started = time.perf_counter()
        con, used = self._connect(tables, {k.lower(): v for k, v in (snapshots or {}).items()})
        done = threading.Event()
        watchdog = threading.Thread(target=_watchdog, args=(con, timeout_s, done), daemon=True)
        watchdog.start()
        try:
            reader = con.sql(guarded.sql).to_arrow_reader(FETCH_ROWS)
            batches: list[pa.RecordBatch] = []
            count = 0
            for batch in reader:
                batches.append(batch)
                count += batch.num_rows
                if count > max_rows:
                    break
            rows = pa.Table.from_batches(batches, schema=reader.schema)
        except duckdb.InterruptException as e:
            raise InvalidInput("lake.query_timeout", seconds=timeout_s) from e
        except duckdb.Error as e:
            raise InvalidInput("lake.query_failed", reason=str(e).splitlines()[0][:500]) from e
        finally:
            done.set()
            watchdog.join()
            con.close()
        truncated = rows.num_rows > max_rows
        rows = rows.slice(0, max_rows)
        columns = [(f.name, str(f.type)) for f in rows.schema]
        elapsed = (time.perf_counter() - started) * 1000
        return QueryResult(columns, rows, truncated, elapsed, used)


def to_csv_bytes(result: QueryResult) -> bytes:
    """The result as UTF-8 CSV with a BOM (so Excel on Chinese Windows opens it correctly)."""
    sink = io.BytesIO()
    sink.write(b"\xef\xbb\xbf")
    pacsv.write_csv(result.rows, sink)
    return sink.getvalue()
