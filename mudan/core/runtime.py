"""The one runtime of a process: everything built from ``Settings`` exactly once.

The web app builds one in its lifespan, each CLI command builds one, the scheduler process
builds one and hands it to every job, the demo hands it to every domain. Nothing else builds an
engine, a sessionmaker or a ``Lake`` (``tests/core/test_runtime_sites.py`` scans the source).

Per-process services a domain owns (the data-service runtime, the ops hub, the IoT pipeline,
a search index …) are cached through ``cached(key, build)``: core never imports a domain, so the
domain passes the builder and gets its own type back. ``close()`` closes them all, then the
lake and the engine.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import pluggy
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from mudan.core.db import make_engine, make_sessionmaker
from mudan.core.observability import Metrics
from mudan.hooks import make_plugin_manager
from mudan.settings import Settings

if TYPE_CHECKING:
    from mudan.lake.catalog import Lake
    from mudan.search import SearchIndex

T = TypeVar("T")
LAKE_KEY = "lake"


class Runtime:
    """The engine and sessionmaker now; plugin manager, metrics, lake and services on first use."""

    def __init__(
        self,
        settings: Settings,
        *,
        pm: pluggy.PluginManager | None = None,
        metrics: Metrics | None = None,
        cache: dict[str, Any] | None = None,
    ) -> None:
        self.settings = settings
        self._pm, self._metrics = pm, metrics
        self.engine: Engine = make_engine(settings.database.url, echo=settings.database.echo)
        self.sessions: sessionmaker[Session] = make_sessionmaker(self.engine)
        # ``cache`` lets the app keep the dict it exposed before its lifespan started.
        self.extras: dict[str, Any] = {} if cache is None else cache
        self._lock = threading.RLock()  # re-entrant: a builder may ask for the lake
        self._closed = False

    @property
    def pm(self) -> pluggy.PluginManager:
        """The plugin manager (the app's own; built on first use elsewhere, e.g. a CLI command)."""
        with self._lock:
            if self._pm is None:
                s = self.settings
                self._pm = make_plugin_manager(s.plugins_disabled, s.plugins)
            return self._pm

    @property
    def metrics(self) -> Metrics:
        with self._lock:
            if self._metrics is None:
                self._metrics = Metrics()
            return self._metrics

    def cached(self, key: str, build: Callable[[], T]) -> T:
        """A per-process service built once on first use (thread-safe), closed by ``close()``."""
        with self._lock:
            if key not in self.extras:
                self.extras[key] = build()
            value: T = self.extras[key]
            return value

    @property
    def lake(self) -> Lake:
        """The process's one ``Lake`` (its Iceberg catalog shares the metadata database)."""
        from mudan.lake.catalog import Lake

        s = self.settings
        return self.cached(
            LAKE_KEY, lambda: Lake(db_url=s.database.url, warehouse=s.lake.warehouse)
        )

    def search(self, name: str, facets: Sequence[str]) -> SearchIndex:
        """The full-text index ``var/search/<name>`` (opened once per process). The cache key
        ``<name>.index`` is the one ``catalog.indexing.app_index`` and ``opendata.index.app_index``
        use, so a folder is never opened twice (one tantivy writer per folder)."""
        from mudan.search import SearchIndex

        path = self.settings.var_dir / "search" / name
        return self.cached(f"{name}.index", lambda: SearchIndex(path, facets))

    def close(self) -> None:
        """Close every cached service (the lake last), then dispose of the engine."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            lake = self.extras.pop(LAKE_KEY, None)
            for value in [*self.extras.values(), lake]:
                close = getattr(value, "close", None)
                if callable(close):
                    close()
            self.extras.clear()
        self.engine.dispose()

    def __enter__(self) -> Runtime:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
