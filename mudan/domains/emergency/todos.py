"""The emergency domain's pending work for the workbench: reports (信息报送) still due on the open
incidents of the caller's area, and those incidents themselves. One COUNT each, scoped like the
incident list (``incident_scope``)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.core.db import utcnow
from mudan.domains.emergency.enums import IncidentStatus
from mudan.domains.emergency.models import Incident, Report
from mudan.domains.emergency.scope import incident_scope
from mudan.hooks import Todo, TodoProvider
from mudan.kernel.rbac import Principal

HREF = "/emergency/incidents?status=open"


def reports_due(session: Session, who: Principal) -> list[Todo]:
    """Unsubmitted reports with a deadline on open incidents in my area; how many are late."""
    late = Report.due_at < utcnow()
    total, overdue = session.execute(
        select(func.count(), func.count().filter(late))
        .select_from(Report)
        .join(Incident, Incident.id == Report.incident_id)
        .where(
            Incident.status == IncidentStatus.OPEN.value,
            incident_scope(who),
            Report.submitted_at.is_(None),
            Report.due_at.is_not(None),
        )
    ).one()
    severity = "danger" if overdue else "warn"
    return [
        Todo("emergency.reports_due", "emergency.todo_reports_due", total, HREF, severity, overdue)
    ]


def open_incidents(session: Session, who: Principal) -> list[Todo]:
    n = session.scalar(
        select(func.count())
        .select_from(Incident)
        .where(Incident.status == IncidentStatus.OPEN.value, incident_scope(who))
    )
    return [Todo("emergency.open_incidents", "emergency.todo_open_incidents", n or 0, HREF, "warn")]


def providers() -> list[TodoProvider]:
    return [
        TodoProvider("emergency.reports_due", "govern", "emergency.command", reports_due, 30),
        TodoProvider("emergency.open_incidents", "govern", "emergency.read", open_incidents, 31),
    ]
