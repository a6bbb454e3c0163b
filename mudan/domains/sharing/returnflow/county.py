"""County nodes (区县节点) and return flows (数据回流): the rows of chosen lake tables whose
region column falls in the node's county go to the node's own database or lake namespace,
incrementally: only the Parquet files added since the last delivered Iceberg snapshot are
read (the county filter is in the SQL), and rows are upserted by the table's key. The first
run (or a run after the old snapshot expired) replaces the target with a full copy. Rows
deleted upstream are not propagated (copy-on-write deletes would need a key diff)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core import audit
from mudan.core.db import as_utc, utcnow
from mudan.core.errors import Conflict, InvalidInput, NotFound
from mudan.domains.catalog import service as catalog
from mudan.domains.sharing.enums import RunStatus, TargetKind
from mudan.domains.sharing.returnflow.models import CountyNode, ReturnFlow
from mudan.domains.sharing.returnflow.schemas import FlowIn, NodeIn
from mudan.domains.sharing.returnflow.targets import check_target, write_rows
from mudan.kernel.models import Region
from mudan.kernel.rbac import Principal
from mudan.lake.catalog import Lake
from mudan.lake.schema import TableSpec
from mudan.lake.serve.files import files_view
from mudan.lake.sql import quote_ident

NS_RE = re.compile(r"^[a-z][a-z0-9_]{1,62}$")
TABLE_RE = re.compile(r"^d[0-9a-z]+\.t([0-9]+)$")


def _audit(session: Session, who: str, role: str, action: str, oid: int, **detail: object) -> None:
    audit.record(
        session,
        actor=who,
        role=role,
        action=f"returnflow.{action}",
        object_type="share_county_node" if action.startswith("node") else "share_return_flow",
        object_id=str(oid),
        detail=dict(detail),
    )


def create_node(session: Session, *, principal: Principal, data: NodeIn) -> CountyNode:
    region = session.get(Region, data.region_code)
    if region is None or len(region.code) != 6:
        raise InvalidInput("sharing.bad_county", code=data.region_code)
    if session.scalar(select(CountyNode.id).where(CountyNode.region_code == region.code)):
        raise Conflict("sharing.node_exists", code=region.code)
    if data.target_kind == TargetKind.DATABASE:
        check_target(data.target, "returned")
    elif not NS_RE.match(data.target):
        raise InvalidInput("sharing.bad_namespace", namespace=data.target)
    node = CountyNode(
        region_code=region.code,
        name=data.name or f"{region.name}节点",
        target_kind=data.target_kind.value,
        target=data.target,
        enabled=True,
    )
    session.add(node)
    session.flush()
    _audit(
        session,
        principal.username,
        principal.primary_role,
        "node_create",
        node.id,
        region=region.code,
        kind=node.target_kind,
    )
    return node


def entry_of(session: Session, table_ref: str) -> object:
    m = TABLE_RE.match(table_ref)
    if m is None:
        raise InvalidInput("sharing.bad_table_ref", table=table_ref)
    return catalog.get_entry(session, entry_id=int(m.group(1)))


def add_flow(session: Session, *, principal: Principal, node_id: int, data: FlowIn) -> ReturnFlow:
    node = session.get(CountyNode, node_id)
    if node is None:
        raise NotFound("sharing.node_not_found", id=node_id)
    entry = entry_of(session, data.table_ref)
    names = {i.name for i in entry.items}  # type: ignore[attr-defined]
    if data.region_column not in names:
        raise InvalidInput("sharing.bad_region_column", column=data.region_column)
    target_table = data.target_table or data.table_ref.replace(".", "_")
    if not re.match(r"^[a-z][a-z0-9_]{0,62}$", target_table):
        raise InvalidInput("sharing.bad_target_table", table=target_table)
    flow = ReturnFlow(
        node_id=node.id,
        node=node,
        table_ref=data.table_ref,
        region_column=data.region_column,
        target_table=target_table,
        interval_minutes=data.interval_minutes,
        enabled=True,
        last_status="",
        last_error="",
        last_rows=0,
        total_rows=0,
    )
    session.add(flow)
    session.flush()
    _audit(
        session,
        principal.username,
        principal.primary_role,
        "flow_create",
        flow.id,
        table=flow.table_ref,
        node=node.region_code,
    )
    return flow


def run_flow(session: Session, *, lake: Lake, flow_id: int, actor: str = "scheduler") -> int:
    """Deliver what changed since the last run; returns the rows written."""
    flow = session.get(ReturnFlow, flow_id)
    if flow is None:
        raise NotFound("sharing.flow_not_found", id=flow_id)
    node = flow.node
    # Read everything from the session first: the lake's catalog may live in the same SQLite
    # file, and a pending write here would lock it out until this transaction ends.
    with session.no_autoflush:
        entry = entry_of(session, flow.table_ref)
    keys = list(entry.key_columns)  # type: ignore[attr-defined]
    key = keys[0] if len(keys) == 1 else None
    table = lake.table(flow.table_ref)
    current = table.current_snapshot()
    if current is None or current.snapshot_id == flow.last_snapshot_id:
        flow.last_run_at = utcnow()
        flow.last_status, flow.last_rows = RunStatus.SUCCEEDED.value, 0
        return 0
    files = lake.data_files(flow.table_ref)
    full = flow.last_snapshot_id is None or table.snapshot_by_id(flow.last_snapshot_id) is None
    if not full:
        assert flow.last_snapshot_id is not None
        seen = set(lake.data_files(flow.table_ref, flow.last_snapshot_id))
        files = [f for f in files if f not in seen]
    col = quote_ident(flow.region_column)
    with files_view(files, table.schema().as_arrow()) as view:
        sql = f"SELECT * FROM t WHERE starts_with(CAST({col} AS VARCHAR), ?)"
        rows = view.arrow(sql, [node.region_code])
    try:
        if node.target_kind == TargetKind.DATABASE:
            written = write_rows(node.target, flow.target_table, rows, key=key, replace=full)
        else:
            spec = catalog.table_spec_for(entry)  # type: ignore[arg-type]
            target = TableSpec(node.target, flow.target_table, spec.columns, spec.key)
            lake.ensure_table(target)
            mode: Literal["append", "upsert"] = "upsert" if key and not full else "append"
            if full and lake.row_count(target):
                lake.drop_table(target)
                lake.ensure_table(target)
            if rows.num_rows:
                batch_id = f"rf{flow.id}:{current.snapshot_id}"
                lake.load(target, rows.to_batches(), batch_id=batch_id, mode=mode)
            written = rows.num_rows
    except Exception as e:
        flow.last_run_at = utcnow()
        flow.last_status, flow.last_error = RunStatus.FAILED.value, str(e)[:2000]
        _audit(session, actor, "system", "run", flow.id, outcome="failed", error=str(e)[:300])
        return 0
    flow.last_run_at = utcnow()
    flow.last_snapshot_id = current.snapshot_id
    flow.last_status, flow.last_error = RunStatus.SUCCEEDED.value, ""
    flow.last_rows, flow.total_rows = written, flow.total_rows + written
    _audit(
        session,
        actor,
        "system",
        "run",
        flow.id,
        rows=written,
        full=full,
        snapshot=str(current.snapshot_id),
        county=node.region_code,
    )
    session.flush()
    return written


def due_flows(session: Session, *, now: datetime | None = None) -> list[int]:
    now = now or utcnow()
    out: list[int] = []
    for flow in session.scalars(select(ReturnFlow).where(ReturnFlow.enabled.is_(True))):
        last = flow.last_run_at
        if flow.node.enabled and (
            last is None or as_utc(last) + timedelta(minutes=flow.interval_minutes) <= now
        ):
            out.append(flow.id)
    return out


def list_nodes(session: Session) -> list[CountyNode]:
    return list(session.scalars(select(CountyNode).order_by(CountyNode.region_code)))
