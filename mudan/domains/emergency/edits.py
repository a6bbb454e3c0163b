"""Editing plans, resources and the duty roster (the pages' edit forms and the API use these).

A plan keeps its code. Levels and roles are matched by level number and role code and updated
in place, because open and past incidents point at role rows (their checklist items): a role
that incidents used cannot be removed, only changed. Holders are replaced.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core import audit
from mudan.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from mudan.domains.emergency.duty import shift_window
from mudan.domains.emergency.models import (
    ChecklistItem,
    DutyShift,
    Plan,
    PlanLevel,
    PlanRole,
    Resource,
    RoleHolder,
)
from mudan.domains.emergency.plans import department_exists, get_plan, get_resource, user_id_of
from mudan.domains.emergency.schemas import DutyIn, PlanIn, PlanRoleIn, ResourceIn
from mudan.domains.emergency.scope import sees_duty_department
from mudan.domains.emergency.where import Actor, locate_point
from mudan.kernel.geo import Locator


def _audit(session: Session, actor: Actor, action: str, otype: str, ref: str, **d: object) -> None:
    audit.record(
        session,
        actor=actor.username,
        role=actor.primary_role,
        action=action,
        object_type=otype,
        object_id=ref,
        detail=dict(d),
    )


def _holders(session: Session, role: PlanRoleIn) -> list[RoleHolder]:
    return [
        RoleHolder(
            name=h.name,
            user_id=user_id_of(session, h.username) if h.username else None,
            phone=h.phone,
            channels=list(h.channels),
        )
        for h in role.holders
    ]


def update_plan(session: Session, *, plan_id: int, data: PlanIn, actor: Actor) -> Plan:
    plan = get_plan(session, plan_id=plan_id)
    department_exists(session, data.department_code)
    levels = {lv.level for lv in data.levels}
    if len(levels) != len(data.levels):
        raise InvalidInput("emergency.duplicate_level", code=plan.code)
    codes = [r.code for r in data.roles]
    if len(set(codes)) != len(codes):
        raise InvalidInput("emergency.duplicate_role", code=plan.code)
    for role in data.roles:
        bad = sorted(set(role.checklists) - levels)
        if bad:
            raise InvalidInput("emergency.role_level_unknown", role=role.code, level=bad[0])
    plan.name, plan.event_type = data.name, data.event_type.value
    plan.department_code, plan.summary = data.department_code, data.summary

    by_level = {lv.level: lv for lv in plan.levels}
    plan.levels[:] = [by_level.get(lv.level) or PlanLevel(level=lv.level) for lv in data.levels]
    for level_row, lv in zip(plan.levels, data.levels, strict=True):
        level_row.criteria, level_row.reports = lv.criteria, [r.model_dump() for r in lv.reports]

    by_code = {r.code: r for r in plan.roles}
    for gone in set(by_code) - set(codes):
        used = session.scalar(
            select(ChecklistItem.id).where(ChecklistItem.role_id == by_code[gone].id).limit(1)
        )
        if used is not None:
            raise Conflict("emergency.role_in_use", role=by_code[gone].name)
    plan.roles[:] = [by_code.get(r.code) or PlanRole(code=r.code) for r in data.roles]
    for row, role in zip(plan.roles, data.roles, strict=True):
        row.name, row.department_code = role.name, role.department_code
        row.checklists = {str(k): list(v) for k, v in sorted(role.checklists.items())}
        row.holders[:] = _holders(session, role)
    session.flush()
    _audit(
        session, actor, "emergency.plan_updated", "emergency_plan", plan.code,
        levels=sorted(levels), roles=len(codes),
    )  # fmt: skip
    return plan


def update_resource(
    session: Session, *, resource_id: int, data: ResourceIn, actor: Actor, locator: Locator
) -> Resource:
    row = get_resource(session, resource_id=resource_id, actor=actor)
    department_exists(session, data.owner_department_code)
    where = locate_point(locator, data.lon, data.lat)
    if not actor.sees_path(where.region_path):
        raise Forbidden("emergency.out_of_scope", number=where.district_name)
    for key, value in data.model_dump(exclude={"kind", "code"}).items():
        setattr(row, key, value)
    row.kind = data.kind.value
    row.district_code, row.street_code = where.district_code, where.street_code
    session.flush()
    _audit(
        session, actor, "emergency.resource_updated", "emergency_resource", row.code,
        kind=row.kind, district=row.district_code,
    )  # fmt: skip
    return row


def get_duty(session: Session, *, duty_id: int, actor: Actor) -> DutyShift:
    row = session.get(DutyShift, duty_id)
    if row is None:
        raise NotFound("emergency.duty_not_found", id=duty_id)
    if not sees_duty_department(session, actor, row.department_code):
        raise Forbidden("emergency.duty_out_of_scope", id=duty_id)
    return row


def update_duty(session: Session, *, duty_id: int, data: DutyIn, actor: Actor) -> DutyShift:
    row = get_duty(session, duty_id=duty_id, actor=actor)
    if not sees_duty_department(session, actor, data.department_code):
        raise Forbidden("emergency.duty_department_out_of_scope", code=data.department_code)
    clash = session.scalar(
        select(DutyShift.id).where(
            DutyShift.day == data.day,
            DutyShift.shift == data.shift.value,
            DutyShift.post == data.post.value,
            DutyShift.name == data.name,
            DutyShift.id != duty_id,
        )
    )
    if clash is not None:
        raise Conflict("emergency.duplicate_duty", name=data.name, day=data.day.isoformat())
    row.day, row.shift, row.post = data.day, data.shift.value, data.post.value
    row.starts_at, row.ends_at = shift_window(data.day, data.shift)
    row.user_id = user_id_of(session, data.username) if data.username else None
    row.name, row.phone, row.department_code = data.name, data.phone, data.department_code
    session.flush()
    _audit(
        session, actor, "emergency.duty_updated", "emergency_duty", str(row.id),
        day=data.day.isoformat(), shift=row.shift, post=row.post,
    )  # fmt: skip
    return row


def remove_duty(session: Session, *, duty_id: int, actor: Actor) -> None:
    row = get_duty(session, duty_id=duty_id, actor=actor)
    _audit(
        session, actor, "emergency.duty_removed", "emergency_duty", str(row.id),
        day=row.day.isoformat(), shift=row.shift, name=row.name,
    )  # fmt: skip
    session.delete(row)
    session.flush()
