"""Who sees which emergency objects (docs/emergency.md, "Who sees what").

A principal's scope is its region subtrees (``scope_paths``) plus its departments, as in every
other domain; a scope holding the city root sees everything.

- incidents: those whose place (``region_path``) lies in one of the principal's subtrees;
- resources: those located in the principal's regions (district or street) or owned by one of
  its departments;
- duty shifts: those of departments whose region lies in the principal's subtrees, or of its
  own departments (the city roster belongs to the city's departments);
- mutual aid: every ``emergency.read`` holder also sees ``resource_summary``: per district and
  kind, how many resources and how much capacity — no names, contacts or positions. Aid across
  counties is requested from and dispatched by the city command centre, whose scope is the city.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select, true
from sqlalchemy.orm import Session

from mudan.domains.emergency.models import DutyShift, Incident, Resource
from mudan.kernel.geo import CITY_CODE
from mudan.kernel.identity import department_codes
from mudan.kernel.models import Department, Region
from mudan.kernel.rbac import Principal
from mudan.kernel.scope import Scope


def _city_wide(principal: Principal) -> bool:
    return CITY_CODE in principal.scope_paths


def incident_scope(principal: Principal) -> ColumnElement[bool]:
    return Scope.of(None, principal).where(region_path=Incident.region_path)


def resource_scope(session: Session, principal: Principal) -> ColumnElement[bool]:
    return Scope.of(session, principal).where(
        region_codes=(Resource.district_code, Resource.street_code),
        department=Resource.owner_department_code,
    )


def departments_in_scope(principal: Principal) -> ColumnElement[bool]:
    """SQL condition on ``Department``: its region lies in one of the principal's subtrees."""
    regions = select(Region.code).where(Scope.of(None, principal).where(region_path=Region.path))
    return Department.region_code.in_(regions)


def duty_scope(session: Session, principal: Principal) -> ColumnElement[bool]:
    scope = Scope.of(session, principal)
    if scope.whole_city:
        return true()
    local = select(Department.code).where(departments_in_scope(principal))
    return or_(
        DutyShift.department_code.in_(local), scope.where(department=DutyShift.department_code)
    )


def sees_resource(session: Session, principal: Principal, row: Resource) -> bool:
    q = select(Resource.id).where(Resource.id == row.id, resource_scope(session, principal))
    return session.scalar(q) is not None


def sees_duty_department(session: Session, principal: Principal, code: str) -> bool:
    """Whether shifts of department ``code`` are in the principal's roster."""
    if _city_wide(principal) or code in department_codes(session, principal):
        return True
    q = select(Department.id).where(Department.code == code, departments_in_scope(principal))
    return session.scalar(q) is not None


@dataclass(frozen=True)
class SummaryRow:
    district_code: str | None
    kind: str
    unit: str
    count: int
    capacity: int


def resource_summary(session: Session) -> list[SummaryRow]:
    """Every district's resources by kind (count and capacity): what mutual aid can draw on."""
    r = Resource
    rows = session.execute(
        select(
            r.district_code, r.kind, r.unit, func.count(), func.coalesce(func.sum(r.capacity), 0)
        )
        .group_by(r.district_code, r.kind, r.unit)
        .order_by(r.district_code, r.kind, r.unit)
    ).all()
    return [SummaryRow(d, str(k), str(u), int(n), int(c)) for d, k, u, n, c in rows]
