"""The native cache of a lake table for the data service, and the backend a call runs on.

A cache is one snapshot of the table copied into a DuckDB file (``<cache_dir>/<pid>-….duckdb``)
by ``CREATE TABLE t AS SELECT *, <mask expressions> FROM read_parquet(<the snapshot's files>)
ORDER BY <region column>, <key>``, plus an ART index on the key. Ordering by region then key
lets DuckDB skip every row group outside a grant's regions (zone maps) and stop a key-ordered
page early; the precomputed masks spare each call the planning and evaluation of the masking
expressions. A call still selects the *masked* column for every item its grant does not
unmask, and the grant's region filter is still in its WHERE clause: the cache changes where
rows are read from, never which rows or values a grant may see.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from mudan.core.errors import InvalidInput
from mudan.lake.sql import Connection, Error, locked, parquet_scan, quote_ident

MASK_PREFIX = "__mudan_mask_"


@dataclass(frozen=True)
class Layout:
    """What a table's cache holds besides its columns, derived from its catalog entry."""

    key: str | None = None
    order: tuple[str, ...] = ()  # the region column (if any), then the key
    masks: tuple[str, ...] = ()  # SQL expressions to precompute (sharing's masks)


QUERY_FAILED = "lake.query_failed"


def query_failed(e: Error, code: str = QUERY_FAILED) -> InvalidInput:
    return InvalidInput(code, reason=str(e).splitlines()[0][:300])


class Backend:
    """A DuckDB connection holding table ``t``; calls run on per-thread cursors. Retired
    backends close once their last call has finished. A failing call raises ``error_code``."""

    def __init__(
        self,
        con: Connection,
        layout: Layout | None = None,
        premasked: Mapping[str, str] | None = None,
        path: Path | None = None,
        error_code: str = QUERY_FAILED,
    ) -> None:
        self.con = con
        self.error_code = error_code
        self.layout = layout
        self.key_index = layout is not None and layout.key is not None
        self.premasked: Mapping[str, str] = premasked or {}
        self.path = path
        self._users = 0
        self._retired = False
        self._lock = threading.Lock()
        self._local = threading.local()
        self._cursors: list[Connection] = []

    def acquire(self) -> bool:
        with self._lock:
            if self._retired:
                return False
            self._users += 1
            return True

    def release(self) -> None:
        with self._lock:
            self._users -= 1
            done = self._retired and self._users == 0
        if done:
            self._close()

    def retire(self) -> None:
        with self._lock:
            if self._retired:
                return
            self._retired = True
            done = self._users == 0
        if done:
            self._close()

    def _close(self) -> None:
        with self._lock:
            cursors, self._cursors = self._cursors, []
        for cur in cursors:
            cur.close()
        self.con.close()
        if self.path is not None:
            for p in (self.path, self.path.with_name(self.path.name + ".wal")):
                with contextlib.suppress(FileNotFoundError):
                    p.unlink()

    def _cursor(self) -> Connection:
        cur: Connection | None = getattr(self._local, "cur", None)
        if cur is None:
            cur = self.con.cursor()
            self._local.cur = cur
            with self._lock:
                self._cursors.append(cur)
        return cur

    def rows(self, sql: str, params: list[Any]) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Column names and rows (Python values) of ``sql``."""
        cur = self._cursor()
        try:
            cur.execute(sql, params)
            names = [d[0] for d in cur.description or ()]
            return names, cur.fetchall()
        except Error as e:
            raise query_failed(e, self.error_code) from e

    def arrow(self, sql: str, params: list[Any]) -> pa.Table:
        cur = self._cursor()
        try:
            return cur.sql(sql, params=params).to_arrow_table()
        except Error as e:
            raise query_failed(e, self.error_code) from e


def build_cache(
    cache_dir: Path,
    ident: str,
    files: list[str],
    layout: Layout,
    threads: int,
    started: Callable[[Connection], None] | None = None,
    error_code: str = QUERY_FAILED,
) -> Backend:
    """Copy the snapshot made of ``files`` into a new cache file (see the module notes);
    ``started`` receives the building connection (to interrupt it)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", ident)[:80]
    path = cache_dir / f"{os.getpid()}-{safe}-{uuid.uuid4().hex[:12]}.duckdb"
    premasked = {expr: f"{MASK_PREFIX}{i}" for i, expr in enumerate(layout.masks)}

    def setup(con: Connection) -> None:
        if started is not None:
            started(con)
        select = ", ".join(["*", *(f"{e} AS {quote_ident(c)}" for e, c in premasked.items())])
        order = ", ".join(quote_ident(c) for c in layout.order)
        sql = f"CREATE TABLE t AS SELECT {select} FROM {parquet_scan(files)}"
        con.execute(sql + (f" ORDER BY {order}" if order else ""))
        if layout.key is not None:
            con.execute(f"CREATE INDEX t_key ON t ({quote_ident(layout.key)})")
        con.execute("CHECKPOINT")
        # Calls are small: one thread each spares the scheduling (and the process runs many).
        con.execute("SET threads = 1")

    try:
        con = locked(setup, database=str(path), threads=threads)
    except BaseException:
        for p in (path, path.with_name(path.name + ".wal")):
            with contextlib.suppress(FileNotFoundError):
                p.unlink()
        raise
    return Backend(con, layout, premasked, path, error_code)


def sweep(cache_dir: Path) -> None:
    """Remove cache files left by processes that are gone (a crash skips the clean-up)."""
    if not cache_dir.is_dir():
        return
    for p in cache_dir.glob("*.duckdb*"):
        pid = p.name.split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            with contextlib.suppress(OSError):
                p.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
