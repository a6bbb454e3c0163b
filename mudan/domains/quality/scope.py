"""Who sees which department's quality work. Quarantined rows hold raw source values
(citizen IDs, phones…), so a department officer sees only its own tables; the big-data bureau
sees all. Tickets carry no row values: evaluators (audit.read) may read them all."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from mudan.core.errors import Forbidden
from mudan.kernel.identity import department_codes
from mudan.kernel.rbac import Principal


def department_of(table_ref: str) -> str:
    return table_ref.split(".", 1)[0].removeprefix("d")


def data_scope(session: Session, who: Principal) -> set[str] | None:
    """Department codes whose quarantine and rules ``who`` may see; None = every department."""
    return None if who.can("lake.query_all") else department_codes(session, who)


def ticket_scope(session: Session, who: Principal) -> set[str] | None:
    return None if who.can("audit.read") else data_scope(session, who)


def check_tables(session: Session, who: Principal, table_refs: Iterable[str]) -> None:
    scope = data_scope(session, who)
    if scope is None:
        return
    for ref in table_refs:
        if department_of(ref) not in scope:
            raise Forbidden("quality.not_your_table", table=ref)


def check_department(scope: set[str] | None, department_code: str) -> None:
    if scope is not None and department_code not in scope:
        raise Forbidden("quality.not_your_table", table=department_code)


def check_rows(session: Session, who: Principal, ids: Iterable[int]) -> None:
    from sqlalchemy import select

    from mudan.domains.quality.models import QuarantineRow

    refs = session.scalars(
        select(QuarantineRow.table_ref).where(QuarantineRow.id.in_(list(ids))).distinct()
    )
    check_tables(session, who, refs)
