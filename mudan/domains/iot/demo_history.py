"""A month of daily online-rate summaries for the demo world (aggregates, not telemetry).

The in-process simulator sends today's readings for the connected (active) terminals only. A
running city has a summary per finished day (``iot_online_day``, what the hourly job keeps after
pruning); the demo writes those for the last 30 days, most terminals online (about 93–97.5 %),
straight from the active device groups, so it stays fast at any scale.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from mudan.core.db import utcnow
from mudan.demo.context import DemoContext
from mudan.domains.iot.models import Device, OnlineDay
from mudan.domains.iot.online import Group, store_day
from mudan.domains.iot.parse import BEIJING

HISTORY_DAYS = 30
DAY_S = 86_400.0


def history_days(today: date, days: int = HISTORY_DAYS) -> list[date]:
    return [today - timedelta(days=k) for k in range(days, 0, -1)]


def build_online_history(ctx: DemoContext) -> int:
    """Summaries for the finished days of the last month that have none (idempotent)."""
    session = ctx.session
    days = history_days(utcnow().astimezone(BEIJING).date())
    have = set(session.scalars(select(OnlineDay.day).where(OnlineDay.day.in_(days)).distinct()))
    todo = [d for d in days if d not in have]
    if not todo:
        return 0
    cols = (Device.type, Device.department_code, Device.district_code)
    groups = session.execute(
        select(*cols, func.count()).where(Device.status == "active").group_by(*cols)
    ).all()
    rng = ctx.rng("iot.online_history")
    stored = 0
    for day in todo:
        city = rng.uniform(0.93, 0.975)  # the day's weather, outages …
        acc: dict[Group, list[float]] = {}
        for typ, dept, dist, n in groups:
            rate = min(1.0, max(0.6, city + rng.gauss(0, 0.015)))
            acc[(typ, dept, dist)] = [n, n * DAY_S * rate, n * DAY_S]
        stored += store_day(session, day=day, groups=acc)
    return stored
