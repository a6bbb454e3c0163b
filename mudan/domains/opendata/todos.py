"""The open-data portal's pending work for the workbench: 有条件开放 applications waiting for the
providing department's decision. One COUNT over the application list's own query and scope."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.domains.opendata.enums import ApplicationStatus
from mudan.domains.opendata.service import applications_query
from mudan.hooks import Todo, TodoProvider
from mudan.kernel.rbac import Principal


def pending_applications(session: Session, who: Principal) -> list[Todo]:
    status = ApplicationStatus.PENDING.value
    q = applications_query(session, principal=who, status=status).subquery()
    n = int(session.scalar(select(func.count()).select_from(q)) or 0)
    href = f"/open/applications?status={status}"
    return [Todo("opendata.applications", "opendata.todo_applications", n, href, "warn")]


def providers() -> list[TodoProvider]:
    return [
        TodoProvider("opendata.applications", "share", "opendata.manage", pending_applications, 20)
    ]
