"""One step of an incident: a timeline entry and an audit record, always together."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from mudan.core import audit
from mudan.domains.emergency.enums import TimelineKind
from mudan.domains.emergency.models import Incident, TimelineEntry
from mudan.domains.emergency.where import Actor


def step(
    session: Session,
    incident: Incident,
    kind: TimelineKind,
    *,
    actor: Actor,
    at: datetime,
    level: int | None = None,
    **detail: Any,
) -> TimelineEntry:
    entry = TimelineEntry(
        incident_id=incident.id,
        at=at,
        kind=kind.value,
        actor=actor.username,
        level=level,
        detail=detail,
    )
    session.add(entry)
    audit.record(
        session,
        actor=actor.username,
        role=actor.primary_role,
        action=f"emergency.{kind.value}",
        object_type="emergency_incident",
        object_id=incident.number,
        detail={"level": level, **detail},
    )
    return entry
