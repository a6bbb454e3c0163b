"""The quality domain's pending work for the workbench: correction tickets (纠错工单) still to be
corrected by my departments (the bureau: every department), how many past their deadline. One
COUNT over the ticket list's own query and scope (``tickets_query`` with ``ticket_scope``)."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from mudan.core.db import utcnow
from mudan.domains.quality.enums import TicketStatus
from mudan.domains.quality.scope import ticket_scope
from mudan.domains.quality.tickets import LIVE, tickets_query
from mudan.hooks import Todo, TodoProvider
from mudan.kernel.rbac import Principal

LIVE_FILTER = "live"  # the ticket page's filter for LIVE tickets


def live_tickets(session: Session, who: Principal) -> list[Todo]:
    q = tickets_query(statuses=LIVE, scope=ticket_scope(session, who)).subquery()
    late = or_(q.c.status == TicketStatus.OVERDUE.value, q.c.deadline < utcnow())
    total, overdue = session.execute(select(func.count(), func.count().filter(late))).one()
    href = f"/quality/tickets?status={LIVE_FILTER}"
    severity = "danger" if overdue else "warn"
    return [Todo("quality.tickets", "quality.todo_tickets", total, href, severity, overdue)]


def providers() -> list[TodoProvider]:
    return [TodoProvider("quality.tickets", "data", "quality.manage", live_tickets, 30)]
