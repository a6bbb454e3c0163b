"""The portal follows the catalog and the lake on its own: the ``opendata.sync`` periodic job.

Each run finds what is out of step with two cheap queries, and syncs only that:

* catalog: live open-typed entries (or revisions in progress) without a dataset, datasets whose
  catalog version is not the entry's (a revision was published, 修订), active datasets whose
  entry was withdrawn (下架), closed ones whose entry is live again. Publishing, revising or
  withdrawing an entry therefore opens, updates or closes its dataset within a minute;
* lake: datasets whose table loaded (quality's last success) after the dataset last read it, so
  a reload refreshes row count, update time, score and search document.

Idempotent: a run with nothing out of step changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from mudan.core.db import as_utc
from mudan.domains.catalog.models import CatalogEntry
from mudan.domains.opendata import index as portal_index
from mudan.domains.opendata.enums import DatasetState
from mudan.domains.opendata.models import OpenDataset
from mudan.domains.opendata.rules import OPEN_TYPES
from mudan.domains.opendata.scoring import compute_scores
from mudan.domains.opendata.sync import (
    INDEX_KEY,
    REVISING,
    mark_changed,
    refresh_data,
    sync_datasets,
)
from mudan.hooks import JobContext
from mudan.lake.catalog import Lake

WITHDRAWN = "withdrawn"
ACTIVE, DELETED = DatasetState.ACTIVE.value, DatasetState.DELETED.value


@dataclass(frozen=True)
class SyncResult:
    entries: int  # entries looked at
    opened: int  # … of which open now
    closed: int
    refreshed: int  # datasets whose lake table was read again

    def __str__(self) -> str:
        return (
            f"{self.entries} entries synced ({self.opened} open, {self.closed} closed), "
            f"{self.refreshed} datasets refreshed"
        )


def out_of_step(session: Session) -> set[int]:
    """Catalog entries whose dataset does not reflect their current published state."""
    e, ds = CatalogEntry, OpenDataset
    may_open = and_(
        e.version > 0,
        e.status != WITHDRAWN,
        or_(e.open_type.in_(OPEN_TYPES), e.status.in_(REVISING)),
    )
    missing = select(e.id).outerjoin(ds, ds.entry_id == e.id).where(ds.id.is_(None), may_open)
    stale = (
        select(e.id)
        .join(ds, ds.entry_id == e.id)
        .where(
            or_(
                ds.catalog_version != e.version,
                and_(ds.state == ACTIVE, e.status == WITHDRAWN),
                and_(ds.state == DELETED, may_open),
            )
        )
    )
    return set(session.scalars(missing.union(stale)))


def reloaded(session: Session) -> set[int]:
    """Active datasets whose lake table loaded after the dataset last read it."""
    from mudan.domains.quality import service as quality

    loads = quality.last_loads(session)
    rows = session.execute(
        select(OpenDataset.id, OpenDataset.table_ref, OpenDataset.data_synced_at).where(
            OpenDataset.state == ACTIVE
        )
    )
    out = set()
    for ds_id, ref, synced in rows:
        loaded = loads.get(ref)
        if loaded is not None and (synced is None or loaded > as_utc(synced)):
            out.add(ds_id)
    return out


def run_sync(session: Session, *, lake: Lake) -> SyncResult:
    """Sync what is out of step; the changed datasets are marked for the search index."""
    entries = out_of_step(session)
    opened, closed = sync_datasets(session, entry_ids=entries) if entries else (0, 0)
    changed: set[int] = set(session.info.get(INDEX_KEY, set()))
    never_read = set(
        session.scalars(
            select(OpenDataset.id).where(
                OpenDataset.state == ACTIVE, OpenDataset.data_synced_at.is_(None)
            )
        )
    )
    todo = reloaded(session) | never_read | changed
    if todo:
        refresh_data(session, lake=lake, ids=todo)
        compute_scores(session, lake=lake, ids=todo)
        mark_changed(session, todo)
    return SyncResult(len(entries), opened, closed, len(todo))


def index_after_commit(session: Session, ctx: JobContext) -> None:
    """Once the job's unit of work commits, upsert/delete the changed datasets' documents."""
    from mudan.search.follow import follow

    def sync_ids(ids: set[int]) -> None:
        index = portal_index.open_index(ctx.settings)
        try:
            with Session(bind=session.get_bind()) as fresh:
                portal_index.sync(index, fresh, ids)
        finally:
            index.close()

    follow(session, portal_index.feed(), sync_ids)


def sync_job(ctx: JobContext) -> str:
    result = run_sync(ctx.session, lake=ctx.runtime.lake)
    index_after_commit(ctx.session, ctx)
    return str(result)
