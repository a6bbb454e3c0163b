"""Bulk delivery and county return-flow API under /api/v1/share."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse

from mudan.core.deps import DbSession, app_ctx
from mudan.core.errors import NotFound
from mudan.core.params import Id
from mudan.domains.sharing.returnflow import county, delivery
from mudan.domains.sharing.returnflow.models import CountyNode, Delivery, ReturnFlow
from mudan.domains.sharing.returnflow.schemas import ExportIn, FlowIn, NodeIn, PushIn
from mudan.domains.sharing.workflow import grants
from mudan.kernel.deps import require
from mudan.kernel.models import Region
from mudan.kernel.rbac import Principal
from mudan.lake import lake_of

router = APIRouter(prefix="/api/v1/share", tags=["sharing"])
GRANT_READ = require("grant.read")
COUNTY, FLOW_READ = require("county.manage"), require("returnflow.read")


def delivery_out(d: Delivery) -> dict[str, Any]:
    return {
        "id": d.id,
        "grant_id": d.grant_id,
        "kind": d.kind,
        "format": d.format,
        "target_table": d.target_table,
        "interval_minutes": d.interval_minutes,
        "status": d.status,
        "rows": d.rows,
        "error": d.error,
    }


def flow_out(f: ReturnFlow) -> dict[str, Any]:
    return {
        "id": f.id,
        "node_id": f.node_id,
        "table_ref": f.table_ref,
        "region_column": f.region_column,
        "target_table": f.target_table,
        "interval_minutes": f.interval_minutes,
        "last_status": f.last_status,
        "last_rows": f.last_rows,
        "total_rows": f.total_rows,
        "last_error": f.last_error,
    }


def node_out(n: CountyNode) -> dict[str, Any]:
    target = n.target if n.target_kind == "lake" else n.target.split("@")[-1]  # no password
    return {
        "id": n.id,
        "region_code": n.region_code,
        "name": n.name,
        "target_kind": n.target_kind,
        "target": target,
        "flows": [flow_out(f) for f in n.flows],
    }


def _folder(request: Request) -> Any:
    return app_ctx(request).settings.var_dir / "share_exports"


@router.post("/grants/{grant_id}/exports", status_code=201)
def export(
    grant_id: Id, data: ExportIn, request: Request, session: DbSession, who: Principal = GRANT_READ
) -> dict[str, Any]:
    d = delivery.queue_export(session, principal=who, grant_id=grant_id, fmt=data.format)
    ctx = app_ctx(request)
    d = delivery.run_delivery(session, lake=lake_of(ctx), folder=_folder(request), delivery_id=d.id)
    return delivery_out(d)


@router.get("/grants/{grant_id}/deliveries")
def deliveries(
    grant_id: Id, session: DbSession, who: Principal = GRANT_READ
) -> list[dict[str, Any]]:
    grants.get_grant(session, principal=who, grant_id=grant_id)
    return [delivery_out(d) for d in delivery.list_deliveries(session, grant_id=grant_id)]


@router.get("/deliveries/{delivery_id}/file")
def download(delivery_id: Id, session: DbSession, who: Principal = GRANT_READ) -> FileResponse:
    d = session.get(Delivery, delivery_id)
    if d is None or d.kind != "export" or not d.path:
        raise NotFound("sharing.delivery_not_found", id=delivery_id)
    delivery._check(session, who, d.grant_id)
    return FileResponse(d.path, filename=d.path.rsplit("/", 1)[-1])


@router.post("/grants/{grant_id}/pushes", status_code=201)
def push(
    grant_id: Id, data: PushIn, request: Request, session: DbSession, who: Principal = GRANT_READ
) -> dict[str, Any]:
    d = delivery.create_push(
        session,
        principal=who,
        grant_id=grant_id,
        target_url=data.target_url,
        target_table=data.target_table,
        interval_minutes=data.interval_minutes,
    )
    d = delivery.run_delivery(
        session, lake=lake_of(app_ctx(request)), folder=_folder(request), delivery_id=d.id
    )
    return delivery_out(d)


@router.get("/nodes")
def nodes(session: DbSession, who: Principal = FLOW_READ) -> list[dict[str, Any]]:
    out = []
    for n in county.list_nodes(session):
        region = session.get(Region, n.region_code)
        if region is not None and (who.can("county.manage") or who.sees_path(region.path)):
            out.append(node_out(n))
    return out


@router.post("/nodes", status_code=201)
def create_node(data: NodeIn, session: DbSession, who: Principal = COUNTY) -> dict[str, Any]:
    return node_out(county.create_node(session, principal=who, data=data))


@router.post("/nodes/{node_id}/flows", status_code=201)
def add_flow(
    node_id: Id, data: FlowIn, session: DbSession, who: Principal = COUNTY
) -> dict[str, Any]:
    return flow_out(county.add_flow(session, principal=who, node_id=node_id, data=data))


@router.post("/flows/{flow_id}/run")
def run_flow(
    flow_id: Id, request: Request, session: DbSession, who: Principal = COUNTY
) -> dict[str, Any]:
    county.run_flow(session, lake=lake_of(app_ctx(request)), flow_id=flow_id, actor=who.username)
    flow = session.get(ReturnFlow, flow_id)
    assert flow is not None
    return flow_out(flow)
