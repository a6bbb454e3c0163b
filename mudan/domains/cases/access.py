"""Who may see and act on a case, and masking of callers' personal data (``cases.pii``)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_
from sqlalchemy.orm import Session

from mudan.core.errors import Forbidden
from mudan.domains.cases.models import Case, CaseAssignment
from mudan.kernel.identity import department_codes
from mudan.kernel.rbac import ALL, Principal
from mudan.kernel.scope import Scope


def is_admin(principal: Principal) -> bool:
    return ALL in principal.permissions


def case_scope(session: Session, principal: Principal) -> ColumnElement[bool]:
    """SQL condition: cases in the principal's regions or assigned to one of its departments."""
    scope = Scope.of(session, principal, admin_sees_all=True)  # every path starts at the city
    cond = scope.where(region_path=Case.region_path, department=Case.department_code)
    if scope.whole_city or not scope.departments:
        return cond
    assigned = (
        CaseAssignment.__table__.select()
        .with_only_columns(CaseAssignment.case_id)
        .where(CaseAssignment.department_code.in_(sorted(scope.departments)), CaseAssignment.active)
    )
    return or_(cond, Case.id.in_(assigned))


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
