"""A long-lived, locked-down DuckDB view per lake table for the data service.

``QueryEngine`` (lake.query) opens a fresh connection and reloads Iceberg metadata for every
query, which is right for ad-hoc SQL but costs milliseconds per call. The data service keeps
one connection per table, a view over the current snapshot's Parquet files, and re-checks the
snapshot at most every ``ttl_s`` seconds (a load becomes visible within that time). Each call
runs on its own cursor, so calls from several threads run in parallel.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from mudan.core.errors import InvalidInput
from mudan.lake.catalog import Lake


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass
class _Table:
    snapshot_id: int | None
    con: duckdb.DuckDBPyConnection
    checked_at: float


class ServiceEngine:
    def __init__(self, lake: Lake, *, ttl_s: float = 2.0, threads: int = 2) -> None:
        self.lake = lake
        self.ttl_s = ttl_s
        self.threads = threads
        self._tables: dict[str, _Table] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            for t in self._tables.values():
                t.con.close()
            self._tables.clear()

    def _build(self, ident: str) -> _Table:
        table = self.lake.table(ident)
        current = table.current_snapshot()
        files = self.lake.data_files(ident) if current else []
        con = duckdb.connect(":memory:", config={"threads": self.threads})
        if files:
            listing = ", ".join(_lit(f) for f in files)
            con.execute(f"CREATE VIEW t AS SELECT * FROM read_parquet([{listing}])")
            con.execute(f"SET allowed_paths = [{listing}]")
        else:
            con.register("__empty", table.schema().as_arrow().empty_table())
            con.execute("CREATE TABLE t AS SELECT * FROM __empty")
            con.unregister("__empty")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        return _Table(current.snapshot_id if current else None, con, time.monotonic())

    def _table(self, ident: str) -> _Table:
        now = time.monotonic()
        with self._lock:
            t = self._tables.get(ident)
            if t is not None and now - t.checked_at < self.ttl_s:
                return t
        current = self.lake.table(ident).current_snapshot()
        snap = current.snapshot_id if current else None
        with self._lock:
            t = self._tables.get(ident)
            if t is not None and t.snapshot_id == snap:
                t.checked_at = now
                return t
        fresh = self._build(ident)
        with self._lock:
            old = self._tables.get(ident)
            self._tables[ident] = fresh
        if old is not None:
            old.con.close()
        return fresh

    def run(self, ident: str, sql: str, params: Sequence[Any]) -> pa.Table:
        """Run ``sql`` (which reads the view ``t``) with bound parameters."""
        for attempt in range(2):
            t = self._table(ident)
            try:
                cur = t.con.cursor()
            except duckdb.ConnectionException:
                if attempt:
                    raise
                continue  # the connection was replaced under us: take the new one
            try:
                return cur.sql(sql, params=list(params)).to_arrow_table()
            except duckdb.Error as e:
                raise InvalidInput(
                    "sharing.query_failed", reason=str(e).splitlines()[0][:300]
                ) from e
            finally:
                cur.close()
        raise AssertionError("unreachable")
