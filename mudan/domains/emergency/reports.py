"""Report deadlines (信息报送) with overdue marks, and the role checklists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.db import as_utc, utcnow
from mudan.core.errors import Conflict, NotFound
from mudan.core.i18n import t
from mudan.domains.emergency.enums import IncidentStatus, ReportStatus, TimelineKind
from mudan.domains.emergency.incidents import get_incident
from mudan.domains.emergency.models import ChecklistItem, Incident, Report
from mudan.domains.emergency.steps import step
from mudan.domains.emergency.system import SYSTEM_ACTOR
from mudan.domains.emergency.where import Actor


@dataclass(frozen=True)
class ReportView:
    report: Report
    status: ReportStatus


def status_of(report: Report, now: datetime) -> ReportStatus:
    due = report.due_at
    done = report.submitted_at
    if done is not None:
        return ReportStatus.LATE if due is not None and done > due else ReportStatus.ON_TIME
    if due is not None and as_utc(now) > due:
        return ReportStatus.OVERDUE
    return ReportStatus.PENDING


def reports_of(
    session: Session, *, incident_id: int, now: datetime | None = None
) -> list[ReportView]:
    at = now or utcnow()
    rows = session.scalars(
        select(Report).where(Report.incident_id == incident_id).order_by(Report.due_at, Report.id)
    )
    return [ReportView(r, status_of(r, at)) for r in rows]


def submit_report(
    session: Session,
    *,
    incident_id: int,
    content: str,
    actor: Actor,
    report_id: int | None = None,
    now: datetime | None = None,
) -> ReportView:
    """Submit a report: it fulfils ``report_id`` or else the earliest unsubmitted deadline;
    with no deadline open it is recorded as an extra report (续报)."""
    at = as_utc(now) if now else utcnow()
    incident = get_incident(session, incident_id=incident_id, actor=actor)
    q = select(Report).where(Report.incident_id == incident.id, Report.submitted_at.is_(None))
    if report_id is not None:
        row = session.scalar(q.where(Report.id == report_id))
        if row is None:
            raise NotFound("emergency.report_not_open", id=report_id)
    else:
        row = session.scalar(q.order_by(Report.due_at, Report.id).limit(1))
    if row is None:
        title = t("emergency.extra_report")
        row = Report(incident_id=incident.id, level=incident.level, title=title)
        session.add(row)
    row.submitted_at, row.submitted_by, row.content = at, actor.username, content
    session.flush()
    status = status_of(row, at)
    step(
        session, incident, TimelineKind.REPORT, actor=actor, at=at, level=row.level,
        report_id=row.id, title=row.title, status=status.value, content=content[:500],
    )  # fmt: skip
    return ReportView(row, status)


def mark_overdue(session: Session, *, now: datetime | None = None) -> list[Report]:
    """Mark every unsubmitted report of an open incident whose deadline has passed (once each):
    sets ``overdue_at`` and puts the mark on the incident's timeline."""
    at = as_utc(now) if now else utcnow()
    rows = list(
        session.scalars(
            select(Report)
            .join(Incident, Incident.id == Report.incident_id)
            .where(
                Incident.status == IncidentStatus.OPEN.value,
                Report.submitted_at.is_(None),
                Report.overdue_at.is_(None),
                Report.due_at.is_not(None),
                Report.due_at < at,
            )
            .order_by(Report.due_at, Report.id)
        )
    )
    for row in rows:
        row.overdue_at = at
        incident = session.get(Incident, row.incident_id)
        assert incident is not None and row.due_at is not None
        due = as_utc(row.due_at).isoformat()
        step(
            session, incident, TimelineKind.REPORT_OVERDUE, actor=SYSTEM_ACTOR, at=at,
            level=row.level, report_id=row.id, title=row.title, due_at=due,
        )  # fmt: skip
    session.flush()
    return rows


def checklist_of(session: Session, *, incident_id: int) -> list[ChecklistItem]:
    return list(
        session.scalars(
            select(ChecklistItem)
            .where(ChecklistItem.incident_id == incident_id)
            .order_by(ChecklistItem.level, ChecklistItem.role_id, ChecklistItem.id)
        )
    )


def complete_item(
    session: Session, *, incident_id: int, item_id: int, actor: Actor, now: datetime | None = None
) -> ChecklistItem:
    at = as_utc(now) if now else utcnow()
    incident = get_incident(session, incident_id=incident_id, actor=actor)
    item = session.get(ChecklistItem, item_id)
    if item is None or item.incident_id != incident.id:
        raise NotFound("emergency.checklist_not_found", id=item_id)
    if item.done_at is not None:
        raise Conflict("emergency.checklist_done", id=item_id)
    if incident.status != IncidentStatus.OPEN:
        raise Conflict("emergency.incident_closed", number=incident.number)
    item.done_at, item.done_by = at, actor.username
    session.flush()
    step(
        session, incident, TimelineKind.CHECKLIST, actor=actor, at=at, level=item.level,
        item_id=item.id, item=item.item,
    )  # fmt: skip
    return item
