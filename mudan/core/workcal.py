"""Working-day calendar (工作日历) behind every statutory deadline.

Rules
-----
* Official holidays and 调休 make-up workdays come from ``chinese_calendar``; admin
  overrides (:class:`DayOverride`, the admin-extended holiday table) always win.
* Days in years ``chinese_calendar`` does not cover (it raises ``NotImplementedError``,
  e.g. 2027 with version 1.11.0) and that no override covers fall back to Monday–Friday
  and are *provisional*.  A :class:`Deadline` is provisional when any day of the span
  walked to compute it was provisional.
* ``add_workdays`` follows 期限开始的当日不计入: the day the request arrives never counts,
  whatever the hour (also when it arrives on a rest day).  The deadline is the close of
  business (end of the last work period) of the n-th working day after that day.
  ``n == 0`` means close of business of the first working day on or after the start date.
* Time zone: everything is evaluated in China Standard Time (Asia/Shanghai, which has had
  a fixed UTC+08:00 offset and no DST since 1991).  Naive datetimes are taken as Shanghai
  wall time and give naive results; aware datetimes are converted to UTC+08:00 and give
  aware results with ``tzinfo=CHINA_TZ``.  A plain ``date`` gives a naive result.
* ``working_time_between(a, b)`` is antisymmetric: negative when ``b < a``.
  ``workdays_between(a, b)`` counts working days in ``(a, b]`` (negative when ``b < a``),
  so ``workdays_between(d, add_workdays(d, n).at.date()) == n`` for ``n >= 1``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import chinese_calendar

__all__ = [
    "CHINA_TZ",
    "DEFAULT_WORK_PERIODS",
    "MAX_WORKDAYS",
    "DayOverride",
    "Deadline",
    "WorkCalendar",
]

CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")
DEFAULT_WORK_PERIODS: tuple[tuple[time, time], ...] = (
    (time(9, 0), time(12, 0)),
    (time(13, 30), time(17, 30)),
)
MAX_WORKDAYS = 3650
#: Hard stop (in calendar days) for every walk over the calendar.
MAX_SPAN_DAYS = 366 * 20
_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class DayOverride:
    """Admin decision for one day; it wins over the official calendar."""

    day: date
    is_workday: bool
    note: str = ""


@dataclass(frozen=True, slots=True)
class Deadline:
    at: datetime
    provisional: bool


def _to_local(value: datetime) -> datetime:
    """Naive Shanghai wall time for ``value`` (naive input is already wall time)."""
    if value.utcoffset() is None:
        return value.replace(tzinfo=None)
    return value.astimezone(CHINA_TZ).replace(tzinfo=None)


def _like(local: datetime, template: datetime) -> datetime:
    """Give ``local`` (naive Shanghai time) the naive/aware kind of ``template``."""
    return local if template.utcoffset() is None else local.replace(tzinfo=CHINA_TZ)


def _as_date(value: date) -> date:
    return _to_local(value).date() if isinstance(value, datetime) else value


def _span_error(what: str) -> ValueError:
    return ValueError(f"{what}: no result within {MAX_SPAN_DAYS} calendar days")


class WorkCalendar:
    """Official Chinese working-day calendar plus admin overrides; see module docs."""

    def __init__(
        self,
        overrides: Iterable[DayOverride] = (),
        work_periods: Sequence[tuple[time, time]] = DEFAULT_WORK_PERIODS,
    ) -> None:
        table: dict[date, DayOverride] = {}
        for ov in overrides:
            prev = table.get(ov.day)
            if prev is not None and prev.is_workday != ov.is_workday:
                raise ValueError(f"conflicting overrides for {ov.day.isoformat()}")
            table[ov.day] = ov
        periods = tuple((s, e) for s, e in work_periods)
        if not periods:
            raise ValueError("work_periods must not be empty")
        prev_end: time | None = None
        for s, e in periods:
            if s.tzinfo is not None or e.tzinfo is not None:
                raise ValueError("work_periods must use naive (Shanghai wall-clock) times")
            if not s < e or (prev_end is not None and s < prev_end):
                raise ValueError("work_periods must be non-empty, sorted and non-overlapping")
            prev_end = e
        self._overrides = table
        self._periods = periods
        base = date(2000, 1, 1)
        self._day_hours = sum(
            (datetime.combine(base, e) - datetime.combine(base, s) for s, e in periods),
            timedelta(0),
        ) / timedelta(hours=1)

    @property
    def work_periods(self) -> tuple[tuple[time, time], ...]:
        return self._periods

    def _status(self, d: date) -> tuple[bool, bool]:
        """``(is_workday, provisional)`` for the calendar date ``d``."""
        ov = self._overrides.get(d)
        if ov is not None:
            return ov.is_workday, False
        try:
            return bool(chinese_calendar.is_workday(d)), False
        except NotImplementedError:
            return d.weekday() < 5, True

    def is_workday(self, d: date) -> bool:
        """Whether ``d`` is a working day (a datetime is reduced to its Shanghai date)."""
        return self._status(_as_date(d))[0]

    def is_provisional(self, d: date) -> bool:
        """True when ``d``'s status is the Mon–Fri guess (year unknown, no override)."""
        return self._status(_as_date(d))[1]

    def add_workdays(self, start: datetime | date, n: int) -> Deadline:
        """Close of business of the n-th working day after the start date."""
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"n must be an int, got {type(n).__name__}")
        if not 0 <= n <= MAX_WORKDAYS:
            raise ValueError(f"n must be between 0 and {MAX_WORKDAYS} working days, got {n}")
        day = _as_date(start)
        if n > 0:
            day += _DAY
        remaining = max(n, 1)
        provisional = False
        for _ in range(MAX_SPAN_DAYS):
            is_work, prov = self._status(day)
            provisional |= prov
            if is_work:
                remaining -= 1
                if remaining == 0:
                    at = datetime.combine(day, self._periods[-1][1])
                    if isinstance(start, datetime):
                        at = _like(at, start)
                    return Deadline(at, provisional)
            day += _DAY
        raise _span_error("add_workdays")

    def add_work_hours(self, start: datetime, hours: float) -> Deadline:
        """Earliest instant at which ``hours`` of working time have elapsed since ``start``.

        Only time inside work periods on working days counts; a result landing exactly on
        the end of a period stays there (it does not jump to the next period).
        ``hours == 0`` returns ``start`` itself.
        """
        limit = MAX_WORKDAYS * self._day_hours
        if not math.isfinite(hours) or not 0 <= hours <= limit:
            raise ValueError(f"hours must be a finite number between 0 and {limit:g}")
        local = _to_local(start)
        remaining = timedelta(hours=hours)
        day = local.date()
        if not remaining:
            return Deadline(_like(local, start), self._status(day)[1])
        provisional = False
        for _ in range(MAX_SPAN_DAYS):
            is_work, prov = self._status(day)
            provisional |= prov
            if is_work:
                for s, e in self._periods:
                    lo = max(local, datetime.combine(day, s))
                    hi = datetime.combine(day, e)
                    if lo >= hi:
                        continue
                    if remaining <= hi - lo:
                        return Deadline(_like(lo + remaining, start), provisional)
                    remaining -= hi - lo
            day += _DAY
        raise _span_error("add_work_hours")

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Working time in ``[a, b]``; negative when ``b < a``.

        Naive and aware values may be mixed (naive ones are Shanghai wall time).
        """
        la, lb = _to_local(a), _to_local(b)
        if lb < la:
            return -self.working_time_between(b, a)
        if (lb.date() - la.date()).days > MAX_SPAN_DAYS:
            raise ValueError(f"span longer than {MAX_SPAN_DAYS} calendar days")
        total = timedelta(0)
        day = la.date()
        while day <= lb.date():
            if self._status(day)[0]:
                for s, e in self._periods:
                    lo = max(la, datetime.combine(day, s))
                    hi = min(lb, datetime.combine(day, e))
                    if hi > lo:
                        total += hi - lo
            day += _DAY
        return total

    def workdays_between(self, a: date, b: date) -> int:
        """Number of working days in ``(a, b]``; negative when ``b < a``."""
        da, db = _as_date(a), _as_date(b)
        if db < da:
            return -self.workdays_between(db, da)
        span = (db - da).days
        if span > MAX_SPAN_DAYS:
            raise ValueError(f"span longer than {MAX_SPAN_DAYS} calendar days")
        return sum(1 for i in range(1, span + 1) if self._status(da + timedelta(days=i))[0])
