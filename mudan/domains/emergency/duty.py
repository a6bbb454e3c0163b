"""Duty roster (值班): who is on duty when, by day and shift, and who is on duty now.

Shifts are in China Standard Time: 白班 08:00–20:00, 夜班 20:00 to 08:00 the next morning, so
the night shift of one day is still on duty early the next day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core import audit
from mudan.core.db import as_utc
from mudan.core.errors import Conflict, Forbidden
from mudan.core.workcal import CHINA_TZ
from mudan.domains.emergency.enums import DutyPost, Shift
from mudan.domains.emergency.models import DutyShift
from mudan.domains.emergency.plans import user_id_of
from mudan.domains.emergency.schemas import DutyIn
from mudan.domains.emergency.scope import duty_scope, sees_duty_department
from mudan.domains.emergency.where import Actor

SHIFT_HOURS = {Shift.DAY: (time(8, 0), 12), Shift.NIGHT: (time(20, 0), 12)}


def shift_window(day: date, shift: Shift) -> tuple[datetime, datetime]:
    start, hours = SHIFT_HOURS[shift]
    begins = datetime.combine(day, start, tzinfo=CHINA_TZ).astimezone(UTC)
    return begins, begins + timedelta(hours=hours)


def assign(session: Session, *, data: DutyIn, actor: Actor) -> DutyShift:
    if not sees_duty_department(session, actor, data.department_code):
        raise Forbidden("emergency.duty_department_out_of_scope", code=data.department_code)
    exists = session.scalar(
        select(DutyShift.id).where(
            DutyShift.day == data.day,
            DutyShift.shift == data.shift.value,
            DutyShift.post == data.post.value,
            DutyShift.name == data.name,
        )
    )
    if exists is not None:
        raise Conflict("emergency.duplicate_duty", name=data.name, day=data.day.isoformat())
    starts, ends = shift_window(data.day, data.shift)
    row = DutyShift(
        day=data.day,
        shift=data.shift.value,
        post=data.post.value,
        starts_at=starts,
        ends_at=ends,
        user_id=user_id_of(session, data.username) if data.username else None,
        name=data.name,
        phone=data.phone,
        department_code=data.department_code,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor.username,
        role=actor.primary_role,
        action="emergency.duty_assigned",
        object_type="emergency_duty",
        object_id=str(row.id),
        detail={"day": data.day.isoformat(), "shift": row.shift, "post": row.post},
    )
    return row


def on_duty(session: Session, *, at: datetime, actor: Actor) -> list[DutyShift]:
    """Everyone in ``actor``'s roster whose shift covers ``at`` (an aware time), leaders first."""
    at = as_utc(at)
    rows = session.scalars(
        select(DutyShift)
        .where(DutyShift.starts_at <= at, DutyShift.ends_at > at, duty_scope(session, actor))
        .order_by(DutyShift.post, DutyShift.name)
    )
    order = {DutyPost.LEADER.value: 0, DutyPost.OFFICER.value: 1}
    return sorted(rows, key=lambda r: (order.get(r.post, 9), r.name))


def roster(session: Session, *, start: date, actor: Actor, days: int = 7) -> list[DutyShift]:
    """The shifts of ``actor``'s roster (``scope.duty_scope``) from ``start`` for ``days``."""
    end = start + timedelta(days=max(1, min(days, 62)))
    return list(
        session.scalars(
            select(DutyShift)
            .where(DutyShift.day >= start, DutyShift.day < end, duty_scope(session, actor))
            .order_by(DutyShift.day, DutyShift.starts_at, DutyShift.post, DutyShift.name)
        )
    )
