"""Pages: device list (filters), device detail (latest state + chart), online rate, dead letters."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import select

from mudan.core.db import utcnow
from mudan.core.deps import DbSession, locale_of
from mudan.core.i18n import t
from mudan.core.params import MAX_ID
from mudan.domains.iot import service
from mudan.domains.iot.enums import TYPES, DeviceStatus, DeviceType
from mudan.domains.iot.filters import DeviceQuery
from mudan.domains.iot.models import DeadLetter, Latest
from mudan.domains.iot.parse import BEIJING
from mudan.kernel.deps import CurrentPrincipal, require
from mudan.web.render import render

router = APIRouter(include_in_schema=False, dependencies=[require("iot.read")])


@router.get("/iot/devices")
def iot_devices_page(
    request: Request,
    session: DbSession,
    who: CurrentPrincipal,
    page: Annotated[int, Query(ge=1, le=MAX_ID)] = 1,
) -> Response:
    now = utcnow()
    query, bad = DeviceQuery.for_page(request.query_params)
    f = query.filter()
    rows, total = service.list_devices(session, principal=who, filters=f, now=now, page=page)
    ctx = {
        "devices": [service.device_out(d, lt, now) for d, lt in rows],
        "total": total,
        "ledger": service.ledger(session, principal=who),
        "page": page,
        "pages": max(1, (total + 49) // 50),
        "f": f,
        "types": list(DeviceType),
        "statuses": list(DeviceStatus),
        "error": _bad_filter(request, bad),
    }
    # a bad filter value is ignored and named, as the API's 422 names it
    return render(request, "iot/devices.html", ctx, 422 if bad else 200)


def _bad_filter(request: Request, bad: list[str]) -> str | None:
    if not bad:
        return None
    loc = locale_of(request)
    return t("iot.bad_filter", loc, fields="、".join(t(f"iot.{k}", loc) for k in bad))


@router.get("/iot/devices/{code}")
def iot_device_page(
    request: Request, code: str, session: DbSession, who: CurrentPrincipal
) -> Response:
    d = service.get_device(session, principal=who, code=code)
    now = utcnow()
    out = service.device_out(d, session.get(Latest, d.id), now)
    history = service.readings(session, device=d, since=now - timedelta(hours=24))
    metrics = [m.code for m in TYPES[DeviceType(d.type)].metrics]
    series = {m: [[h["ts"].isoformat(), h["values"].get(m)] for h in history] for m in metrics}
    ctx = {
        "d": out,
        "metrics": metrics,
        "series": series,
        "units": {m.code: m.unit for m in TYPES[DeviceType(d.type)].metrics},
    }
    return render(request, "iot/device.html", ctx)


@router.get("/iot/online")
def iot_online_page(
    request: Request, session: DbSession, day: date | None = None, by: str = "type"
) -> Response:
    by = by if by in ("type", "department", "region") else "type"
    the_day = day or datetime.now(BEIJING).date()
    rows = service.online_rates(session, day=the_day, now=utcnow(), by=by)
    online, active = service.online_now(session, now=utcnow())
    ctx = {
        "rows": rows,
        "by": by,
        "day": the_day,
        "online": online,
        "active": active,
        "ledger": service.ledger(session),  # the rates are city-wide, so are these counts
    }
    return render(request, "iot/online.html", ctx)


@router.get("/iot/dead-letters")
def iot_dead_page(request: Request, session: DbSession, reason: str = "") -> Response:
    stmt = select(DeadLetter).order_by(DeadLetter.id.desc()).limit(200)
    if reason:
        stmt = stmt.where(DeadLetter.reason == reason)
    ctx = {
        "items": list(session.scalars(stmt)),
        "counts": service.dead_letter_counts(session),
        "reason": reason,
    }
    return render(request, "iot/dead_letters.html", ctx)
