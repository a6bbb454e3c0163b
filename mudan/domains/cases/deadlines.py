"""Time limits on the working-day calendar: deadlines, 即将超时/超时 flags and the 督办 ladder."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from mudan.core.db import as_utc
from mudan.core.workcal import WorkCalendar
from mudan.domains.cases.enums import Flag, LimitUnit, Rung

WARN_SHARE = 0.8  # 即将超时 and the first 督办 at 80 % of the limit
CITY_SHARE = 2.0  # the city steps in when a case has run twice its limit


@dataclass(frozen=True)
class Limits:
    warn_at: datetime
    due_at: datetime
    provisional: bool


def compute_limits(cal: WorkCalendar, start: datetime, value: int, unit: str) -> Limits:
    start = as_utc(start)
    if LimitUnit(unit) == LimitUnit.WORKDAYS:
        due = cal.add_workdays(start, value)
    else:
        due = cal.add_work_hours(start, float(value))
    span = cal.working_time_between(start, due.at)
    warn = cal.add_work_hours(start, span / timedelta(hours=1) * WARN_SHARE)
    return Limits(warn.at.astimezone(UTC), due.at.astimezone(UTC), due.provisional)


def extend(cal: WorkCalendar, start: datetime, due: datetime, hours: float) -> Limits:
    """A new due time ``hours`` of working time after the old one; warn_at moves to 80 %."""
    new_due = cal.add_work_hours(as_utc(due), hours)
    span = cal.working_time_between(as_utc(start), new_due.at)
    warn = cal.add_work_hours(as_utc(start), span / timedelta(hours=1) * WARN_SHARE)
    return Limits(warn.at.astimezone(UTC), new_due.at.astimezone(UTC), new_due.provisional)


def used_share(cal: WorkCalendar, start: datetime, due: datetime, now: datetime) -> float:
    """Share of the limit's working time used by ``now`` (1.0 = due)."""
    total = cal.working_time_between(as_utc(start), as_utc(due))
    if total <= timedelta(0):
        return 1.0 if as_utc(now) >= as_utc(due) else 0.0
    return cal.working_time_between(as_utc(start), as_utc(now)) / total


def flag(warn_at: datetime, due_at: datetime, now: datetime, open_: bool) -> Flag:
    if not open_:
        return Flag.NORMAL
    if as_utc(now) >= as_utc(due_at):
        return Flag.OVERDUE
    if as_utc(now) >= as_utc(warn_at):
        return Flag.DUE_SOON
    return Flag.NORMAL


LADDER = (Rung.GRID, Rung.STREET, Rung.DISTRICT, Rung.CITY)


def rung_for(share: float) -> Rung:
    """Who supervises at this share of the limit: 80 % street, 100 % district, 200 % city."""
    if share >= CITY_SHARE:
        return Rung.CITY
    if share >= 1.0:
        return Rung.DISTRICT
    if share >= WARN_SHARE:
        return Rung.STREET
    return Rung.GRID
