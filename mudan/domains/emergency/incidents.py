"""Incidents (突发事件): open, set/raise/lower the response level, actions, close.

Every step is one timeline entry plus one audit record (``steps.step``). Services take a
session and never commit. ``now`` is injectable so deadlines can be tested with explicit times.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.db import as_utc, utcnow
from mudan.core.errors import Conflict, Forbidden, NotFound
from mudan.domains.emergency.enums import IncidentStatus, TimelineKind
from mudan.domains.emergency.models import Incident, Plan, TimelineEntry
from mudan.domains.emergency.numbering import next_number
from mudan.domains.emergency.plans import get_plan, plan_for
from mudan.domains.emergency.response import Activation, activate
from mudan.domains.emergency.schemas import IncidentIn
from mudan.domains.emergency.scope import incident_scope
from mudan.domains.emergency.steps import step
from mudan.domains.emergency.where import Actor, locate_point
from mudan.kernel.geo import Locator


@dataclass(frozen=True)
class LevelChange:
    incident: Incident
    previous: int | None
    activation: Activation


def _now(now: datetime | None) -> datetime:
    return as_utc(now) if now is not None else utcnow()


def open_incident(
    session: Session,
    *,
    data: IncidentIn,
    actor: Actor,
    locator: Locator,
    now: datetime | None = None,
    source: str = "manual",
    source_ref: str = "",
) -> LevelChange:
    """Open an incident at a located point; with ``data.level`` it is activated at once."""
    at = _now(now)
    where = locate_point(locator, data.lon, data.lat)
    if not actor.sees_path(where.region_path):
        raise Forbidden("emergency.out_of_scope", number=where.district_name)
    plan = (
        get_plan(session, code=data.plan_code)
        if data.plan_code
        else plan_for(session, event_type=data.event_type.value)
    )
    incident = Incident(
        number=next_number(session, at),
        title=data.title,
        event_type=data.event_type.value,
        plan_id=plan.id if plan else None,
        status=IncidentStatus.OPEN.value,
        lon=data.lon,
        lat=data.lat,
        district_code=where.district_code,
        street_code=where.street_code,
        region_path=where.region_path,
        location_text=data.location_text or f"{where.district_name}{where.street_name}",
        description=data.description,
        source=source,
        source_ref=source_ref,
        opened_by=actor.username,
        opened_at=at,
    )
    session.add(incident)
    session.flush()
    step(
        session,
        incident,
        TimelineKind.OPENED,
        actor=actor,
        at=at,
        event_type=incident.event_type,
        district=where.district_name,
        street=where.street_name,
        plan=plan.code if plan else None,
        source=source,
        source_ref=source_ref,
    )
    if data.level is not None:
        return change_level(session, incident_id=incident.id, level=data.level, actor=actor, now=at)
    return LevelChange(incident, None, Activation([], [], []))


def get_incident(session: Session, *, incident_id: int, actor: Actor) -> Incident:
    """The incident, if ``actor`` may see its place (region scope)."""
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound("emergency.incident_not_found", id=incident_id)
    if not actor.sees_path(incident.region_path):
        raise Forbidden("emergency.out_of_scope", number=incident.number)
    return incident


def _open(session: Session, incident_id: int, actor: Actor) -> Incident:
    incident = get_incident(session, incident_id=incident_id, actor=actor)
    if incident.status != IncidentStatus.OPEN:
        raise Conflict("emergency.incident_closed", number=incident.number)
    return incident


def list_incidents(
    session: Session, *, actor: Actor, status: IncidentStatus | None = None, limit: int = 200
) -> list[Incident]:
    q = select(Incident).order_by(Incident.opened_at.desc(), Incident.id.desc())
    if status is not None:
        q = q.where(Incident.status == status.value)
    q = q.where(incident_scope(actor))
    return list(session.scalars(q.limit(max(1, min(limit, 1000)))))


def plan_of(session: Session, incident: Incident) -> Plan | None:
    return session.get(Plan, incident.plan_id) if incident.plan_id is not None else None


def change_level(
    session: Session,
    *,
    incident_id: int,
    level: int,
    actor: Actor,
    reason: str = "",
    now: datetime | None = None,
) -> LevelChange:
    """Set, raise or lower the response level. Setting or raising (a smaller number: Ⅰ is the
    highest) notifies the new level's role holders, starts its report deadlines and opens its
    checklists; lowering only records the step."""
    at = _now(now)
    incident = _open(session, incident_id, actor)
    previous = incident.level
    if previous == level:
        raise Conflict("emergency.same_level", number=incident.number, level=level)
    if previous is None:
        kind = TimelineKind.LEVEL_SET
    elif level < previous:
        kind = TimelineKind.LEVEL_RAISED
    else:
        kind = TimelineKind.LEVEL_LOWERED
    incident.level = level
    session.flush()
    step(session, incident, kind, actor=actor, at=at, level=level, previous=previous, reason=reason)
    if kind == TimelineKind.LEVEL_LOWERED:
        return LevelChange(incident, previous, Activation([], [], []))
    plan = plan_of(session, incident)
    result = activate(session, incident=incident, plan=plan, at=at)
    step(
        session,
        incident,
        TimelineKind.NOTIFIED,
        actor=actor,
        at=at,
        level=level,
        recipients=sorted({d.recipient for d in result.deliveries}),
        deliveries=len(result.deliveries),
        reports=[r.title for r in result.reports],
        checklist=len(result.checklist),
        plan=plan.code if plan else None,
    )
    return LevelChange(incident, previous, result)


def add_action(
    session: Session, *, incident_id: int, text: str, actor: Actor, now: datetime | None = None
) -> TimelineEntry:
    incident = _open(session, incident_id, actor)
    return step(
        session, incident, TimelineKind.ACTION, actor=actor, at=_now(now), level=incident.level,
        text=text,
    )  # fmt: skip


def close_incident(
    session: Session, *, incident_id: int, note: str, actor: Actor, now: datetime | None = None
) -> Incident:
    at = _now(now)
    incident = _open(session, incident_id, actor)
    incident.status = IncidentStatus.CLOSED.value
    incident.closed_at = at
    incident.closed_by = actor.username
    incident.close_note = note
    session.flush()
    step(
        session, incident, TimelineKind.CLOSED, actor=actor, at=at, level=incident.level, note=note
    )
    return incident


def timeline(session: Session, *, incident_id: int) -> list[TimelineEntry]:
    return list(
        session.scalars(
            select(TimelineEntry)
            .where(TimelineEntry.incident_id == incident_id)
            .order_by(TimelineEntry.at, TimelineEntry.id)
        )
    )
