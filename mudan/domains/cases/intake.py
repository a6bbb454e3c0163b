"""Intake from every channel: validate, locate, route, set the deadline, spot duplicates.

A report whose place and category give a department is registered and dispatched at once (by
``system``, on the timeline); anything else waits in the manual dispatch queue (state
``received`` or ``registered`` without a department). Idempotent by ``idempotency_key``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mudan.core.db import utcnow
from mudan.core.errors import InvalidInput
from mudan.core.workcal import WorkCalendar
from mudan.domains.cases.deadlines import compute_limits
from mudan.domains.cases.duplicates import find_duplicate
from mudan.domains.cases.enums import CaseState as S
from mudan.domains.cases.enums import Channel, EventKind
from mudan.domains.cases.models import Case, CaseCategory, CaseReporter
from mudan.domains.cases.routing import Router, place
from mudan.domains.cases.workflow import add_event, assign
from mudan.kernel.calendar import load_calendar

SYSTEM = "system"


@dataclass(frozen=True)
class IntakeIn:
    channel: Channel
    category_code: str
    title: str
    description: str = ""
    lon: float | None = None
    lat: float | None = None
    region_code: str | None = None
    address: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    reporter_account: str = ""
    idempotency_key: str | None = None
    source: str = ""
    object_ref: str = ""
    department_code: str | None = None  # a channel that already knows the department (tasks)


def _validate(session: Session, data: IntakeIn) -> CaseCategory:
    if not data.category_code:
        raise InvalidInput("cases.unknown_category", code="")
    category = session.get(CaseCategory, data.category_code)
    if category is None or not category.active:
        raise InvalidInput("cases.unknown_category", code=data.category_code)
    has_point = data.lon is not None and data.lat is not None
    if not has_point and not data.region_code:
        raise InvalidInput("cases.missing_location")
    if has_point and not (-180 <= (data.lon or 0) <= 180 and -90 <= (data.lat or 0) <= 90):
        raise InvalidInput("cases.bad_point", lon=data.lon, lat=data.lat)
    if not data.title.strip():
        raise InvalidInput("cases.title_required")
    return category


def existing(session: Session, key: str | None) -> Case | None:
    if not key:
        return None
    return session.scalar(select(Case).where(Case.idempotency_key == key))


def intake(
    session: Session,
    *,
    data: IntakeIn,
    actor: str,
    router: Router | None = None,
    calendar: WorkCalendar | None = None,
    now: datetime | None = None,
) -> Case:
    """Create (or, for a repeated idempotency key, return) one case."""
    if data.idempotency_key and len(data.idempotency_key) > 128:
        raise InvalidInput("cases.bad_idempotency_key")
    found = existing(session, data.idempotency_key)
    if found is not None:
        return found
    category = _validate(session, data)
    now = now or utcnow()
    cal = calendar or load_calendar(session)
    limits = compute_limits(cal, now, category.limit_value, category.limit_unit)
    where = place(session, lon=data.lon, lat=data.lat, region_code=data.region_code)
    router = router or Router.load(session)
    department = data.department_code or router.department(category.code, where)
    case = Case(
        number=f"T{uuid.uuid4().hex[:28]}",
        idempotency_key=data.idempotency_key or None,
        channel=data.channel.value,
        source=data.source,
        object_ref=data.object_ref,
        title=data.title.strip()[:200],
        description=data.description,
        address=data.address[:200],
        category_code=category.code,
        state=S.RECEIVED.value,
        lon=data.lon,
        lat=data.lat,
        grid_code=where.grid_code,
        community_code=where.community_code,
        street_code=where.street_code,
        district_code=where.district_code,
        region_path=where.region_path,
        created_at=now,
        updated_at=now,
        warn_at=limits.warn_at,
        due_at=limits.due_at,
        due_provisional=limits.provisional,
    )
    try:
        with session.begin_nested():
            session.add(case)
            session.flush()
    except IntegrityError:
        again = existing(session, data.idempotency_key)
        if again is None:
            raise
        return again
    case.number = f"{now:%Y%m%d}{case.id:08d}"
    case.reporters.append(
        CaseReporter(
            origin_case_id=case.id,
            name=data.reporter_name.strip()[:64],
            phone=data.reporter_phone.strip()[:32],
            account=data.reporter_account[:64],
        )
    )
    add_event(
        session,
        case,
        kind=EventKind.INTAKE,
        actor=actor,
        to_state=S.RECEIVED,
        at=now,
        channel=data.channel.value,
        inside=where.inside,
    )
    dup = find_duplicate(session, case)
    if dup is not None:
        case.suggested_merge_id = dup.id
    if department is not None and where.inside:
        assign(session, case, department, [])
        case.state = S.DISPATCHED.value
        add_event(
            session,
            case,
            kind=EventKind.ROUTED,
            actor=SYSTEM,
            from_state=S.RECEIVED,
            to_state=S.DISPATCHED,
            at=now,
            department=department,
        )
    session.flush()
    return case
