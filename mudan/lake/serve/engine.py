"""Long-lived, locked-down DuckDB backends per lake table for the data service.

Two backends per table and snapshot:

* a **view** over the snapshot's Parquet files — ready at once, but every call re-reads
  Parquet metadata and row groups (tens of milliseconds on a large table);
* a **native cache** (:mod:`mudan.lake.serve.cache`) — the same snapshot copied into a
  DuckDB file, ordered as the caller's :class:`Layout` says (the data service: region column,
  key), with an index on the key and the layout's expressions precomputed (the data service:
  the masked form of every maskable item, by the same mask SQL). It is built in a
  background thread on first use (calls use the view meanwhile), replaced when the snapshot
  or the table's layout changes, and skipped for tables above ``cache_max_rows``.

The current snapshot is re-checked at most every ``ttl_s`` seconds (a load becomes visible
within that time). Each call runs on its own cursor, so calls from several threads run in
parallel; a replaced backend is closed only when its last call has finished.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from mudan.lake.catalog import Lake
from mudan.lake.serve.cache import QUERY_FAILED, Backend, Layout, build_cache, sweep
from mudan.lake.sql import Connection, Error, empty_table, locked, parquet_scan

log = logging.getLogger("mudan.lake.serve")


def view_backend(
    files: list[str], empty: pa.Schema, threads: int, error_code: str = QUERY_FAILED
) -> Backend:
    def setup(con: Connection) -> None:
        if files:
            scan = parquet_scan(files, union_by_name=False)
            con.execute(f"CREATE VIEW t AS SELECT * FROM {scan}")
        else:
            empty_table(con, "t", empty)

    return Backend(locked(setup, readable=files, threads=threads), error_code=error_code)


@dataclass
class _Table:
    snapshot_id: int | None
    rows: int
    files: list[str]
    view: Backend
    checked_at: float
    cache: Backend | None = None
    building: Layout | None = None
    failed: set[Layout] = field(default_factory=set)


class ServeEngine:
    """The backends of the lake tables a service reads (see the module notes). A failing
    call raises ``error_code`` (the data service: ``sharing.query_failed``)."""

    def __init__(
        self,
        lake: Lake,
        *,
        cache_dir: Path | None = None,
        cache_max_rows: int = 20_000_000,
        ttl_s: float = 2.0,
        threads: int = 2,
        error_code: str = QUERY_FAILED,
    ) -> None:
        self.lake = lake
        self.error_code = error_code
        self.ttl_s = ttl_s
        self.threads = threads
        self.cache_dir = cache_dir
        self.cache_max_rows = cache_max_rows
        self._tables: dict[str, _Table] = {}
        self._lock = threading.Lock()
        self._builders: list[threading.Thread] = []
        self._building: weakref.WeakSet[Connection] = weakref.WeakSet()
        self._closed = False
        if cache_dir is not None:
            sweep(cache_dir)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            builders = list(self._builders)
        for con in list(self._building):
            with contextlib.suppress(Error):
                con.interrupt()  # a build in progress stops now rather than at its end
        for th in builders:
            th.join()
        with self._lock:
            for t in self._tables.values():
                t.view.retire()
                if t.cache is not None:
                    t.cache.retire()
            self._tables.clear()

    # --- snapshot tracking --------------------------------------------------------------------

    def _fresh(self, ident: str) -> _Table:
        table = self.lake.table(ident)
        current = table.current_snapshot()
        files = self.lake.data_files(ident) if current else []
        rows = 0
        if current is not None and current.summary is not None:
            rows = int(current.summary.additional_properties.get("total-records", 0))
        view = view_backend(files, table.schema().as_arrow(), self.threads, self.error_code)
        snap = current.snapshot_id if current else None
        return _Table(snap, rows, files, view, time.monotonic())

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
        fresh = self._fresh(ident)
        with self._lock:
            old = self._tables.get(ident)
            if old is not None and old.snapshot_id == fresh.snapshot_id:
                fresh.view.retire()  # another call got there first: keep its table (and cache)
                old.checked_at = now
                return old
            self._tables[ident] = fresh
        if old is not None:
            old.view.retire()
            if old.cache is not None:
                old.cache.retire()
        return fresh

    # --- the native cache ---------------------------------------------------------------------

    def _wants_cache(self, ident: str, t: _Table, layout: Layout) -> bool:
        return (
            self.cache_dir is not None
            and not self._closed
            and self._tables.get(ident) is t
            and bool(t.files)
            and t.rows <= self.cache_max_rows
            and layout not in t.failed
            and (t.cache is None or t.cache.layout != layout)
            and t.building is None
        )

    def _build(self, ident: str, t: _Table, layout: Layout) -> None:
        assert self.cache_dir is not None
        started = time.perf_counter()
        try:
            cache = build_cache(
                self.cache_dir,
                ident,
                t.files,
                layout,
                self.threads,
                self._building.add,
                self.error_code,
            )
        except Exception as e:  # a failed build leaves the table on its Parquet files
            log.warning("data-service cache of %s failed: %s", ident, str(e)[:300])
            with self._lock:
                t.building = None
                t.failed.add(layout)
            return
        with self._lock:
            t.building = None
            installed = self._tables.get(ident) is t and not self._closed
            old = t.cache if installed else None
            if installed:
                t.cache = cache
        if not installed:
            cache.retire()
            return
        if old is not None:
            old.retire()
        log.info(
            "data-service cache of %s (snapshot %s, %d rows) built in %.1fs",
            ident,
            t.snapshot_id,
            t.rows,
            time.perf_counter() - started,
        )

    def _start_build(self, ident: str, t: _Table, layout: Layout) -> threading.Thread | None:
        with self._lock:
            if not self._wants_cache(ident, t, layout):
                return None
            t.building = layout
            th = threading.Thread(
                target=self._build, args=(ident, t, layout), name=f"cache:{ident}", daemon=True
            )
            self._builders = [b for b in self._builders if b.is_alive()] + [th]
        th.start()
        return th

    def warm(self, ident: str, layout: Layout) -> bool:
        """Build the cache of ``ident`` now (waiting for it); True if calls now use it."""
        t = self._table(ident)
        th = self._start_build(ident, t, layout)
        if th is None:
            with self._lock:
                th = next((b for b in self._builders if b.name == f"cache:{ident}"), None)
        if th is not None:
            th.join()
        with self._lock:
            return t.cache is not None and t.cache.layout == layout

    def cached_snapshot(self, ident: str) -> int | None:
        """The snapshot the cache of ``ident`` holds (None: calls read the Parquet files)."""
        with self._lock:
            t = self._tables.get(ident)
            return t.snapshot_id if t is not None and t.cache is not None else None

    # --- calls --------------------------------------------------------------------------------

    @contextmanager
    def use(self, ident: str, layout: Layout) -> Iterator[Backend]:
        """The backend a call of ``ident`` runs on: the cache if it is built for the current
        snapshot and ``layout``, else the view (and a cache build starts in the background)."""
        for _ in range(3):  # a backend retired between lookup and use: look again
            t = self._table(ident)
            with self._lock:
                cache = t.cache if t.cache is not None and t.cache.layout == layout else None
            backend = cache or t.view
            if backend.acquire():
                break
        else:
            raise RuntimeError(f"no usable backend for {ident}")
        if cache is None:
            self._start_build(ident, t, layout)
        try:
            yield backend
        finally:
            backend.release()

    def run(
        self, ident: str, sql: str, params: list[Any], layout: Layout | None = None
    ) -> pa.Table:
        """Run ``sql`` (which reads the table ``t``) with bound parameters, as Arrow."""
        with self.use(ident, layout or Layout()) as b:
            return b.arrow(sql, params)
