"""Post-incident review (复盘): what happened, timings measured from the timeline, lessons and
follow-up actions. One review per closed incident; saving again updates it (audited)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.db import as_utc, utcnow
from mudan.core.errors import Conflict
from mudan.domains.emergency.enums import IncidentStatus, ReportStatus, TimelineKind
from mudan.domains.emergency.incidents import get_incident, timeline
from mudan.domains.emergency.models import Incident, Review
from mudan.domains.emergency.reports import reports_of
from mudan.domains.emergency.schemas import ReviewIn
from mudan.domains.emergency.steps import step
from mudan.domains.emergency.where import Actor


def _minutes(a: datetime, b: datetime) -> float:
    return round((as_utc(b) - as_utc(a)).total_seconds() / 60, 1)


def timings(session: Session, incident: Incident) -> dict[str, Any]:
    """Measured, not typed in: minutes from opening to the first level, to the first report,
    to closing; the highest level reached; reports on time out of those due."""
    entries = timeline(session, incident_id=incident.id)
    level_kinds = {TimelineKind.LEVEL_SET, TimelineKind.LEVEL_RAISED}
    first_level = next((e for e in entries if e.kind in level_kinds), None)
    levels = [e.level for e in entries if e.kind in level_kinds and e.level is not None]
    reports = reports_of(session, incident_id=incident.id, now=incident.closed_at or utcnow())
    submitted = [r.report.submitted_at for r in reports if r.report.submitted_at is not None]
    due = [r for r in reports if r.report.due_at is not None]
    on_time = sum(1 for r in due if r.status == ReportStatus.ON_TIME)
    opened = incident.opened_at
    return {
        "to_first_level_min": _minutes(opened, first_level.at) if first_level else None,
        "to_first_report_min": _minutes(opened, min(map(as_utc, submitted))) if submitted else None,
        "duration_min": _minutes(opened, incident.closed_at) if incident.closed_at else None,
        "highest_level": min(levels) if levels else None,
        "reports_due": len(due),
        "reports_on_time": on_time,
        "actions": sum(1 for e in entries if e.kind == TimelineKind.ACTION),
    }


def get_review(session: Session, *, incident_id: int) -> Review | None:
    return session.scalar(select(Review).where(Review.incident_id == incident_id))


def save_review(
    session: Session, *, incident_id: int, data: ReviewIn, actor: Actor, now: datetime | None = None
) -> Review:
    at = as_utc(now) if now else utcnow()
    incident = get_incident(session, incident_id=incident_id, actor=actor)
    if incident.status != IncidentStatus.CLOSED:
        raise Conflict("emergency.review_needs_closed", number=incident.number)
    follow_ups = [f.strip() for f in data.follow_ups if f.strip()]
    row = get_review(session, incident_id=incident.id)
    if row is None:
        row = Review(incident_id=incident.id, created_by=actor.username, created_at=at)
        session.add(row)
    row.summary, row.lessons, row.follow_ups = data.summary, data.lessons, follow_ups
    row.timings = timings(session, incident)
    row.updated_at = at
    session.flush()
    step(
        session, incident, TimelineKind.REVIEW, actor=actor, at=at, level=incident.level,
        follow_ups=len(follow_ups),
    )  # fmt: skip
    return row
