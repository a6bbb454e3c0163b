"""Bulk delivery of a grant: an export file (Parquet/CSV) as a job, or a scheduled push of
the granted rows into the consumer's own PostgreSQL/MariaDB database (库表推送). Both read
through the same masked, region-filtered query as the data service."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core import audit
from mudan.core.db import as_utc, utcnow
from mudan.core.errors import Conflict, Forbidden, NotFound
from mudan.domains.sharing.dataservice.query import Item, Plan, bulk_query
from mudan.domains.sharing.enums import DeliveryFormat, GrantStatus, RunStatus
from mudan.domains.sharing.models import ShareGrant
from mudan.domains.sharing.returnflow.models import Delivery
from mudan.domains.sharing.returnflow.targets import check_target, write_rows
from mudan.domains.sharing.workflow import grants
from mudan.kernel.rbac import Principal
from mudan.lake.catalog import Lake
from mudan.lake.serve.files import read_table


def plan_of(g: ShareGrant) -> Plan:
    items = tuple(Item(i.name, i.type, i.sensitivity, i.personal_kind) for i in g.entry.items)
    keys = list(g.entry.key_columns)
    return Plan(
        grant_id=g.id,
        table_ref=g.table_ref,
        items=tuple(i for i in items if i.name in set(g.items)),
        unmasked=frozenset(g.unmasked_items),
        all_items=frozenset(i.name for i in items),
        region_column=g.region_column,
        region_codes=tuple(g.region_codes),
        key=keys[0] if len(keys) == 1 else None,
    )


def _check(session: Session, who: Principal, grant_id: int) -> ShareGrant:
    g = grants.get_grant(session, principal=who, grant_id=grant_id)
    if not who.can("grant.manage") and g.consumer_department_id not in who.department_ids:
        raise Forbidden("sharing.not_consumer", id=g.id)
    if grants.effective_status(g) != GrantStatus.ACTIVE:
        raise Conflict("sharing.grant_not_active", id=g.id, state=grants.effective_status(g))
    return g


def queue_export(
    session: Session, *, principal: Principal, grant_id: int, fmt: DeliveryFormat
) -> Delivery:
    g = _check(session, principal, grant_id)
    d = Delivery(
        grant_id=g.id,
        kind="export",
        format=fmt.value,
        status=RunStatus.QUEUED.value,
        created_by=principal.username,
    )
    session.add(d)
    session.flush()
    return d


def create_push(
    session: Session,
    *,
    principal: Principal,
    grant_id: int,
    target_url: str,
    target_table: str,
    interval_minutes: int,
) -> Delivery:
    if not principal.can("grant.manage"):
        raise Forbidden("auth.forbidden", permission="grant.manage")
    g = _check(session, principal, grant_id)
    check_target(target_url, target_table)
    d = Delivery(
        grant_id=g.id,
        kind="push",
        target_url=target_url,
        target_table=target_table,
        interval_minutes=interval_minutes,
        status=RunStatus.QUEUED.value,
        created_by=principal.username,
    )
    session.add(d)
    session.flush()
    return d


def run_delivery(session: Session, *, lake: Lake, folder: Path, delivery_id: int) -> Delivery:
    """Run an export or a push now (the caller commits)."""
    d = session.get(Delivery, delivery_id)
    if d is None:
        raise NotFound("sharing.delivery_not_found", id=delivery_id)
    g = session.get(ShareGrant, d.grant_id)
    assert g is not None
    d.last_run_at = utcnow()
    if grants.effective_status(g) != GrantStatus.ACTIVE:
        d.status, d.error = RunStatus.FAILED.value, f"grant {g.status}"
        return d
    try:
        sql, params = bulk_query(plan_of(g))
        rows = read_table(lake, g.table_ref, sql, params)
        if d.kind == "export":
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"grant{g.id}_d{d.id}.{d.format}"
            if d.format == DeliveryFormat.PARQUET:
                pq.write_table(rows, path)
            else:
                with path.open("wb") as fh:
                    fh.write(b"\xef\xbb\xbf")
                    pacsv.write_csv(rows, fh)
            d.path = str(path)
            d.rows = rows.num_rows
        else:
            d.rows = write_rows(d.target_url, d.target_table, rows, key=None, replace=True)
        d.status, d.error = RunStatus.SUCCEEDED.value, ""
    except Exception as e:
        d.status, d.error = RunStatus.FAILED.value, str(e)[:2000]
    audit.record(
        session,
        actor=d.created_by,
        role="system",
        action=f"grant.{d.kind}",
        object_type="share_grant",
        object_id=str(g.id),
        purpose=g.purpose[:200],
        outcome="ok" if d.status == RunStatus.SUCCEEDED else "failed",
        detail={"delivery": d.id, "rows": d.rows, "format": d.format, "table": d.target_table},
    )
    session.flush()
    return d


def due_pushes(session: Session, *, now: datetime | None = None) -> list[int]:
    now = now or utcnow()
    out = []
    q = select(Delivery).where(Delivery.kind == "push", Delivery.interval_minutes > 0)
    for d in session.scalars(q):
        last = d.last_run_at
        if last is None or as_utc(last) + timedelta(minutes=d.interval_minutes) <= now:
            out.append(d.id)
    return out


def list_deliveries(session: Session, *, grant_id: int) -> list[Delivery]:
    return list(
        session.scalars(select(Delivery).where(Delivery.grant_id == grant_id).order_by(Delivery.id))
    )
