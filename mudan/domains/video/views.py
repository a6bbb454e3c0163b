"""Video API under /api/v1/video: channels, catalog import, gateway events, probes, rates."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core import audit
from mudan.core.db import utcnow
from mudan.core.deps import DbSession, app_ctx
from mudan.core.errors import Forbidden, InvalidInput, NotFound
from mudan.core.i18n import t
from mudan.core.params import MAX_ID, Id
from mudan.domains.video import flows as video_flows
from mudan.domains.video import service as vs
from mudan.domains.video.codes import check_code
from mudan.domains.video.enums import RateDim
from mudan.domains.video.models import VideoDevice, VideoProbe, VideoSnapshot
from mudan.domains.video.rates import day_rates, latest_day, month_rates, trend
from mudan.domains.video.schemas import (
    ChannelDetail,
    ChannelOut,
    ChannelPage,
    ChannelQuery,
    CodeFields,
    EventRejectOut,
    EventsIn,
    EventsOut,
    ImportOut,
    ProbeOut,
    ProbeRequest,
    ProbeResultOut,
    RateOut,
    RatesOut,
    RowErrorOut,
    StatusOut,
    TrendOut,
)
from mudan.domains.video.status import DeviceEvent
from mudan.kernel.deps import current_principal, require
from mudan.kernel.locator import locator_of
from mudan.kernel.rbac import Principal
from mudan.kernel.scope import Scope

router = APIRouter(prefix="/api/v1/video", tags=["video"])
READ, MANAGE, INGEST = require("video.read"), require("video.manage"), require("video.ingest")
MAX_IMPORT_BYTES = 200 * 1024 * 1024


@router.get("/channels", dependencies=[READ])
def list_video_channels(
    request: Request,
    session: DbSession,
    query: Annotated[ChannelQuery, Query()],
    page: Annotated[int, Query(le=MAX_ID)] = 1,
) -> ChannelPage:
    scope = vs.region_scope(current_principal(request))
    filters = query.filter()
    rows, total = vs.list_channels(session, scope=scope, filters=filters, page=max(1, page))
    return ChannelPage(total=total, page=page, items=[ChannelOut.model_validate(r) for r in rows])


def channel_detail(session: Session, channel_id: int, who: Principal) -> ChannelDetail:
    ch = vs.get_channel(session, channel_id=channel_id, scope=vs.region_scope(who))
    info = check_code(ch.code)
    device_code = session.scalar(select(VideoDevice.code).where(VideoDevice.id == ch.device_id))
    probes = session.scalars(
        select(VideoProbe)
        .where(VideoProbe.channel_id == ch.id)
        .order_by(VideoProbe.at.desc(), VideoProbe.id.desc())
        .limit(50)
    )
    return ChannelDetail(
        **ChannelOut.model_validate(ch).model_dump(),
        device_code=device_code or "",
        code_fields=CodeFields(
            centre=info.centre,
            industry=info.industry,
            type_code=info.type_code,
            network=info.network,
            network_name=info.network_name,
            serial=info.serial,
        ),
        probes=[ProbeOut.model_validate(p) for p in probes],
    )


@router.get("/channels/{channel_id}", dependencies=[READ])
def get_video_channel(channel_id: Id, request: Request, session: DbSession) -> ChannelDetail:
    return channel_detail(session, channel_id, current_principal(request))


@router.get("/channels/{channel_id}/snapshot", dependencies=[READ])
def video_channel_snapshot(channel_id: Id, request: Request, session: DbSession) -> Response:
    vs.get_channel(
        session, channel_id=channel_id, scope=vs.region_scope(current_principal(request))
    )
    snap = session.get(VideoSnapshot, channel_id)
    if snap is None:
        raise NotFound("video.channel_not_found", channel=channel_id)
    return Response(snap.data, media_type=snap.content_type, headers={"Cache-Control": "no-store"})


@router.post("/imports", status_code=201)
def import_video_catalog(
    request: Request,
    session: DbSession,
    file: Annotated[UploadFile, File()],
    who: Principal = MANAGE,
) -> ImportOut:
    data = file.file.read(MAX_IMPORT_BYTES + 1)
    if not data:
        raise InvalidInput("video.file_required")
    if len(data) > MAX_IMPORT_BYTES:
        raise InvalidInput("video.too_many_rows", limit=MAX_IMPORT_BYTES)
    report = vs.import_catalog(
        session, data=data, filename=file.filename or "", locator=locator_of(session)
    )
    audit.record(
        session,
        actor=who.username,
        role=who.primary_role,
        action="video.catalog_imported",
        object_type="video_catalog",
        object_id=(file.filename or "")[:120],
        detail={
            "created": report.created,
            "updated": report.updated,
            "rejected": len(report.rejected),
        },
    )
    return ImportOut(
        created=report.created,
        updated=report.updated,
        rejected=[RowErrorOut(**vars(e)) for e in report.rejected],
    )


@router.post("/events", dependencies=[INGEST])
def post_video_events(request: Request, session: DbSession, body: EventsIn) -> EventsOut:
    """Registration, keepalive, unregistration and catalog events forwarded by a gateway."""
    now = utcnow()
    events = [
        DeviceEvent(
            kind=e.kind,
            device_code=e.device_code,
            at=e.at or now,
            interval_s=e.interval_s,
            channels=tuple((c.code, c.status) for c in e.channels),
        )
        for e in body.events
    ]
    misses = app_ctx(request).settings.video.keepalive_misses
    report = vs.apply_events(session, events=events, now=now, misses=misses)
    if report.device_ids:  # registrations/unregistrations show at once on those channels
        vs.recompute(session, at=now, device_ids=sorted(report.device_ids))
    locale = request.cookies.get("lang") or "zh"
    return EventsOut(
        accepted=report.accepted,
        rejected=[
            EventRejectOut(
                index=r.index,
                device_code=r.device_code,
                code=r.code,
                message=t(f"error.{r.code}", locale, at=body.events[r.index].at),
            )
            for r in report.rejected
        ],
    )


@router.post("/refresh")
def refresh_video_status(
    request: Request, session: DbSession, who: Principal = MANAGE
) -> StatusOut:
    ctx = app_ctx(request)
    rep = vs.refresh(session, at=utcnow(), config=ctx.settings.video, pm=ctx.pm)
    return StatusOut(
        **{k: getattr(rep.status, k) for k in ("at", "total", "online", "retrieved")},
        devices_online=rep.status.devices_online,
        repairs_opened=rep.repairs.opened if rep.repairs else None,
        alerts=rep.alerts,
    )


@router.post("/probes")
def probe_video_channels(
    request: Request, body: ProbeRequest, who: Principal = MANAGE
) -> list[ProbeResultOut]:
    """Probe up to 500 channels now (the scheduler probes every channel daily)."""
    ctx = app_ctx(request)
    outcomes = video_flows.probe_in_scope(
        ctx.sessions,
        channel_ids=body.channel_ids,
        scope=vs.region_scope(who),
        config=ctx.settings.video,
    )
    return [
        ProbeResultOut(
            channel_id=o.channel_id, result=o.result.value, latency_ms=o.latency_ms, detail=o.detail
        )
        for o in outcomes
    ]


def _rate_out(rows: list[vs.RateRow], scope: Scope, dim: RateDim) -> list[RateOut]:
    keep = [r for r in rows if dim == RateDim.OWNER or scope.covers(r.key)]
    return [
        RateOut(
            key=r.key,
            total=r.total,
            online=r.online,
            retrieved=r.retrieved,
            online_rate=r.online_rate,
            retrieved_rate=r.retrieved_rate,
        )
        for r in keep
    ]


@router.get("/rates", dependencies=[READ])
def video_rates(
    request: Request, session: DbSession, dim: RateDim = RateDim.DISTRICT, period: str = ""
) -> RatesOut:
    """Rates of a day (``period=YYYY-MM-DD``, default the latest) or a month (``YYYY-MM``)."""
    scope = vs.region_scope(current_principal(request))
    if not scope.whole_city and dim in (RateDim.CITY, RateDim.OWNER):
        raise Forbidden("video.city_only", dim=dim.value)  # city-wide figures
    try:
        if len(period) == 7:
            rows = month_rates(session, year=int(period[:4]), month=int(period[5:]), dim=dim)
        else:
            day = date.fromisoformat(period) if period else latest_day(session)
            period = day.isoformat() if day else ""
            rows = day_rates(session, day=day, dim=dim) if day else []
    except ValueError as exc:
        raise InvalidInput("video.bad_period", period=period[:20]) from exc
    return RatesOut(period=period, dim=dim.value, rows=_rate_out(rows, scope, dim))


@router.get("/rates/trend", dependencies=[READ])
def video_rate_trend(
    request: Request,
    session: DbSession,
    dim: RateDim = RateDim.CITY,
    key: str = "3717",
    days: int = 30,
) -> list[TrendOut]:
    scope = vs.region_scope(current_principal(request))
    regional = dim in (RateDim.DISTRICT, RateDim.STREET)
    if not scope.whole_city and not (regional and scope.covers(key)):
        raise Forbidden("video.city_only", dim=dim.value)
    end = latest_day(session) or utcnow().date()
    start = end - timedelta(days=max(1, min(days, 366)) - 1)
    points = trend(session, dim=dim, key=key, start=start, end=end)
    return [
        TrendOut(day=p.day, online_rate=p.online_rate, retrieved_rate=p.retrieved_rate)
        for p in points
    ]
