"""Video pages: channel list with filters, channel detail (probe history, last snapshot),
rates by district and owner unit with 30-day trends (ECharts)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.deps import DbSession, locale_of
from mudan.core.i18n import t
from mudan.core.params import Id
from mudan.domains.video import service as vs
from mudan.domains.video.enums import ChannelStatus, OwnerUnit, RateDim
from mudan.domains.video.models import VideoSnapshot
from mudan.domains.video.rates import (
    ONLINE_TARGET,
    RETRIEVED_TARGET,
    day_rates,
    latest_day,
    month_rates,
    trend,
)
from mudan.domains.video.registry import scoped_counts
from mudan.domains.video.schemas import ChannelQuery
from mudan.domains.video.views import channel_detail
from mudan.kernel.deps import current_principal, require
from mudan.kernel.geo import CITY_CODE
from mudan.kernel.models import Region
from mudan.kernel.scope import Scope
from mudan.web.render import render

router = APIRouter(include_in_schema=False)
READ = require("video.read")
PAGE_SIZE = 50
STATUSES = tuple(ChannelStatus)


def region_names(session: Session) -> dict[str, str]:
    levels = ("district", "zone", "street", "community")
    rows = session.execute(select(Region.code, Region.name).where(Region.level.in_(levels)))
    return {code: name for code, name in rows}


@router.get("/video", dependencies=[READ])
def video_channels_page(
    request: Request,
    session: DbSession,
    page: int = 1,
) -> Response:
    scope = vs.region_scope(current_principal(request))
    page = max(1, page)
    query, bad = ChannelQuery.for_page(request.query_params)
    rows, total = vs.list_channels(
        session, scope=scope, filters=query.filter(), page=page, page_size=PAGE_SIZE
    )
    names = region_names(session)
    districts = {k: v for k, v in sorted(names.items()) if len(k) == 6}
    if not scope.whole_city:
        districts = {k: v for k, v in districts.items() if k in scope.region_codes}
    ctx: dict[str, Any] = {
        "rows": rows,
        "total": total,
        "page": page,
        "pages": max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE),
        "names": names,
        "districts": districts,
        "owners": list(OwnerUnit),
        "statuses": STATUSES,
        "f": {k: request.query_params.get(k, "") for k in ChannelQuery.model_fields},
        "error": _bad_filter(request, bad),
        "counts": scoped_counts(session, scope=scope),
    }
    # a bad filter value is ignored and named, as the API's 422 names it
    return render(request, "video/channels.html", ctx, 422 if bad else 200)


def _bad_filter(request: Request, bad: list[str]) -> str | None:
    if not bad:
        return None
    loc = locale_of(request)
    return t("video.bad_filter", loc, fields="、".join(t(f"video.{k}", loc) for k in bad))


@router.get("/video/channels/{channel_id}", dependencies=[READ])
def video_channel_page(channel_id: Id, request: Request, session: DbSession) -> Response:
    detail = channel_detail(session, channel_id, current_principal(request))
    snap_at = session.scalar(select(VideoSnapshot.at).where(VideoSnapshot.channel_id == channel_id))
    ctx = {"ch": detail, "names": region_names(session), "snap_at": snap_at}
    return render(request, "video/channel.html", ctx)


def _rows(rows: list[vs.RateRow], scope: Scope) -> list[vs.RateRow]:
    return [r for r in rows if scope.covers(r.key)]


@router.get("/video/rates", dependencies=[READ])
def video_rates_page(request: Request, session: DbSession) -> Response:
    scope = vs.region_scope(current_principal(request))
    day = latest_day(session)
    ctx: dict[str, Any] = {
        "day": day,
        "names": region_names(session),
        "targets": (ONLINE_TARGET, RETRIEVED_TARGET),
        "city_wide": scope.whole_city,
        "by_district": [],
        "by_owner": [],
        "month_district": [],
        "trends": {},
    }
    if day is not None:
        start = day - timedelta(days=29)
        ctx["by_district"] = _rows(day_rates(session, day=day, dim=RateDim.DISTRICT), scope)
        ctx["month_district"] = _rows(
            month_rates(session, year=day.year, month=day.month, dim=RateDim.DISTRICT), scope
        )
        keys = [(RateDim.CITY, CITY_CODE)] if scope.whole_city else []
        keys += [(RateDim.DISTRICT, r.key) for r in ctx["by_district"] if r.key]
        if scope.whole_city:
            ctx["by_owner"] = day_rates(session, day=day, dim=RateDim.OWNER)
        trends = {}
        for dim, key in keys:
            points = trend(session, dim=dim, key=key, start=start, end=day)
            trends[key] = {
                "days": [p.day.isoformat() for p in points],
                "online": [p.online_rate for p in points],
                "retrieved": [p.retrieved_rate for p in points],
            }
        ctx["trends"] = trends
    return render(request, "video/rates.html", ctx)
