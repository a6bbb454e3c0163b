"""The working-day calendar as a service: chinese-calendar plus the admin's override table."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.workcal import DayOverride, WorkCalendar
from mudan.kernel.models import HolidayOverride


def load_calendar(session: Session) -> WorkCalendar:
    """Every deadline in the platform is computed with the calendar this returns."""
    rows = session.scalars(select(HolidayOverride))
    return WorkCalendar([DayOverride(r.day, r.is_workday, r.note) for r in rows])


def set_override(session: Session, *, day: date, is_workday: bool, note: str) -> HolidayOverride:
    """Declare a day a holiday or a (make-up) workday, e.g. once the State Council publishes
    next year's schedule. Replaces an earlier override of the same day."""
    row = session.get(HolidayOverride, day)
    if row is None:
        row = HolidayOverride(day=day, is_workday=is_workday, note=note)
        session.add(row)
    else:
        row.is_workday, row.note = is_workday, note
    session.flush()
    return row


def list_overrides(session: Session) -> list[HolidayOverride]:
    return list(session.scalars(select(HolidayOverride).order_by(HolidayOverride.day)))
