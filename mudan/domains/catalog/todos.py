"""The catalog's pending work for the workbench: entries submitted for approval (待审核), for
those who approve them. One COUNT over the catalog list's own filters and visibility."""

from __future__ import annotations

from sqlalchemy.orm import Session

from mudan.domains.catalog.browse import Visibility, count
from mudan.domains.catalog.enums import EntryStatus
from mudan.hooks import Todo, TodoProvider
from mudan.kernel.rbac import Principal


def pending(session: Session, who: Principal) -> list[Todo]:
    status = EntryStatus.PENDING.value
    n = count(session, visibility=Visibility.of(who), filters={"status": status})
    return [Todo("catalog.pending", "catalog.todo_pending", n, f"/catalog?status={status}", "warn")]


def providers() -> list[TodoProvider]:
    return [TodoProvider("catalog.pending", "data", "catalog.approve", pending, 10)]
