"""What the video domain feeds the indicator centre and the one-map."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.domains.video.enums import RateDim
from mudan.domains.video.models import VideoChannel
from mudan.domains.video.rates import ONLINE_TARGET, RETRIEVED_TARGET, RateRow, day_rates
from mudan.domains.video.registry import region_scope, scoped
from mudan.hooks import IndicatorSpec, MapPoints, MetricValue
from mudan.kernel.geo import CITY_CODE
from mudan.kernel.rbac import Principal


def _day_rows(session: Session, day: date) -> list[RateRow]:
    city = day_rates(session, day=day, dim=RateDim.CITY)
    return city + [r for r in day_rates(session, day=day, dim=RateDim.DISTRICT) if r.key]


def _region(row: RateRow) -> str:
    return CITY_CODE if row.key == CITY_CODE else row.key


def channels_metric(session: Session, day: date) -> list[MetricValue]:
    rows = _day_rows(session, day)
    if not rows:
        return [MetricValue(CITY_CODE, None)]
    return [MetricValue(_region(r), float(r.total)) for r in rows]


def online_metric(session: Session, day: date) -> list[MetricValue]:
    rows = _day_rows(session, day)
    if not rows:
        return [MetricValue(CITY_CODE, None)]
    return [MetricValue(_region(r), r.online_rate, r.online, r.total) for r in rows]


def retrieved_metric(session: Session, day: date) -> list[MetricValue]:
    rows = _day_rows(session, day)
    if not rows:
        return [MetricValue(CITY_CODE, None)]
    return [MetricValue(_region(r), r.retrieved_rate, r.retrieved, r.total) for r in rows]


def indicator_specs() -> list[IndicatorSpec]:
    return [
        IndicatorSpec("video.channels", "视频通道数", "路", "sense", compute=channels_metric),
        IndicatorSpec(
            "video.online_rate", "视频在线率", "%", "sense", ONLINE_TARGET, compute=online_metric
        ),
        IndicatorSpec(
            "video.retrieved_rate",
            "视频出图率",
            "%",
            "sense",
            RETRIEVED_TARGET,
            compute=retrieved_metric,
        ),
    ]


def channel_points(session: Session, principal: Principal) -> MapPoints:
    """The principal's located channels (scoped as the channel list is) as columns."""
    c = VideoChannel
    q: Any = select(c.id, c.lon, c.lat, c.name).where(c.lon.is_not(None), c.lat.is_not(None))
    rows = session.execute(scoped(q, region_scope(principal)).order_by(c.id)).all()
    return MapPoints(
        ids=[str(r[0]) for r in rows],
        lons=[cast(float, r[1]) for r in rows],
        lats=[cast(float, r[2]) for r in rows],
        labels=[str(r[3]) for r in rows],
    )
