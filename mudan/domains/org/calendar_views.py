"""Calendar API: admin-maintained overrides and a deadline calculator."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from mudan.core import audit
from mudan.core.deps import DbSession
from mudan.core.errors import InvalidInput
from mudan.kernel.calendar import list_overrides, load_calendar, set_override
from mudan.kernel.deps import require
from mudan.kernel.rbac import Principal

router = APIRouter(prefix="/api/v1/calendar", tags=["calendar"])


class OverrideIn(BaseModel):
    day: date
    is_workday: bool
    note: str = Field(default="", max_length=200)


class DeadlineOut(BaseModel):
    start: datetime
    workdays: int
    deadline: datetime
    provisional: bool


@router.get("/overrides", response_model=list[OverrideIn], dependencies=[require("org.read")])
def calendar_overrides(session: DbSession) -> list[OverrideIn]:
    return [
        OverrideIn(day=r.day, is_workday=r.is_workday, note=r.note) for r in list_overrides(session)
    ]


@router.put("/overrides", response_model=OverrideIn)
def put_calendar_override(
    body: OverrideIn, session: DbSession, principal: Principal = require("org.admin")
) -> OverrideIn:
    set_override(session, day=body.day, is_workday=body.is_workday, note=body.note)
    audit.record(
        session,
        actor=principal.username,
        role=principal.primary_role,
        action="calendar.override",
        object_type="day",
        object_id=body.day.isoformat(),
        detail={"is_workday": body.is_workday, "note": body.note},
    )
    return body


@router.get("/deadline", response_model=DeadlineOut, dependencies=[require("org.read")])
def calendar_deadline(
    session: DbSession, start: datetime = Query(), workdays: int = Query(ge=0, le=3650)
) -> DeadlineOut:
    """The end of the N-th working day after ``start`` (the start day itself does not count)."""
    try:
        d = load_calendar(session).add_workdays(start, workdays)
    except ValueError as exc:
        raise InvalidInput("calendar.bad_request", reason=str(exc)) from exc
    return DeadlineOut(start=start, workdays=workdays, deadline=d.at, provisional=d.provisional)
