"""Who may see and act on a case, and masking of callers' personal data (``cases.pii``)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, true
from sqlalchemy.orm import Session

from mudan.core.errors import Forbidden
from mudan.domains.cases.models import Case, CaseAssignment
from mudan.kernel.geo import CITY_CODE
from mudan.kernel.identity import department_codes
from mudan.kernel.rbac import ALL, Principal


def is_admin(principal: Principal) -> bool:
    return ALL in principal.permissions


def case_scope(session: Session, principal: Principal) -> ColumnElement[bool]:
    """SQL condition: cases in the principal's regions or assigned to one of its departments."""
    if is_admin(principal) or CITY_CODE in principal.scope_paths:
        return true()  # every case's region path starts at the city
    conds: list[ColumnElement[bool]] = []
    for path in principal.scope_paths:
        conds.append(Case.region_path == path)
        conds.append(Case.region_path.startswith(path + "/"))
    depts = department_codes(session, principal)
    if depts:
        conds.append(Case.department_code.in_(depts))
        conds.append(
            Case.id.in_(
                CaseAssignment.__table__.select()
                .with_only_columns(CaseAssignment.case_id)
                .where(CaseAssignment.department_code.in_(depts), CaseAssignment.active)
            )
        )
    return or_(*conds) if conds else false()


def can_see(session: Session, principal: Principal, case: Case) -> bool:
    if is_admin(principal) or principal.sees_path(case.region_path):
        return True
    depts = department_codes(session, principal)
    return bool(depts & {a.department_code for a in case.assignments if a.active})


def check_assigned(session: Session, principal: Principal, case: Case, *, lead: bool) -> None:
    """A handler acts only on cases assigned to their department (the lead one for the loop)."""
    if is_admin(principal):
        return
    depts = department_codes(session, principal)
    assigned = {a.department_code for a in case.assignments if a.active and (a.lead or not lead)}
    if not depts & assigned:
        raise Forbidden("cases.not_assigned", number=case.number)


def mask_name(name: str) -> str:
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""


def mask_phone(phone: str) -> str:
    digits = phone.strip()
    if len(digits) >= 7:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * len(digits)
