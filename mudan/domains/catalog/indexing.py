"""Keeping the catalog's search index in step with the database.

Transitions that change what search sees call ``mark_changed``; once the caller's transaction
commits, ``sync`` upserts the latest published snapshot of each changed entry (or deletes it
when withdrawn). ``reindex`` rebuilds the whole index. The index lives in
``<var_dir>/search/catalog`` and is opened once per app (``app_index``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from mudan.core.progress import NullReporter, Reporter
from mudan.domains.catalog.search_docs import FACETS, to_doc

if TYPE_CHECKING:
    from mudan.search import SearchIndex
    from mudan.settings import Settings

log = logging.getLogger("mudan.catalog")
_KEY = "catalog.changed"
_HOOKED = "catalog.after_commit"
_lock = threading.Lock()


def mark_changed(session: Session, entry_id: int) -> None:
    session.info.setdefault(_KEY, set()).add(entry_id)


def take_changed(session: Session) -> set[int]:
    changed: set[int] = session.info.pop(_KEY, set())
    return changed


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


def sync_after_commit(
    session: Session, factory: Callable[[], Session], index_getter: Callable[[], SearchIndex]
) -> None:
    """Update the index once ``session`` commits (events after commit; nothing on rollback)."""
    if session.info.get(_HOOKED):
        return
    session.info[_HOOKED] = True

    def on_commit(sess: Session) -> None:
        ids = take_changed(sess)
        if ids:
            try:
                with factory() as fresh:
                    sync(index_getter(), fresh, ids)
            except Exception:  # the commit stands; `mudan catalog reindex` repairs the index
                log.exception("catalog search index update failed", extra={"ids": sorted(ids)})

    def on_rollback(sess: Session) -> None:
        take_changed(sess)

    event.listen(session, "after_commit", on_commit)
    event.listen(session, "after_rollback", on_rollback)
