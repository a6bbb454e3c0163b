"""The sharing domain's pending work for the workbench: requests waiting for my approval (as
the provider department, as the big-data bureau), my departments' requests asked for more
information, and — for those who supervise the city's sharing — requests past their deadline.
Each is one COUNT over the same query as the request list (``requests.requests_query``)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.core.db import utcnow
from mudan.domains.sharing.enums import RequestStatus
from mudan.domains.sharing.workflow.requests import requests_query
from mudan.hooks import Todo, TodoProvider
from mudan.kernel.rbac import Principal


def _count(session: Session, who: Principal, box: str, status: str | None) -> tuple[int, int]:
    """(how many, how many of them past their step's deadline)."""
    q = requests_query(who, box=box, status=status).subquery()
    late = q.c.due_at < utcnow()
    total, overdue = session.execute(select(func.count(), func.count().filter(late))).one()
    return int(total), int(overdue)


def _review(status: RequestStatus, permission: str, order: int) -> TodoProvider:
    """Requests in one review step waiting for ``who`` (the inbox of the request list)."""
    code = f"sharing.{status.value}"

    def todos(session: Session, who: Principal) -> list[Todo]:
        n, late = _count(session, who, "inbox", status.value)
        href = f"/share/requests?box=inbox&status={status.value}"
        label = f"sharing.todo_{status.value}"
        return [Todo(code, label, n, href, "danger" if late else "warn", late)]

    return TodoProvider(code, "share", permission, todos, order)


def needs_info(session: Session, who: Principal) -> list[Todo]:
    n, _ = _count(session, who, "mine", RequestStatus.NEEDS_INFO.value)
    href = "/share/requests?box=mine&status=needs_info"
    return [Todo("sharing.needs_info", "sharing.todo_needs_info", n, href, "warn")]


def overdue(session: Session, who: Principal) -> list[Todo]:
    """Open requests past their step's deadline, over every request ``who`` may see."""
    if not who.can("share.read"):
        return []
    q = requests_query(who, overdue_at=utcnow()).subquery()
    n = int(session.scalar(select(func.count()).select_from(q)) or 0)
    href = "/share/requests?overdue=true"
    return [Todo("sharing.overdue", "sharing.todo_overdue", n, href, "danger")]


def providers() -> list[TodoProvider]:
    return [
        _review(RequestStatus.PROVIDER_REVIEW, "share.approve", 10),
        _review(RequestStatus.BUREAU_REVIEW, "share.approve_bureau", 11),
        TodoProvider("sharing.needs_info", "share", "share.request", needs_info, 12),
        # Supervision of the city's 及时共享率: whoever sees every request (evaluators, bureau).
        TodoProvider("sharing.overdue", "share", "audit.read", overdue, 13),
    ]
