"""督办: walk open cases up the ladder grid → street → district → city as their limit runs out.

80 % of the limit → the street supervises, 100 % → the district, 200 % → the city. Each step is a
timeline event naming the supervising region and an audit record. ``supervise`` is what the
scheduler (``mudan cases supervise``) runs; running it twice changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core import audit
from mudan.core.db import utcnow
from mudan.core.workcal import WorkCalendar
from mudan.domains.cases.deadlines import LADDER, rung_for, used_share
from mudan.domains.cases.enums import CaseState, EventKind, Rung
from mudan.domains.cases.models import Case, open_clause
from mudan.domains.cases.workflow import add_event
from mudan.kernel.calendar import load_calendar
from mudan.kernel.geo import CITY_CODE

ACTOR = "system.supervise"


@dataclass(frozen=True)
class Escalation:
    number: str
    rung: Rung
    region_code: str
    share: float


def supervising_region(case: Case, rung: Rung) -> str:
    return {
        Rung.GRID: case.grid_code,
        Rung.STREET: case.street_code,
        Rung.DISTRICT: case.district_code,
        Rung.CITY: CITY_CODE,
    }[rung] or CITY_CODE


def supervise(
    session: Session,
    *,
    now: datetime | None = None,
    calendar: WorkCalendar | None = None,
    limit: int | None = None,
) -> list[Escalation]:
    """Escalate every open case that crossed 80 %, 100 % or 200 % of its limit since last run."""
    now = now or utcnow()
    cal = calendar or load_calendar(session)
    stmt = (
        select(Case)
        .where(
            open_clause(),
            Case.state != CaseState.PARKED.value,
            Case.warn_at <= now,
            Case.escalation_rung != Rung.CITY.value,
        )
        .order_by(Case.due_at)
    )
    if limit:
        stmt = stmt.limit(limit)
    done: list[Escalation] = []
    for case in session.scalars(stmt):
        share = used_share(cal, case.created_at, case.due_at, now)
        target = rung_for(share)
        current = Rung(case.escalation_rung)
        if LADDER.index(target) <= LADDER.index(current):
            continue
        # One event per rung crossed, so a late run still shows every step of the ladder.
        for rung in LADDER[LADDER.index(current) + 1 : LADDER.index(target) + 1]:
            region = supervising_region(case, rung)
            add_event(
                session,
                case,
                kind=EventKind.SUPERVISE,
                actor=ACTOR,
                at=now,
                note=f"{rung.value}:{region}",
                rung=rung.value,
                region=region,
                share=round(share, 3),
            )
            audit.record(
                session,
                actor=ACTOR,
                role="system",
                action="cases.supervise",
                object_type="case",
                object_id=case.number,
                detail={"rung": rung.value, "region": region, "share": round(share, 3)},
            )
            done.append(Escalation(case.number, rung, region, share))
        case.escalation_rung = target.value
    session.flush()
    return done
