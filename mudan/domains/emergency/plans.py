"""Plans (预案) with levels, roles, checklists and holders; the resource registry."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core import audit
from mudan.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from mudan.domains.emergency.enums import ResourceKind
from mudan.domains.emergency.models import (
    Plan,
    PlanLevel,
    PlanRole,
    Resource,
    RoleHolder,
)
from mudan.domains.emergency.schemas import PlanIn, ResourceIn
from mudan.domains.emergency.scope import resource_scope, sees_resource
from mudan.domains.emergency.where import Actor, locate_point
from mudan.kernel.geo import Locator
from mudan.kernel.models import Department, User


def department_exists(session: Session, code: str) -> None:
    if session.scalar(select(Department.id).where(Department.code == code)) is None:
        raise NotFound("department.not_found", code=code)


def user_id_of(session: Session, username: str) -> int:
    uid = session.scalar(select(User.id).where(User.username == username.strip().lower()))
    if uid is None:
        raise NotFound("emergency.unknown_user", username=username)
    return uid


def create_plan(session: Session, *, data: PlanIn, actor: Actor) -> Plan:
    """A plan with its levels and roles; every role's checklist levels must be plan levels."""
    if session.scalar(select(Plan.id).where(Plan.code == data.code)) is not None:
        raise Conflict("emergency.duplicate_plan", code=data.code)
    department_exists(session, data.department_code)
    levels = {lv.level for lv in data.levels}
    if len(levels) != len(data.levels):
        raise InvalidInput("emergency.duplicate_level", code=data.code)
    plan = Plan(
        code=data.code,
        name=data.name,
        event_type=data.event_type.value,
        department_code=data.department_code,
        summary=data.summary,
    )
    for lv in data.levels:
        plan.levels.append(
            PlanLevel(
                level=lv.level,
                criteria=lv.criteria,
                reports=[r.model_dump() for r in lv.reports],
            )
        )
    for role in data.roles:
        bad = sorted(set(role.checklists) - levels)
        if bad:
            raise InvalidInput("emergency.role_level_unknown", role=role.code, level=bad[0])
        row = PlanRole(
            code=role.code,
            name=role.name,
            department_code=role.department_code,
            checklists={str(k): list(v) for k, v in sorted(role.checklists.items())},
        )
        for h in role.holders:
            row.holders.append(
                RoleHolder(
                    name=h.name,
                    user_id=user_id_of(session, h.username) if h.username else None,
                    phone=h.phone,
                    channels=list(h.channels),
                )
            )
        plan.roles.append(row)
    session.add(plan)
    session.flush()
    audit.record(
        session,
        actor=actor.username,
        role=actor.primary_role,
        action="emergency.plan_created",
        object_type="emergency_plan",
        object_id=plan.code,
        detail={"levels": sorted(levels), "roles": len(data.roles)},
    )
    return plan


def list_plans(session: Session, *, event_type: str | None = None) -> list[Plan]:
    q = select(Plan).order_by(Plan.code)
    if event_type:
        q = q.where(Plan.event_type == event_type)
    return list(session.scalars(q))


def get_plan(session: Session, *, plan_id: int | None = None, code: str | None = None) -> Plan:
    plan = (
        session.get(Plan, plan_id)
        if plan_id is not None
        else session.scalar(select(Plan).where(Plan.code == (code or "")))
    )
    if plan is None:
        raise NotFound("emergency.plan_not_found", plan=code or plan_id)
    return plan


def plan_for(session: Session, *, event_type: str) -> Plan | None:
    """The plan that covers an event type (the first by code), if any."""
    return session.scalar(select(Plan).where(Plan.event_type == event_type).order_by(Plan.code))


def roles_at(plan: Plan, level: int) -> list[PlanRole]:
    """The roles that take part at ``level`` (those with a checklist for it)."""
    return [r for r in plan.roles if str(level) in r.checklists]


def level_of(plan: Plan, level: int) -> PlanLevel | None:
    return next((lv for lv in plan.levels if lv.level == level), None)


def create_resource(
    session: Session, *, data: ResourceIn, actor: Actor, locator: Locator
) -> Resource:
    if session.scalar(select(Resource.id).where(Resource.code == data.code)) is not None:
        raise Conflict("emergency.duplicate_resource", code=data.code)
    department_exists(session, data.owner_department_code)
    where = locate_point(locator, data.lon, data.lat)
    if not actor.sees_path(where.region_path):
        raise Forbidden("emergency.out_of_scope", number=where.district_name)
    row = Resource(
        **data.model_dump(exclude={"kind"}),
        kind=data.kind.value,
        district_code=where.district_code,
        street_code=where.street_code,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor.username,
        role=actor.primary_role,
        action="emergency.resource_created",
        object_type="emergency_resource",
        object_id=row.code,
        detail={"kind": row.kind, "district": row.district_code},
    )
    return row


def list_resources(
    session: Session,
    *,
    actor: Actor,
    kind: ResourceKind | None = None,
    district_code: str | None = None,
) -> list[Resource]:
    """The resources ``actor`` sees in full (``scope.resource_scope``)."""
    q = select(Resource).where(resource_scope(session, actor)).order_by(Resource.code)
    if kind is not None:
        q = q.where(Resource.kind == kind.value)
    if district_code:
        q = q.where(Resource.district_code == district_code)
    return list(session.scalars(q))


def get_resource(session: Session, *, resource_id: int, actor: Actor) -> Resource:
    row = session.get(Resource, resource_id)
    if row is None:
        raise NotFound("emergency.resource_not_found", id=resource_id)
    if not sees_resource(session, actor, row):
        raise Forbidden("emergency.out_of_scope", number=row.code)
    return row
