"""The cases domain's pending work for the workbench, each one COUNT over the query of the page
it links to: a handler's department queue (the phone page), the dispatcher's manual queue (the
board) and the overdue cases in the caller's area (the board for dispatchers, supervision for
everyone else). Scopes are the board's (``case_scope``) and the phone page's."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from mudan.core.db import utcnow
from mudan.domains.cases.service import BoardFilter, board_query, handler_queue
from mudan.hooks import Todo, TodoProvider
from mudan.kernel.rbac import Principal


def _count(session: Session, stmt: Select[Any]) -> tuple[int, int]:
    """(how many, how many of them past their due time)."""
    q = stmt.order_by(None).subquery()
    late = q.c.due_at <= utcnow()
    total, overdue = session.execute(select(func.count(), func.count().filter(late))).one()
    return int(total), int(overdue)


def to_handle(session: Session, who: Principal) -> list[Todo]:
    """Cases my departments lead, waiting to be accepted or reported."""
    if not who.department_ids:
        return []
    n, late = _count(session, handler_queue(session, who))
    severity = "danger" if late else "warn"
    return [Todo("cases.to_handle", "cases.todo_to_handle", n, "/cases/mobile", severity, late)]


def manual(session: Session, who: Principal) -> list[Todo]:
    """The manual dispatch queue (no department found by the routing rules)."""
    n, late = _count(session, board_query(session, who, BoardFilter(queue="manual"), utcnow()))
    href = "/cases/board?queue=manual"
    return [Todo("cases.manual", "cases.todo_manual", n, href, "danger" if late else "warn", late)]


def overdue(session: Session, who: Principal) -> list[Todo]:
    """Open cases past their limit in the caller's area (what the board shows them)."""
    n, _ = _count(session, board_query(session, who, BoardFilter(queue="overdue"), utcnow()))
    href = "/cases/board?queue=overdue" if who.can("cases.dispatch") else "/cases/supervise"
    return [Todo("cases.overdue", "cases.todo_overdue", n, href, "danger")]


def providers() -> list[TodoProvider]:
    return [
        TodoProvider("cases.to_handle", "govern", "cases.handle", to_handle, 20),
        TodoProvider("cases.manual", "govern", "cases.dispatch", manual, 21),
        TodoProvider("cases.overdue", "govern", "cases.read", overdue, 22),
    ]
