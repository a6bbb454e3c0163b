"""Keeping the catalog's search index in step with the database.

A unit of work that ``follow``s the index collects the entries whose version or status changed
(``mudan.search.follow``: an after-flush collector); once it commits, ``sync`` upserts the
latest published snapshot of each (or deletes it when withdrawn or never published).
``reindex`` rebuilds the whole index. The index lives in ``<var_dir>/search/catalog`` and is
opened once per app (``app_index``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.progress import NullReporter, Reporter
from mudan.domains.catalog.search_docs import FACETS, to_doc

if TYPE_CHECKING:
    from mudan.search import SearchIndex
    from mudan.search.follow import Feed
    from mudan.settings import Settings

_KEY = "catalog.changed"
_lock = threading.Lock()


def index_path(settings: Settings) -> Path:
    return settings.var_dir / "search" / "catalog"


def open_index(settings: Settings) -> SearchIndex:
    """The catalog's index over ``FACETS`` (created when missing)."""
    from mudan.search import SearchIndex

    return SearchIndex(index_path(settings), FACETS)


def app_index(extras: dict[str, Any], settings: Settings) -> SearchIndex:
    """The app's one index, opened lazily and kept in ``AppContext.extras``."""
    with _lock:
        index: SearchIndex | None = extras.get("catalog.index")
        if index is None:
            index = open_index(settings)
            extras["catalog.index"] = index
        return index


def live_snapshots(session: Session, ids: Iterable[int] | None = None) -> Iterator[dict[str, Any]]:
    """The latest published snapshot of every live (published, not withdrawn) entry."""
    from mudan.domains.catalog.models import CatalogEntry, CatalogVersion

    stmt = (
        select(CatalogVersion.snapshot)
        .join(CatalogEntry, CatalogEntry.id == CatalogVersion.entry_id)
        .where(
            CatalogVersion.version == CatalogEntry.version,
            CatalogEntry.status != "withdrawn",
        )
        .order_by(CatalogEntry.id)
    )
    if ids is not None:
        stmt = stmt.where(CatalogEntry.id.in_(list(ids)))
    for snap in session.scalars(stmt.execution_options(yield_per=1000)):
        yield dict(snap)


def sync(index: SearchIndex, session: Session, ids: set[int]) -> None:
    """Upsert the live ones among ``ids``, delete the rest."""
    if not ids:
        return
    docs = [to_doc(s) for s in live_snapshots(session, ids)]
    live = {int(d.id) for d in docs}
    gone = [str(i) for i in ids - live]
    if docs:
        index.upsert(docs)
    if gone:
        index.delete(gone)


def reindex(index: SearchIndex, session: Session, progress: Reporter | None = None) -> int:
    """Rebuild the index from the latest published snapshots (swapped in atomically)."""
    reporter = progress or NullReporter()
    docs = [to_doc(s) for s in live_snapshots(session)]
    with reporter.task("检索索引：数据目录", len(docs)) as task:
        return index.rebuild(docs, progress=task.advance)


def feed() -> Feed:
    """What the index is built from: an entry's current version and its status."""
    from mudan.domains.catalog.models import CatalogEntry
    from mudan.search.follow import Feed

    return Feed(_KEY, CatalogEntry, ("version", "status"))


def follow(
    session: Session, factory: Callable[[], Session], index_getter: Callable[[], SearchIndex]
) -> None:
    """Update the index once ``session``'s unit of work commits (nothing on rollback; a failure
    is logged and the commit stands: ``mudan catalog reindex`` repairs the index)."""

    from mudan.search.follow import follow as follow_changes

    def sync_ids(ids: set[int]) -> None:
        with factory() as fresh:
            sync(index_getter(), fresh, ids)

    follow_changes(session, feed(), sync_ids)
