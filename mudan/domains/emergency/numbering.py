"""Incident numbers ``YJ<yyyymmdd><nnn>`` without collisions between concurrent writers.

Each China-time day has one counter row; taking the next number is ONE atomic upsert
(``INSERT … ON CONFLICT (day) DO UPDATE SET last = last + 1 RETURNING last``), so two
transactions can never read the same value: on PostgreSQL the second waits on the row lock
until the first ends, on SQLite the database write lock serialises them. A rolled-back
transaction also rolls back its increment, so numbers stay dense. The unique constraint on
``emergency_incident.number`` stays the backstop; a number already taken (a row imported
by hand) is skipped.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from mudan.core.workcal import CHINA_TZ
from mudan.domains.emergency.models import Incident, IncidentCounter

PREFIX = "YJ"
MAX_SKIPS = 1000


def _next(session: Session, day: str) -> int:
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    if dialect not in ("postgresql", "sqlite"):
        raise RuntimeError(f"incident numbering supports PostgreSQL and SQLite, not {dialect}")
    stmt = (
        insert(IncidentCounter)
        .values(day=day, last=1)
        .on_conflict_do_update(index_elements=["day"], set_={"last": IncidentCounter.last + 1})
        .returning(IncidentCounter.last)
    )
    value = session.execute(stmt).scalar_one()
    return int(value)


def next_number(session: Session, at: datetime) -> str:
    """The next free number of ``at``'s China-time day (inside the caller's transaction)."""
    day = at.astimezone(CHINA_TZ).strftime("%Y%m%d")
    for _ in range(MAX_SKIPS):
        number = f"{PREFIX}{day}{_next(session, day):03d}"
        if session.scalar(select(Incident.id).where(Incident.number == number)) is None:
            return number
    raise RuntimeError(f"no free incident number for {day} after {MAX_SKIPS} tries")
