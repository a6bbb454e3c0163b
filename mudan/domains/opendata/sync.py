"""Keeping the portal's datasets in step with the catalog and the lake.

``sync_datasets`` opens every entry the rule in :mod:`rules` allows and closes (state
``deleted``) the ones it no longer allows; ``refresh_data`` reads each dataset's lake table
(row count, last snapshot) so pages, scores and the CKAN API need no lake call per listing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.db import utcnow
from mudan.core.progress import NullReporter, Reporter
from mudan.domains.catalog import service as catalog
from mudan.domains.catalog.models import CatalogEntry
from mudan.domains.opendata.enums import DEFAULT_LICENCE, DatasetState
from mudan.domains.opendata.models import OpenDataset
from mudan.domains.opendata.rules import OPEN_TYPES, entry_is_open, field_dicts
from mudan.lake.catalog import Lake

INDEX_KEY = "opendata.changed"


def mark_changed(session: Session, ids: Iterable[int]) -> None:
    session.info.setdefault(INDEX_KEY, set()).update(ids)


def _apply(ds: OpenDataset, entry: CatalogEntry) -> bool:
    values = {
        "name": entry.code.lower(),
        "title": entry.name,
        "notes": entry.abstract,
        "department_code": entry.department.code,
        "department_name": entry.department.name,
        "theme": entry.theme,
        "tags": list(entry.tags or []),
        "open_type": entry.open_type,
        "open_conditions": entry.open_conditions,
        "update_cycle": entry.update_cycle,
        "region_code": entry.region_code,
        "table_ref": catalog.table_spec_for(entry).ident,
        "fields": field_dicts(entry),
        "catalog_version": entry.version,
        "state": DatasetState.ACTIVE.value,
    }
    changed = False
    for key, value in values.items():
        if getattr(ds, key) != value:
            setattr(ds, key, value)
            changed = True
    return changed


def sync_datasets(session: Session, *, progress: Reporter | None = None) -> tuple[int, int]:
    """Open/refresh/close datasets from the catalog; returns (active, closed now)."""
    reporter = progress or NullReporter()
    existing = {d.entry_id: d for d in session.scalars(select(OpenDataset))}
    candidates = list(
        session.scalars(
            select(CatalogEntry)
            .where(CatalogEntry.open_type.in_(OPEN_TYPES), CatalogEntry.version > 0)
            .order_by(CatalogEntry.id)
        ).unique()
    )
    seen: set[int] = set()
    changed: list[OpenDataset] = []
    with reporter.task("开放数据集同步", len(candidates)) as task:
        for entry in candidates:
            task.advance()
            if not entry_is_open(entry):
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
            if _apply(ds, entry):
                ds.modified_at = utcnow()
                changed.append(ds)
    closed = 0
    for entry_id, ds in existing.items():
        if entry_id not in seen and ds.state == DatasetState.ACTIVE.value:
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
            if not lake.exists(ds.table_ref):
                ds.data_rows, ds.data_updated_at = 0, None
                continue
            snaps = lake.snapshots(ds.table_ref)
            ds.data_rows = snaps[-1].total_rows if snaps else 0
            ds.data_updated_at = snaps[-1].committed_at.astimezone(UTC) if snaps else None
            with_data += 1 if ds.data_rows else 0
    session.flush()
    return with_data
