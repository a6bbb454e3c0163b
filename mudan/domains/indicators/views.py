"""Indicator centre and alerts API under /api/v1/indicators and /api/v1/alerts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from mudan.core import audit
from mudan.core.db import utcnow
from mudan.core.deps import DbSession, app_ctx
from mudan.core.errors import NotFound
from mudan.core.params import Id
from mudan.domains.indicators import defs, rules, service
from mudan.domains.indicators.enums import AlertKind, AlertLevel
from mudan.domains.indicators.models import Alert
from mudan.domains.indicators.schemas import (
    AlertDetailOut,
    AlertIn,
    AlertOut,
    HandOffIn,
    IndicatorIn,
    IndicatorOut,
    IndicatorPatch,
    IndicatorValueOut,
    NoteIn,
    SeriesOut,
    VersionOut,
)
from mudan.domains.indicators.scope import alert_prefixes, check_region, sees_alert_region
from mudan.hooks import collect
from mudan.kernel.deps import require
from mudan.kernel.rbac import Principal
from mudan.lake import lake_of

router = APIRouter(tags=["indicators"])
READ, MANAGE = require("indicators.read"), require("indicators.manage")
ALERTS_READ, ALERTS_HANDLE = require("alerts.read"), require("alerts.handle")
CITY = service.CITY


class ComputeOut(BaseModel):
    code: str
    period_start: datetime
    version: int
    status: str
    regions: int
    error: str


class MetricOut(BaseModel):
    code: str
    name: str
    unit: str
    section: str
    bound_by: list[str]


def _audit(session: DbSession, who: Principal, action: str, oid: str, **detail: Any) -> None:
    audit.record(
        session,
        actor=who.username,
        role=who.primary_role,
        action=action,
        object_type="indicator",
        object_id=oid,
        detail=detail,
    )


@router.get("/api/v1/indicators", dependencies=[READ])
def indicators_list(session: DbSession) -> list[IndicatorOut]:
    return [defs.def_out(session, d) for d in defs.list_defs(session)]


@router.post("/api/v1/indicators", status_code=201)
def indicators_create(
    data: IndicatorIn, request: Request, session: DbSession, who: Principal = MANAGE
) -> IndicatorOut:
    ind = defs.create_def(session, data=data, actor=who.username, lake=lake_of(app_ctx(request)))
    _audit(session, who, "indicators.created", ind.code, kind=str(data.kind))
    return defs.def_out(session, ind)


@router.get("/api/v1/indicators/metrics", dependencies=[READ])
def indicators_metrics(request: Request, session: DbSession) -> list[MetricOut]:
    """Platform metrics the installed domains register, and which indicators bind them."""
    bound: dict[str, list[str]] = {}
    for d in defs.list_defs(session):
        ver = defs.current(session, indicator=d)
        if ver.kind == "metric":
            bound.setdefault(ver.formula, []).append(d.code)
    specs = collect(app_ctx(request).pm.hook.mudan_indicators())
    return [MetricOut(code=s.code, name=s.name, unit=s.unit, section=s.section,
                      bound_by=bound.get(s.code, [])) for s in specs]  # fmt: skip


@router.get("/api/v1/indicators/values", dependencies=[READ])
def indicators_values(
    request: Request,
    session: DbSession,
    region_code: str = CITY,
    codes: Annotated[list[str] | None, Query()] = None,
    who: Principal = READ,
) -> list[IndicatorValueOut]:
    check_region(session, who, region_code)
    return service.latest_values(
        session, codes=codes, region_code=region_code, pm=app_ctx(request).pm
    )


@router.post("/api/v1/indicators/compute")
def indicators_compute_all(
    request: Request,
    session: DbSession,
    codes: Annotated[list[str] | None, Query()] = None,
    who: Principal = MANAGE,
) -> list[ComputeOut]:
    ctx = app_ctx(request)
    now = utcnow()
    results = service.compute_all(session, at=now, lake=lake_of(ctx), pm=ctx.pm, codes=codes)
    rules.evaluate_all(session, at=now, codes=codes)
    _audit(session, who, "indicators.computed", ",".join(codes or ["*"])[:128])
    return [ComputeOut(**r.__dict__) for r in results]


@router.get("/api/v1/indicators/{code}", dependencies=[READ])
def indicators_show(code: str, session: DbSession) -> IndicatorOut:
    return defs.def_out(session, defs.get_def(session, code=code))


@router.patch("/api/v1/indicators/{code}")
def indicators_update(
    code: str, patch: IndicatorPatch, request: Request, session: DbSession, who: Principal = MANAGE
) -> IndicatorOut:
    ind, new_version = defs.update_def(
        session, code=code, patch=patch, actor=who.username, lake=lake_of(app_ctx(request))
    )
    _audit(session, who, "indicators.updated", code, new_version=new_version,
           version=ind.current_version)  # fmt: skip
    return defs.def_out(session, ind)


@router.get("/api/v1/indicators/{code}/versions", dependencies=[READ])
def indicators_versions(code: str, session: DbSession) -> list[VersionOut]:
    return defs.list_versions(session, code=code)


@router.get("/api/v1/indicators/{code}/series")
def indicators_series(
    code: str,
    session: DbSession,
    region_code: str = CITY,
    days: Annotated[int, Query(ge=1, le=400)] = 7,
    who: Principal = READ,
) -> SeriesOut:
    check_region(session, who, region_code)
    return service.series(
        session, code=code, region_code=region_code, since=utcnow() - timedelta(days=days)
    )


@router.get("/api/v1/indicators/{code}/regions")
def indicators_regions(
    code: str, session: DbSession, parent_code: str = CITY, who: Principal = READ
) -> list[IndicatorValueOut]:
    check_region(session, who, parent_code)
    return service.region_values(session, code=code, parent_code=parent_code)


@router.post("/api/v1/indicators/{code}/compute")
def indicators_compute(
    code: str, request: Request, session: DbSession, who: Principal = MANAGE
) -> ComputeOut:
    ctx = app_ctx(request)
    now = utcnow()
    result = service.compute(session, code=code, at=now, lake=lake_of(ctx), pm=ctx.pm)
    rules.evaluate_all(session, at=now, codes=[code])
    _audit(session, who, "indicators.computed", code, status=str(result.status))
    return ComputeOut(**result.__dict__)


@router.post("/api/v1/indicators/{code}/forecast")
def indicators_forecast(
    code: str,
    session: DbSession,
    region_code: Annotated[list[str], Query()],
    who: Principal = MANAGE,
) -> list[dict[str, Any]]:
    results = service.run_forecast(session, code=code, at=utcnow(), regions=region_code)
    _audit(session, who, "indicators.forecast", code, regions=region_code)
    return [r.__dict__ for r in results]


# --- alerts ---------------------------------------------------------------------------------


@router.get("/api/v1/alerts")
def alerts_list(
    session: DbSession,
    status: str = "",
    level: AlertLevel | None = None,
    after_id: Annotated[int | None, Query(ge=0)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    who: Principal = ALERTS_READ,
) -> list[AlertOut]:
    """Newest first; with ``after_id``, the alerts after it oldest first (for polling)."""
    if after_id is not None:
        rows = service.alerts_since(session, after_id=after_id, limit=limit)
        return [a for a in rows if sees_alert_region(who, a.region_code)]
    return service.list_alerts(
        session,
        status=status or None,
        region_prefixes=alert_prefixes(who),
        level=level.value if level else None,
        limit=limit,
    )


@router.post("/api/v1/alerts", status_code=201)
def alerts_create(data: AlertIn, session: DbSession, who: Principal = ALERTS_HANDLE) -> AlertOut:
    alert, created = service.raise_alert(
        session,
        kind=AlertKind.MANUAL,
        source="manual",
        level=data.level,
        title=data.title,
        dedup_key=data.dedup_key or f"manual:{who.username}:{utcnow().isoformat()}",
        actor=who.username,
        region_code=data.region_code,
        detail=data.detail,
        object_ref=data.object_ref,
        lon=data.lon,
        lat=data.lat,
    )
    audit.record(session, actor=who.username, role=who.primary_role, action="alerts.raised",
                 object_type="alert", object_id=str(alert.id), detail={"new": created})  # fmt: skip
    return service.alert_out(alert)


def _visible(session: DbSession, who: Principal, alert_id: int) -> Alert:
    alert = service.get_alert(session, alert_id=alert_id)
    if not sees_alert_region(who, alert.region_code):
        raise NotFound("indicators.alert_not_found", id=alert_id)
    return alert


@router.get("/api/v1/alerts/{alert_id}")
def alerts_show(alert_id: Id, session: DbSession, who: Principal = ALERTS_READ) -> AlertDetailOut:
    return service.detail_out(session, _visible(session, who, alert_id))


def _act(
    session: DbSession, who: Principal, alert_id: int, action: str, note: str
) -> AlertDetailOut:
    _visible(session, who, alert_id)
    alert = service.transition(
        session, alert_id=alert_id, action=action, actor=who.username, role=who.primary_role,
        note=note,
    )  # fmt: skip
    return service.detail_out(session, alert)


@router.post("/api/v1/alerts/{alert_id}/acknowledge")
def alerts_acknowledge(
    alert_id: Id, body: NoteIn, session: DbSession, who: Principal = ALERTS_HANDLE
) -> AlertDetailOut:
    return _act(session, who, alert_id, "acknowledge", body.note)


@router.post("/api/v1/alerts/{alert_id}/handle")
def alerts_handle(
    alert_id: Id, body: NoteIn, session: DbSession, who: Principal = ALERTS_HANDLE
) -> AlertDetailOut:
    return _act(session, who, alert_id, "handle", body.note)


@router.post("/api/v1/alerts/{alert_id}/close")
def alerts_close(
    alert_id: Id, body: NoteIn, session: DbSession, who: Principal = ALERTS_HANDLE
) -> AlertDetailOut:
    return _act(session, who, alert_id, "close", body.note)


@router.post("/api/v1/alerts/{alert_id}/handoff")
def alerts_handoff(
    alert_id: Id, body: HandOffIn, request: Request, session: DbSession,
    who: Principal = ALERTS_HANDLE,
) -> AlertDetailOut:  # fmt: skip
    _visible(session, who, alert_id)
    alert = service.hand_off(
        session, alert_id=alert_id, department_code=body.department_code, actor=who.username,
        role=who.primary_role, pm=app_ctx(request).pm, note=body.note,
    )  # fmt: skip
    return service.detail_out(session, alert)
