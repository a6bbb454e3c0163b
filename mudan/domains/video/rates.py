"""在线率 and 出图率: per day (the figures of the day's latest status recompute, kept per city,
district, street and owner unit) and per month (channel-days: Σ online / Σ channels)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, Date, case, delete, func, insert, literal, select
from sqlalchemy.orm import Session

from mudan.domains.video.enums import RateDim
from mudan.domains.video.models import VideoChannel, VideoRateDay
from mudan.kernel.geo import CITY_CODE

LOCAL = ZoneInfo("Asia/Shanghai")
ONLINE_TARGET, RETRIEVED_TARGET = 95.0, 85.0


def local_day(at: datetime) -> date:
    return at.astimezone(LOCAL).date()


def store_day_rates(session: Session, *, day: date) -> int:
    """Replace the day's rate rows with counts of the channels' current status (set-based).
    Returns the number of rows written. Does not commit."""
    c = VideoChannel
    session.execute(delete(VideoRateDay).where(VideoRateDay.day == day))
    online = func.sum(case((c.online.is_(True), 1), else_=0))
    retrieved = func.sum(case((c.retrieved.is_(True), 1), else_=0))
    cols = ["day", "dim", "key", "total", "online", "retrieved"]
    written = 0
    keyed = (
        (RateDim.CITY, literal(CITY_CODE)),
        (RateDim.DISTRICT, func.coalesce(c.district_code, "")),
        (RateDim.STREET, func.coalesce(c.street_code, "")),
        (RateDim.OWNER, c.owner_unit),
    )
    for dim, key in keyed:
        q = select(
            literal(day, Date), literal(dim.value), key, func.count(), online, retrieved
        ).select_from(c)
        if dim != RateDim.CITY:
            q = q.group_by(key)
        result = session.execute(insert(VideoRateDay).from_select(cols, q))
        written += cast(CursorResult[Any], result).rowcount or 0
    return written


@dataclass(frozen=True)
class RateRow:
    key: str
    total: int
    online: int
    retrieved: int

    @property
    def online_rate(self) -> float | None:
        return round(100 * self.online / self.total, 2) if self.total else None

    @property
    def retrieved_rate(self) -> float | None:
        return round(100 * self.retrieved / self.total, 2) if self.total else None


def _rows(session: Session, dim: RateDim, start: date, end: date) -> list[RateRow]:
    r = VideoRateDay
    q = (
        select(r.key, func.sum(r.total), func.sum(r.online), func.sum(r.retrieved))
        .where(r.dim == dim.value, r.day >= start, r.day <= end)
        .group_by(r.key)
        .order_by(r.key)
    )
    return [RateRow(k, int(t or 0), int(o or 0), int(g or 0)) for k, t, o, g in session.execute(q)]


def day_rates(session: Session, *, day: date, dim: RateDim) -> list[RateRow]:
    return _rows(session, dim, day, day)


def month_rates(session: Session, *, year: int, month: int, dim: RateDim) -> list[RateRow]:
    start = date(year, month, 1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return _rows(session, dim, start, end)


@dataclass(frozen=True)
class TrendPoint:
    day: date
    online_rate: float | None
    retrieved_rate: float | None


def trend(session: Session, *, dim: RateDim, key: str, start: date, end: date) -> list[TrendPoint]:
    r = VideoRateDay
    q = (
        select(r.day, r.total, r.online, r.retrieved)
        .where(r.dim == dim.value, r.key == key, r.day >= start, r.day <= end)
        .order_by(r.day)
    )
    out = []
    for day, total, online, retrieved in session.execute(q):
        row = RateRow(key, total, online, retrieved)
        out.append(TrendPoint(day, row.online_rate, row.retrieved_rate))
    return out


def latest_day(session: Session) -> date | None:
    return session.scalar(select(func.max(VideoRateDay.day)))
