"""Who sees which department's quality work. Quarantined rows hold raw source values
(citizen IDs, phones…), so a department officer sees only its own tables; the big-data bureau
sees all. Tickets carry no row values: evaluators (audit.read) may read them all."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, false, or_
from sqlalchemy.orm import Session

from mudan.core.errors import Forbidden
from mudan.kernel.rbac import Principal
from mudan.kernel.scope import Scope


def department_of(table_ref: str) -> str:
    return table_ref.split(".", 1)[0].removeprefix("d")


def data_scope(session: Session, who: Principal) -> Scope:
    """The departments whose quarantine and rules ``who`` may see (the bureau: all)."""
    return Scope.of_departments(session, who, every_with=("lake.query_all",))


def ticket_scope(session: Session, who: Principal) -> Scope:
    return Scope.of_departments(session, who, every_with=("audit.read", "lake.query_all"))


def in_tables(scope: Scope, table_ref: SQLColumnExpression[Any]) -> ColumnElement[bool] | None:
    """SQL condition: the table (``d<code>.…``) is one of the scope's departments'; None: any.
    Rules and quarantined rows name their table, not a department column, so this is not
    :meth:`Scope.where`."""
    if scope.whole_city:
        return None
    return or_(false(), *(table_ref.startswith(f"d{d}.") for d in sorted(scope.departments)))


def check_tables(session: Session, who: Principal, table_refs: Iterable[str]) -> None:
    scope = data_scope(session, who)
    if scope.whole_city:
        return
    for ref in table_refs:
        if department_of(ref) not in scope.departments:
            raise Forbidden("quality.not_your_table", table=ref)


def check_department(scope: Scope, department_code: str) -> None:
    if not scope.whole_city and department_code not in scope.departments:
        raise Forbidden("quality.not_your_table", table=department_code)


def check_rows(session: Session, who: Principal, ids: Iterable[int]) -> None:
    from sqlalchemy import select

    from mudan.domains.quality.models import QuarantineRow

    refs = session.scalars(
        select(QuarantineRow.table_ref).where(QuarantineRow.id.in_(list(ids))).distinct()
    )
    check_tables(session, who, refs)
