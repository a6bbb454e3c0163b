"""The iot JSON API: registry, import, HTTP telemetry batches, dead letters, online rates, rules."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, UploadFile
from pydantic import BaseModel

from mudan.core import audit
from mudan.core.db import utcnow
from mudan.core.deps import DbSession, app_ctx
from mudan.core.errors import InvalidInput
from mudan.core.params import MAX_ID
from mudan.domains.iot import service
from mudan.domains.iot.filters import DeviceQuery
from mudan.domains.iot.parse import BEIJING
from mudan.domains.iot.pipeline import Pipeline
from mudan.domains.iot.schemas import BatchIn, BatchOut, DeviceOut, ImportReport, RuleIn
from mudan.kernel.deps import CurrentPrincipal, require

router = APIRouter(prefix="/api/v1/iot", tags=["iot"])
READ, MANAGE, INGEST = require("iot.read"), require("iot.manage"), require("iot.ingest")


def pipeline_of(request: Request) -> Pipeline:
    ctx = app_ctx(request)
    return ctx.runtime.cached("iot.pipeline", lambda: Pipeline(pm=ctx.pm))


class DevicePage(BaseModel):
    total: int
    page: int
    items: list[DeviceOut]


@router.get("/devices", response_model=DevicePage, dependencies=[READ])
def iot_devices(
    session: DbSession,
    who: CurrentPrincipal,
    query: Annotated[DeviceQuery, Query()],
    page: Annotated[int, Query(ge=1, le=MAX_ID)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> DevicePage:
    now = utcnow()
    f = query.filter()
    rows, total = service.list_devices(
        session, principal=who, filters=f, now=now, page=page, page_size=page_size
    )
    return DevicePage(
        total=total, page=page, items=[service.device_out(d, lt, now) for d, lt in rows]
    )


@router.get("/devices/{code}", response_model=DeviceOut, dependencies=[READ])
def iot_device(code: str, session: DbSession, who: CurrentPrincipal) -> DeviceOut:
    from mudan.domains.iot.models import Latest

    d = service.get_device(session, principal=who, code=code)
    return service.device_out(d, session.get(Latest, d.id), utcnow())


@router.get("/devices/{code}/readings", dependencies=[READ])
def iot_device_readings(
    code: str,
    session: DbSession,
    who: CurrentPrincipal,
    hours: Annotated[int, Query(ge=1, le=48)] = 24,
) -> list[dict[str, Any]]:
    d = service.get_device(session, principal=who, code=code)
    return service.readings(session, device=d, since=utcnow() - timedelta(hours=hours))


@router.post("/devices/import", response_model=ImportReport, dependencies=[MANAGE])
def iot_import(
    session: DbSession, who: CurrentPrincipal, file: Annotated[UploadFile, File()]
) -> ImportReport:
    report = service.import_devices(
        session, data=file.file.read(), filename=file.filename or "devices.csv"
    )
    audit.record(
        session,
        actor=who.username,
        role=who.primary_role,
        action="iot.import",
        object_type="iot.device",
        object_id=(file.filename or "-")[:120],
        detail={"imported": report.imported, "errors": len(report.errors)},
    )
    return report


@router.post("/telemetry", response_model=BatchOut, dependencies=[INGEST])
def iot_telemetry(body: BatchIn, request: Request, session: DbSession) -> BatchOut:
    """Batch upload for gateways (a Role.SYSTEM token): same checks as the MQTT ingester."""
    stats = service.ingest_http(session, pipeline=pipeline_of(request), body=body, now=utcnow())
    return BatchOut(
        received=stats.received,
        accepted=stats.accepted,
        duplicates=stats.duplicates,
        dead_letters=stats.dead_letters,
        future=stats.future,
        alerts=stats.alerts,
    )


@router.get("/dead-letters", dependencies=[READ])
def iot_dead_letters(
    session: DbSession, reason: str = "", limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> dict[str, Any]:
    from sqlalchemy import select

    from mudan.domains.iot.models import DeadLetter

    stmt = select(DeadLetter).order_by(DeadLetter.id.desc()).limit(limit)
    if reason:
        stmt = stmt.where(DeadLetter.reason == reason)
    items = [
        {
            "id": d.id,
            "received_at": d.received_at,
            "source": d.source,
            "topic": d.topic,
            "device_code": d.device_code,
            "reason": d.reason,
            "detail": d.detail,
            "payload": d.payload,
        }
        for d in session.scalars(stmt)
    ]
    return {"counts": service.dead_letter_counts(session), "items": items}


@router.get("/online-rates", dependencies=[READ])
def iot_online_rates(
    session: DbSession, day: date | None = None, by: str = "type"
) -> list[dict[str, Any]]:
    if by not in ("type", "department", "region"):
        raise InvalidInput("iot.bad_dimension", by=by)
    now = utcnow()
    rows = service.online_rates(session, day=day or datetime.now(BEIJING).date(), now=now, by=by)
    return [
        {"key": r.key, "devices": r.devices, "rate": r.rate, "online_s": r.online_s} for r in rows
    ]


@router.post("/rules", status_code=201, dependencies=[MANAGE])
def iot_add_rule(body: RuleIn, session: DbSession, who: CurrentPrincipal) -> dict[str, Any]:
    rule = service.add_rule(session, rule=body)
    audit.record(
        session,
        actor=who.username,
        role=who.primary_role,
        action="iot.rule_add",
        object_type="iot.rule",
        object_id=str(rule.id),
        detail=body.model_dump(mode="json"),
    )
    return {"id": rule.id}
