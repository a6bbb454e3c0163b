"""The ingest domain's pending work for the workbench: my departments' loads that failed (or
were interrupted) and have not loaded successfully since. One COUNT over the job list's own query
and scope (``jobs_query`` with ``job_scope``)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.domains.ingest.jobs import job_scope, jobs_query
from mudan.hooks import Todo, TodoProvider
from mudan.kernel.rbac import Principal


def failed_loads(session: Session, who: Principal) -> list[Todo]:
    q = jobs_query(scope=job_scope(session, who), failed_only=True).subquery()
    n = int(session.scalar(select(func.count()).select_from(q)) or 0)
    return [Todo("ingest.failed", "ingest.todo_failed", n, "/ingest?failed=true", "danger")]


def providers() -> list[TodoProvider]:
    return [TodoProvider("ingest.failed", "data", "ingest.run", failed_loads, 20)]
