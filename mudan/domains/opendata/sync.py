"""Keeping the portal's datasets in step with the catalog and the lake.

``sync_datasets`` opens every entry whose last published version the rule in :mod:`rules`
allows and closes (state ``deleted``) the ones it no longer allows; ``refresh_data`` reads each
dataset's lake table (row count, last snapshot) so pages, scores and the CKAN API need no lake
call per listing. :mod:`autosync` finds what is out of step and runs both every minute.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from mudan.core.db import utcnow
from mudan.core.progress import NullReporter, Reporter
from mudan.domains.catalog import service as catalog
from mudan.domains.catalog.models import CatalogEntry, CatalogVersion
from mudan.domains.catalog.schemas import EntryOut
from mudan.domains.opendata.enums import DEFAULT_LICENCE, DatasetState
from mudan.domains.opendata.models import OpenDataset
from mudan.domains.opendata.rules import OPEN_TYPES, entry_is_open, field_dicts
from mudan.lake.catalog import Lake

INDEX_KEY = "opendata.changed"
REVISING = ("draft", "pending")  # a published entry being revised keeps its published version


def mark_changed(session: Session, ids: Iterable[int]) -> None:
    session.info.setdefault(INDEX_KEY, set()).update(ids)


def _apply(ds: OpenDataset, entry: CatalogEntry, out: EntryOut) -> bool:
    """Copy the published snapshot onto the dataset; True when something changed."""
    values = {
        "name": out.code.lower(),
        "title": out.name,
        "notes": out.abstract,
        "department_code": out.department_code,
        "department_name": out.department_name,
        "theme": out.theme,
        "tags": list(out.tags),
        "open_type": out.open_type,
        "open_conditions": out.open_conditions,
        "update_cycle": out.update_cycle,
        "region_code": out.region_code,
        "table_ref": catalog.table_spec_for(entry).ident,
        "fields": field_dicts(out),
        "catalog_version": entry.version,
        "state": DatasetState.ACTIVE.value,
    }
    changed = False
    for key, value in values.items():
        if getattr(ds, key) != value:
            setattr(ds, key, value)
            changed = True
    return changed


def _candidates(
    session: Session, entry_ids: Iterable[int] | None
) -> list[tuple[CatalogEntry, EntryOut]]:
    """Entries that may be open, each with its last published snapshot: open-typed ones,
    revisions in progress (the working copy may differ from what was published) and entries
    that have a dataset."""
    stmt = (
        select(CatalogEntry, CatalogVersion.snapshot)
        .join(
            CatalogVersion,
            and_(
                CatalogVersion.entry_id == CatalogEntry.id,
                CatalogVersion.version == CatalogEntry.version,
            ),
        )
        .where(
            or_(
                CatalogEntry.open_type.in_(OPEN_TYPES),
                CatalogEntry.status.in_(REVISING),
                CatalogEntry.id.in_(select(OpenDataset.entry_id)),
            )
        )
        .order_by(CatalogEntry.id)
    )
    if entry_ids is not None:
        stmt = stmt.where(CatalogEntry.id.in_(list(entry_ids)))
    rows = session.execute(stmt).all()
    return [(entry, EntryOut.model_validate(snap)) for entry, snap in rows]


def sync_datasets(
    session: Session,
    *,
    entry_ids: Iterable[int] | None = None,
    progress: Reporter | None = None,
) -> tuple[int, int]:
    """Open/refresh/close datasets from the catalog's published versions (every entry, or
    only ``entry_ids``); returns (open among them, closed now)."""
    reporter = progress or NullReporter()
    ids = None if entry_ids is None else set(entry_ids)
    stmt = select(OpenDataset)
    if ids is not None:
        stmt = stmt.where(OpenDataset.entry_id.in_(ids))
    existing = {d.entry_id: d for d in session.scalars(stmt)}
    candidates = _candidates(session, ids)
    seen: set[int] = set()
    changed: list[OpenDataset] = []
    with reporter.task("开放数据集同步", len(candidates)) as task:
        for entry, out in candidates:
            task.advance()
            if not entry_is_open(out, live=entry.is_live):
                continue
            seen.add(entry.id)
            ds = existing.get(entry.id)
            if ds is None:
                ds = OpenDataset(
                    entry_id=entry.id,
                    license_id=DEFAULT_LICENCE,
                    view_count=0,
                    download_count=0,
                    data_rows=0,
                    checks={},
                    created_at=utcnow(),
                )
                session.add(ds)
            if _apply(ds, entry, out):
                ds.modified_at = utcnow()
                changed.append(ds)
    versions = {e.id: e.version for e, _out in candidates}
    closed = 0
    for entry_id, ds in existing.items():
        if entry_id in seen:
            continue
        # remember the version judged, so the sync job does not look at it again
        ds.catalog_version = versions.get(entry_id, ds.catalog_version)
        if ds.state == DatasetState.ACTIVE.value:
            ds.state = DatasetState.DELETED.value
            ds.modified_at = utcnow()
            changed.append(ds)
            closed += 1
    session.flush()
    mark_changed(session, (d.id for d in changed))
    return len(seen), closed


def refresh_data(
    session: Session,
    *,
    lake: Lake,
    ids: Iterable[int] | None = None,
    progress: Reporter | None = None,
) -> int:
    """Row count and last update of each dataset's lake table; returns how many have data."""
    reporter = progress or NullReporter()
    stmt = select(OpenDataset).where(OpenDataset.state == DatasetState.ACTIVE.value)
    if ids is not None:
        stmt = stmt.where(OpenDataset.id.in_(list(ids)))
    datasets = list(session.scalars(stmt.order_by(OpenDataset.id)))
    with_data = 0
    with reporter.task("开放数据状态", len(datasets)) as task:
        for ds in datasets:
            task.advance()
            ds.data_synced_at = utcnow()
            if not lake.exists(ds.table_ref):
                ds.data_rows, ds.data_updated_at = 0, None
                continue
            snaps = lake.snapshots(ds.table_ref)
            ds.data_rows = snaps[-1].total_rows if snaps else 0
            ds.data_updated_at = snaps[-1].committed_at.astimezone(UTC) if snaps else None
            with_data += 1 if ds.data_rows else 0
    session.flush()
    return with_data
