"""Indicators (IoT terminals, online rate) and the one-map point layer."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from mudan.core.db import utcnow
from mudan.domains.iot.models import Device
from mudan.domains.iot.online import online_rates
from mudan.domains.iot.parse import BEIJING
from mudan.domains.iot.registry import scope_clause
from mudan.hooks import IndicatorSpec, MapPoints, MetricValue
from mudan.kernel.rbac import Principal

POINTS_MAX = 300_000


def _count(session: Session, *where: ColumnElement[bool]) -> list[MetricValue]:
    rows = session.execute(
        select(Device.district_code, func.count()).where(*where).group_by(Device.district_code)
    ).all()
    total = sum(int(n) for _, n in rows)
    return [
        MetricValue("3717", float(total)),
        *(MetricValue(str(code), float(n)) for code, n in rows if code),
    ]


def _terminals(session: Session, day: date) -> list[MetricValue]:
    """Registered (登记): the ledger's terminals not retired, connected or not."""
    return _count(session, Device.status != "retired")


def _connected(session: Session, day: date) -> list[MetricValue]:
    """Connected (接入): registered and connected to the platform (not 未接入, not retired)."""
    return _count(session, Device.status.not_in(("retired", "pending")))


def _online(session: Session, day: date) -> list[MetricValue]:
    end_of_day = datetime.combine(day + timedelta(days=1), time(0), BEIJING)
    now = min(utcnow(), end_of_day)
    out = []
    for r in online_rates(session, day=day, now=now, by="region"):
        out.append(MetricValue(r.key, r.rate, r.online_s, r.total_s))
    return out


def indicators() -> list[IndicatorSpec]:
    return [
        IndicatorSpec("iot.terminals", "物联感知终端登记数", "个", "sense", None, True, _terminals),
        IndicatorSpec("iot.connected", "物联感知终端接入数", "个", "sense", None, True, _connected),
        IndicatorSpec("iot.online_rate", "物联感知终端在线率", "%", "sense", 95.0, True, _online),
    ]


def device_points(session: Session, principal: Principal) -> MapPoints:
    """The principal's devices (scoped as the device list is), retired ones left out."""
    stmt = select(Device.code, Device.lon, Device.lat, Device.type).where(
        Device.status != "retired"
    )
    scope = scope_clause(session, principal)
    if scope is not None:
        stmt = stmt.where(scope)
    rows = session.execute(stmt.order_by(Device.id).limit(POINTS_MAX)).all()
    return MapPoints(
        ids=[r[0] for r in rows],
        lons=[r[1] for r in rows],
        lats=[r[2] for r in rows],
        labels=[r[3] for r in rows],
    )
