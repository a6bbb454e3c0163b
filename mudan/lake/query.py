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

import pyarrow as pa
import pyarrow.csv as pacsv

from mudan.core.errors import Forbidden, InvalidInput, NotFound
from mudan.lake.catalog import Lake
from mudan.lake.guard import check_select
from mudan.lake.sql import (
    Connection,
    Error,
    Interrupted,
    empty_table,
    locked,
    parquet_scan,
    quote_ident,
)

FETCH_ROWS = 2048


@dataclass(frozen=True)
class QueryResult:
    columns: list[tuple[str, str]]
    rows: pa.Table
    truncated: bool
    elapsed_ms: float
    snapshots: dict[str, int | None] = field(default_factory=dict)


def _watchdog(con: Connection, timeout_s: float, done: threading.Event) -> None:
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
    ) -> tuple[Connection, dict[str, int | None]]:
        used: dict[str, int | None] = {}
        sources: list[tuple[str, str, list[str], pa.Schema | None]] = []
        for ident in tables:
            ns, name = ident.split(".", 1)
            snap = snapshots.get(ident)
            files = self.lake.data_files(ident, snap)
            table = self.lake.table(ident)
            current = table.current_snapshot()
            used[ident] = snap if snap is not None else (current.snapshot_id if current else None)
            empty = None if files else table.schema().as_arrow()
            sources.append((ns, name, files, empty))

        def setup(con: Connection) -> None:
            for ns, name, files, schema in sources:
                con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(ns)}")
                target = f"{quote_ident(ns)}.{quote_ident(name)}"
                if schema is None:
                    con.execute(f"CREATE VIEW {target} AS SELECT * FROM {parquet_scan(files)}")
                else:  # no data yet: an empty table with the current schema
                    empty_table(con, target, schema)

        paths = [f for _, _, files, _ in sources for f in files]
        return locked(setup, readable=paths, threads=4), used

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
        except Interrupted as e:
            raise InvalidInput("lake.query_timeout", seconds=timeout_s) from e
        except Error as e:
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
