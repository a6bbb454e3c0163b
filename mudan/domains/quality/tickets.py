"""Correction tickets (纠错工单) with working-day deadlines, and quality scores."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from mudan.core.db import as_utc, utcnow
from mudan.core.errors import Conflict, InvalidInput, NotFound
from mudan.domains.quality.enums import TICKET_TRANSITIONS, TicketSource, TicketStatus
from mudan.domains.quality.models import CorrectionTicket, QualityScore
from mudan.kernel.calendar import load_calendar
from mudan.kernel.scope import Scope

DEFAULT_WORKDAYS = 5
LIVE = (TicketStatus.OPEN, TicketStatus.FIXING, TicketStatus.OVERDUE)


def open_ticket(
    session: Session,
    *,
    table_ref: str,
    department_code: str,
    title: str,
    detail: str = "",
    source: TicketSource = TicketSource.QUALITY,
    job_id: str | None = None,
    violations: int = 0,
    workdays: int = DEFAULT_WORKDAYS,
    now: datetime | None = None,
) -> CorrectionTicket:
    now = as_utc(now or utcnow())
    if workdays < 1 or workdays > 365:
        raise InvalidInput("quality.bad_workdays", workdays=workdays)
    deadline = load_calendar(session).add_workdays(now, workdays)
    ticket = CorrectionTicket(
        table_ref=table_ref,
        department_code=department_code,
        title=title[:200],
        detail=detail,
        source=source.value,
        job_id=job_id,
        status=TicketStatus.OPEN.value,
        violations=violations,
        opened_at=now,
        deadline=as_utc(deadline.at),
        deadline_provisional=deadline.provisional,
    )
    session.add(ticket)
    session.flush()
    return ticket


def live_ticket(session: Session, *, table_ref: str) -> CorrectionTicket | None:
    return session.scalars(
        select(CorrectionTicket)
        .where(CorrectionTicket.table_ref == table_ref)
        .where(CorrectionTicket.source == TicketSource.QUALITY.value)
        .where(CorrectionTicket.status.in_([s.value for s in LIVE]))
        .order_by(CorrectionTicket.id)
        .limit(1)
    ).first()


def get_ticket(session: Session, *, ticket_id: int) -> CorrectionTicket:
    ticket = session.get(CorrectionTicket, ticket_id)
    if ticket is None:
        raise NotFound("quality.ticket_not_found", id=ticket_id)
    return ticket


def tickets_query(
    *,
    statuses: Iterable[TicketStatus] | None = None,
    department_code: str | None = None,
    table_ref: str | None = None,
    scope: Scope | None = None,
) -> Select[CorrectionTicket]:
    """Tickets in ``statuses`` (None: any), of one department/table, within ``scope``
    (from :mod:`mudan.domains.quality.scope`; None: every department)."""
    q = select(CorrectionTicket)
    if scope is not None:
        q = q.where(scope.where(department=CorrectionTicket.department_code))
    if statuses is not None:
        q = q.where(CorrectionTicket.status.in_([s.value for s in statuses]))
    if department_code:
        q = q.where(CorrectionTicket.department_code == department_code)
    if table_ref:
        q = q.where(CorrectionTicket.table_ref == table_ref)
    return q


def list_tickets(
    session: Session,
    *,
    status: TicketStatus | None = None,
    department_code: str | None = None,
    table_ref: str | None = None,
    scope: Scope | None = None,
    live: bool = False,
) -> list[CorrectionTicket]:
    """``live``: only tickets still to be corrected (open, fixing or overdue)."""
    statuses = LIVE if live else (status,) if status is not None else None
    q = tickets_query(
        statuses=statuses,
        department_code=department_code,
        table_ref=table_ref,
        scope=scope,
    )
    return list(session.scalars(q.order_by(CorrectionTicket.id.desc())))


def transition(
    session: Session,
    *,
    ticket_id: int,
    to: TicketStatus,
    job_id: str | None = None,
    now: datetime | None = None,
) -> CorrectionTicket:
    ticket = get_ticket(session, ticket_id=ticket_id)
    current = TicketStatus(ticket.status)
    if to not in TICKET_TRANSITIONS[current]:
        raise Conflict("quality.bad_transition", frm=current.value, to=to.value)
    ticket.status = to.value
    if to == TicketStatus.CLOSED:
        ticket.closed_at = as_utc(now or utcnow())
        ticket.closing_job_id = job_id
    session.flush()
    return ticket


def close_tickets_if_clean(
    session: Session, *, table_ref: str, job_id: str, now: datetime | None = None
) -> list[CorrectionTicket]:
    """A reload passed with no error violations: close the table's live quality tickets."""
    closed = []
    q = select(CorrectionTicket).where(
        CorrectionTicket.table_ref == table_ref,
        CorrectionTicket.source == TicketSource.QUALITY.value,
        CorrectionTicket.status.in_([s.value for s in LIVE]),
    )
    for ticket in session.scalars(q):
        ticket.status = TicketStatus.CLOSED.value
        ticket.closed_at = as_utc(now or utcnow())
        ticket.closing_job_id = job_id
        closed.append(ticket)
    session.flush()
    return closed


def mark_overdue(session: Session, *, now: datetime | None = None) -> int:
    """Open/fixing tickets past their working-day deadline become overdue."""
    now = as_utc(now or utcnow())
    q = select(CorrectionTicket).where(
        CorrectionTicket.status.in_([TicketStatus.OPEN.value, TicketStatus.FIXING.value])
    )
    count = 0
    for ticket in session.scalars(q):
        if as_utc(ticket.deadline) < as_utc(now):
            ticket.status = TicketStatus.OVERDUE.value
            count += 1
    session.flush()
    return count


@dataclass(frozen=True)
class TableScore:
    table_ref: str
    department_code: str
    job_id: str
    rows: int
    bad_rows: int
    score: float
    at: datetime


@dataclass(frozen=True)
class DepartmentScore:
    department_code: str
    tables: int
    score: float


def table_scores(session: Session, *, department_code: str | None = None) -> list[TableScore]:
    """The latest score snapshot of every table."""
    latest = (
        select(func.max(QualityScore.id).label("id")).group_by(QualityScore.table_ref).subquery()
    )
    q = select(QualityScore).join(latest, QualityScore.id == latest.c.id)
    if department_code:
        q = q.where(QualityScore.department_code == department_code)
    return [
        TableScore(s.table_ref, s.department_code, s.job_id, s.rows, s.bad_rows, s.score, s.at)
        for s in session.scalars(q.order_by(QualityScore.table_ref))
    ]


def department_scores(session: Session) -> list[DepartmentScore]:
    """Per department: the average of its tables' latest scores."""
    per: dict[str, list[float]] = {}
    for s in table_scores(session):
        per.setdefault(s.department_code, []).append(s.score)
    return [
        DepartmentScore(code, len(v), round(sum(v) / len(v), 2)) for code, v in sorted(per.items())
    ]
