"""Periods in UTC; days and months on Beijing time (Asia/Shanghai), where Heze lives."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from mudan.core.db import as_utc
from mudan.domains.indicators.enums import Frequency

TZ = ZoneInfo("Asia/Shanghai")


def local_day(at: datetime) -> date:
    return as_utc(at).astimezone(TZ).date()


def day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=TZ).astimezone(UTC)


def period_of(freq: Frequency, at: datetime) -> tuple[datetime, datetime]:
    """The period [start, end) that contains ``at``."""
    at = as_utc(at)
    if freq is Frequency.HOURLY:
        start = at.replace(minute=0, second=0, microsecond=0)
        return start, start + timedelta(hours=1)
    day = local_day(at)
    if freq is Frequency.DAILY:
        return day_start(day), day_start(day + timedelta(days=1))
    first = day.replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    return day_start(first), day_start(nxt)


def step(freq: Frequency) -> timedelta:
    return timedelta(hours=1) if freq is Frequency.HOURLY else timedelta(days=1)
