"""Ops API: screen layouts, the one-payload endpoint, live events (SSE) and one-map data."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from sse_starlette import EventSourceResponse
from starlette.concurrency import run_in_threadpool

from mudan.core import audit
from mudan.core.deps import DbSession, app_ctx, locale_of
from mudan.core.errors import InvalidInput
from mudan.core.params import MAX_ID
from mudan.domains.ops import layouts
from mudan.domains.ops.cursor import decode_position
from mudan.domains.ops.live import Hub, Replay, Subscriber, events, fresh_position, replay
from mudan.domains.ops.payload import scope_of, screen_payload
from mudan.domains.ops.schemas import ScreenIn, ScreenOut
from mudan.domains.ops.sources import latest_alert_id, source_for
from mudan.kernel.deps import CurrentPrincipal, require
from mudan.kernel.rbac import Principal

router = APIRouter(prefix="/api/v1/ops", tags=["ops"])
VIEW, EDIT = require("screen.view"), require("indicators.manage")


def hub_of(request: Request) -> Hub:
    ctx = app_ctx(request)
    return ctx.runtime.cached(
        "ops.hub",
        lambda: Hub(lambda: ctx.sessions, lambda: source_for(ctx.extras), ctx.extras, ctx.pm),
    )


@router.get("/screens", response_model=list[ScreenOut], dependencies=[VIEW])
def ops_list_screens(session: DbSession) -> list[ScreenOut]:
    return layouts.list_screens(session)


@router.get("/screens/{code}", response_model=ScreenOut, dependencies=[VIEW])
def ops_get_screen(code: str, session: DbSession) -> ScreenOut:
    return layouts.get_screen(session, code=code)


def audit_layout(session: Session, who: Principal, action: str, code: str, **detail: Any) -> None:
    audit.record(
        session,
        actor=who.username,
        role=who.primary_role,
        action=action,
        object_type="ops_screen",
        object_id=code,
        detail=detail,
    )


@router.put("/screens/{code}", response_model=ScreenOut)
def ops_save_screen(
    code: str, body: ScreenIn, session: DbSession, who: Principal = EDIT
) -> ScreenOut:
    if body.code != code:
        raise InvalidInput("ops.code_mismatch", code=code, body=body.code)
    out = layouts.save_screen(session, screen=body, actor=who.username)
    audit_layout(session, who, "ops.screen_saved", code, panels=len(body.panels))
    return out


@router.delete("/screens/{code}")
def ops_reset_screen(code: str, session: DbSession, who: Principal = EDIT) -> dict[str, Any]:
    out = layouts.reset_screen(session, code=code)
    audit_layout(session, who, "ops.screen_reset", code)
    return {"ok": True, "default": out.model_dump(mode="json") if out else None}


@router.get("/screens/{code}/payload", dependencies=[VIEW])
def ops_screen_payload(
    code: str,
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    region: str | None = None,
) -> dict[str, Any]:
    """Everything one screen needs; a broken panel carries its own error text."""
    screens = layouts.list_screens(session, enabled_only=True)
    screen = layouts.get_screen(session, code=code)
    return screen_payload(
        session,
        screen=screen,
        screens=screens,
        source=source_for(app_ctx(request).extras),
        scope=scope_of(session, principal, region),
        extras=app_ctx(request).extras,
        pm=app_ctx(request).pm,
        locale=locale_of(request),
    )


@router.get("/regions/{code}/values", dependencies=[VIEW])
def ops_region_values(
    code: str, request: Request, session: DbSession, principal: CurrentPrincipal, indicator: str
) -> dict[str, Any]:
    """One indicator for the children of a region (the map's drill-down)."""
    scope = scope_of(session, principal, code)
    source = source_for(app_ctx(request).extras)
    regions = []
    for child, name in scope.children:
        got = source.latest_values(session, codes=[indicator], region_code=child) if source else {}
        v = got.get(indicator)
        regions.append({"region_code": child, "name": name, "value": v.value if v else None})
    return {
        "region_code": scope.code,
        "code": indicator,
        "available": source is not None,
        "regions": regions,
    }


@router.get("/alerts", dependencies=[VIEW])
def ops_alerts_since(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    after: int = Query(0, ge=0, le=MAX_ID),
    limit: int = Query(100, ge=1, le=500),
) -> dict[str, Any]:
    """New alerts after an id (the polling fallback of the live stream)."""
    source = source_for(app_ctx(request).extras)
    if source is None:
        return {"available": False, "items": []}
    hub = hub_of(request)
    items = source.alerts_since(session, after_id=after, limit=limit)
    paths = hub.paths(session, items)
    visible = [a for a in items if principal_sees(principal, paths.get(a.region_code or ""))]
    return {"available": True, "items": [a.event() for a in visible]}


def principal_sees(principal: Principal, path: str | None) -> bool:
    return path is None or principal.sees_path(path)


@router.get("/stream", dependencies=[VIEW])
async def ops_stream(
    request: Request,
    principal: CurrentPrincipal,
    screen: str = "overview",
    after: int | None = Query(None, ge=0, le=MAX_ID),
    resume: str | None = Query(None, max_length=1000),
    last_event_id: str | None = Header(None),
) -> Response:
    """Server-sent events: ``{"type": "alert", ...}`` (with ``id``) and ``{"type": "values"}``.

    A stream resumes from ``Last-Event-ID`` (the browser's own reconnect) or ``resume`` (the
    last SSE id, when the page opens a new stream), else starts after ``after`` or the newest
    alert."""
    ctx = app_ctx(request)
    hub = hub_of(request)
    position = decode_position(last_event_id) or decode_position(resume)

    def prepare() -> tuple[str, tuple[str, ...], tuple[int, set[int]]]:
        with ctx.sessions() as session:
            layout = layouts.get_screen(session, code=screen)
            scope = scope_of(session, principal)
            codes = tuple(sorted({c for p in layout.panels for c in p.codes}))
            source = source_for(ctx.extras)
            start = position
            if start is None:
                newest = (
                    after
                    if after is not None
                    else latest_alert_id(source, session)
                    if source
                    else 0
                )
                start = fresh_position(session, source, hub, newest)
            return scope.code, codes, start

    region, codes, (floor, had) = await run_in_threadpool(prepare)
    sub = Subscriber(principal=principal, region_code=region, codes=codes, floor=floor, sent=had)

    def missed() -> Replay:
        source = source_for(ctx.extras)
        if source is None:
            return Replay([], sub.floor)
        with ctx.sessions() as session:
            return replay(session, source, hub, sub)

    return EventSourceResponse(events(hub, sub, missed), ping=15, send_timeout=10)
