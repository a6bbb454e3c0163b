"""The cases domain's service layer (other domains import only this module)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from mudan.core.db import utcnow
from mudan.core.errors import Forbidden, NotFound
from mudan.domains.cases import extras
from mudan.domains.cases.access import can_see, case_scope, check_assigned
from mudan.domains.cases.categories import SEEDS, routing_rules
from mudan.domains.cases.duplicates import merge
from mudan.domains.cases.enums import OPEN_STATES, CaseState, Channel
from mudan.domains.cases.escalation import supervise
from mudan.domains.cases.extras import add_photo, assist_note, decide_extension, request_extension
from mudan.domains.cases.extras import visit as visit_case
from mudan.domains.cases.intake import IntakeIn, intake
from mudan.domains.cases.models import (
    Case,
    CaseCategory,
    CaseEvent,
    CasePhoto,
    RoutingRule,
    manual_clause,
    open_clause,
)
from mudan.domains.cases.workflow import ActIn, act
from mudan.hooks import TaskRequest
from mudan.kernel.models import Department
from mudan.kernel.rbac import Principal
from mudan.kernel.scope import Scope

__all__ = [
    "ActIn",
    "IntakeIn",
    "act",
    "add_photo",
    "assist_note",
    "board",
    "decide_extension",
    "get_case",
    "handler_queue",
    "intake",
    "merge",
    "open_task",
    "request_extension",
    "seed_categories",
    "supervise",
    "timeline",
    "visit_case",
]

MAX_PHOTO_BYTES = extras.MAX_PHOTO_BYTES
OPEN = [s.value for s in OPEN_STATES]
DEFAULT_TASK_CATEGORY = {"video.repair": "BJ0105"}
FALLBACK_CATEGORY = "SJ0699"


def seed_categories(session: Session) -> int:
    """Insert the seed categories and their routing rules (idempotent)."""
    have = set(session.scalars(select(CaseCategory.code)))
    added = 0
    for s in SEEDS:
        if s.code in have:
            continue
        session.add(
            CaseCategory(
                code=s.code,
                name=s.name,
                kind=s.kind.value,
                group_name=s.group,
                limit_value=s.limit,
                limit_unit=s.unit.value,
                is_dispute=s.is_dispute,
                keywords=s.keywords,
                active=True,
            )
        )
        session.flush()
        for region, dept in routing_rules(s):
            session.add(RoutingRule(category_code=s.code, region_code=region, department_code=dept))
        added += 1
    session.flush()
    return added


def categories(session: Session) -> list[CaseCategory]:
    return list(
        session.scalars(select(CaseCategory).where(CaseCategory.active).order_by(CaseCategory.code))
    )


def get_case(session: Session, *, number: str, principal: Principal | None = None) -> Case:
    case = session.scalar(select(Case).where(Case.number == number))
    if case is None or (principal is not None and not can_see(session, principal, case)):
        raise NotFound("cases.not_found", number=number)
    return case


def timeline(session: Session, *, case: Case) -> list[CaseEvent]:
    return list(
        session.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_id == case.id)
            .order_by(CaseEvent.at, CaseEvent.id)
        )
    )


@dataclass(frozen=True)
class BoardFilter:
    queue: str = "all"  # all | manual | overdue | due_soon | mine | closed
    department_code: str | None = None
    district_code: str | None = None
    category_code: str | None = None
    limit: int = 50
    offset: int = 0


def board_query(
    session: Session, principal: Principal, f: BoardFilter, now: datetime
) -> Select[Any]:
    stmt = select(Case).where(case_scope(session, principal))
    if f.queue == "closed":
        stmt = stmt.where(Case.state == CaseState.CLOSED)
    else:
        stmt = stmt.where(open_clause())
    if f.queue == "manual":
        stmt = stmt.where(manual_clause())
    elif f.queue == "overdue":
        stmt = stmt.where(Case.due_at <= now)
    elif f.queue == "due_soon":
        stmt = stmt.where(Case.warn_at <= now, Case.due_at > now)
    if f.department_code:
        stmt = stmt.where(Case.department_code == f.department_code)
    if f.district_code:
        stmt = stmt.where(Case.district_code == f.district_code)
    if f.category_code:
        stmt = stmt.where(Case.category_code == f.category_code)
    return stmt


def board(
    session: Session, *, principal: Principal, filt: BoardFilter, now: datetime | None = None
) -> tuple[list[Case], int]:
    now = now or utcnow()
    stmt = board_query(session, principal, filt, now)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(Case.due_at, Case.id).limit(filt.limit).offset(filt.offset)
    )
    return list(rows), total


def handler_queue(session: Session, principal: Principal) -> Select[Any]:
    """Cases a handler's departments lead and must act on: dispatched (to accept) or handling
    (to report), soonest due first — the handler's phone page."""
    return (
        select(Case)
        .where(
            Scope.of_departments(session, principal).where(department=Case.department_code),
            Case.state.in_([CaseState.DISPATCHED.value, CaseState.HANDLING.value]),
        )
        .order_by(Case.due_at)
    )


def open_task(session: Session, *, task: TaskRequest) -> str:
    """A case for a department from another domain (alerts, video repair …); idempotent."""
    code = task.category_code or DEFAULT_TASK_CATEGORY.get(task.source, FALLBACK_CATEGORY)
    if session.get(CaseCategory, code) is None:
        code = FALLBACK_CATEGORY
    region = task.region_code if task.lon is None or task.lat is None else None
    dept = task.department_code
    if dept and session.scalar(select(Department.code).where(Department.code == dept)) is None:
        dept = None  # an unknown department: route by the rules instead
    case = intake(
        session,
        data=IntakeIn(
            channel=Channel.TASK,
            category_code=code,
            title=task.title,
            description=task.description,
            lon=task.lon,
            lat=task.lat,
            region_code=region or ("3717" if task.lon is None else None),
            idempotency_key=f"task:{task.idempotency_key}" if task.idempotency_key else None,
            source=task.source,
            object_ref=task.object_ref,
            department_code=dept,
        ),
        actor=task.source or "task",
    )
    return case.number


def store_photo(
    session: Session, *, case: Case, data: bytes, principal: Principal, var_dir: Path
) -> CasePhoto:
    """A photo from the case's own reporter, or from a handler of the lead department."""
    own = any(r.account == principal.username for r in case.reporters)
    if own and principal.can("cases.intake") and CaseState(case.state) in OPEN_STATES:
        stage = "intake"  # the reporter (a grid worker) adds photos of what they reported
    elif principal.can("cases.handle"):
        check_assigned(session, principal, case, lead=True)
        stage = "handling"
    else:
        raise Forbidden("auth.forbidden", permission="cases.handle")
    return add_photo(
        session, case=case, data=data, var_dir=var_dir, principal=principal, stage=stage
    )


def photos(session: Session, *, case: Case) -> list[CasePhoto]:
    return list(
        session.scalars(
            select(CasePhoto).where(CasePhoto.case_id == case.id).order_by(CasePhoto.id)
        )
    )


def get_photo(session: Session, *, case: Case, photo_id: int) -> CasePhoto:
    photo = session.get(CasePhoto, photo_id)
    if photo is None or photo.case_id != case.id:
        raise NotFound("cases.not_found", number=f"{case.number}/{photo_id}")
    return photo
