"""Step deadlines in working days (org calendar), reminders, overdue marks, 及时共享率."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core import audit
from mudan.core.db import as_utc, utcnow
from mudan.core.errors import InvalidInput
from mudan.core.workcal import CHINA_TZ, WorkCalendar
from mudan.domains.sharing.enums import OPEN_STATUSES, EventKind, Step
from mudan.domains.sharing.models import ShareEvent, ShareRequest, StepDeadline
from mudan.kernel.calendar import load_calendar

DEFAULT_WORKDAYS = {Step.PROVIDER: 5, Step.BUREAU: 3}
DEFAULT_REMIND_HOURS = 24


def step_rule(session: Session, step: Step) -> tuple[int, int]:
    row = session.get(StepDeadline, step.value)
    if row is None:
        return DEFAULT_WORKDAYS[step], DEFAULT_REMIND_HOURS
    return row.workdays, row.remind_hours


def set_step_rule(session: Session, *, step: Step, workdays: int, remind_hours: int) -> None:
    if not 0 <= workdays <= 60 or not 0 <= remind_hours <= 240:
        raise InvalidInput("sharing.bad_deadline", step=step.value)
    row = session.get(StepDeadline, step.value)
    if row is None:
        session.add(StepDeadline(step=step.value, workdays=workdays, remind_hours=remind_hours))
    else:
        row.workdays, row.remind_hours = workdays, remind_hours
    session.flush()


def start_step(
    session: Session,
    req: ShareRequest,
    step: Step,
    *,
    now: datetime,
    calendar: WorkCalendar | None = None,
) -> None:
    workdays, _ = step_rule(session, step)
    cal = calendar or load_calendar(session)
    deadline = cal.add_workdays(now.astimezone(CHINA_TZ), workdays)
    req.step = step.value
    req.step_started_at = now
    req.due_at = deadline.at.astimezone(UTC)
    req.due_provisional = deadline.provisional
    req.reminded_at = None


def close_step(req: ShareRequest, *, now: datetime) -> bool:
    """End the current step; returns (and records) whether it finished late."""
    late = req.due_at is not None and now > as_utc(req.due_at)
    if late:
        req.overdue = True
    req.step, req.due_at, req.reminded_at = None, None, None
    return late


def _system_event(session: Session, req: ShareRequest, kind: EventKind, now: datetime) -> None:
    rec = audit.record(
        session,
        actor="scheduler",
        role="system",
        action=f"share.{kind.value}",
        object_type="share_request",
        object_id=str(req.id),
        detail={"step": req.step, "due_at": req.due_at.isoformat() if req.due_at else None},
    )
    req.events.append(
        ShareEvent(
            request_id=req.id,
            at=now,
            kind=kind.value,
            step=req.step,
            actor="scheduler",
            due_at=req.due_at,
            audit_id=rec.id,
        )
    )


@dataclass(frozen=True)
class TickReport:
    reminded: list[int]
    overdue: list[int]


def remind_and_mark(session: Session, *, now: datetime | None = None) -> TickReport:
    """Remind the open steps whose deadline is near; mark the ones past it. Idempotent."""
    now = now or utcnow()
    rules = {s: step_rule(session, s) for s in Step}
    reminded: list[int] = []
    overdue: list[int] = []
    q = select(ShareRequest).where(
        ShareRequest.status.in_([s.value for s in OPEN_STATUSES]), ShareRequest.due_at.is_not(None)
    )
    for req in session.scalars(q):
        assert req.due_at is not None and req.step is not None
        due = as_utc(req.due_at)
        if now > due and not req.overdue:
            req.overdue = True
            _system_event(session, req, EventKind.OVERDUE, now)
            overdue.append(req.id)
        elif req.reminded_at is None and not req.overdue:
            hours = rules[Step(req.step)][1]
            if (due - now).total_seconds() <= hours * 3600:
                req.reminded_at = now
                _system_event(session, req, EventKind.REMIND, now)
                reminded.append(req.id)
    session.flush()
    return TickReport(reminded=reminded, overdue=overdue)


@dataclass(frozen=True)
class RateRow:
    key: str  # department code, month (YYYY-MM) or "3717"
    name: str
    on_time: int
    total: int

    @property
    def rate(self) -> float | None:
        return round(100 * self.on_time / self.total, 2) if self.total else None


def on_time_rates(
    session: Session, *, year: int | None = None, now: datetime | None = None
) -> dict[str, list[RateRow]]:
    """及时共享率: answered requests whose every step met its deadline, out of answered
    requests plus open ones already overdue; per provider department, per month, city."""
    now = now or utcnow()
    q = select(ShareRequest)
    rows = list(session.scalars(q))
    dept: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    names: dict[str, str] = {}
    month: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    city = [0, 0]
    for r in rows:
        created = as_utc(r.created_at).astimezone(CHINA_TZ)
        if year is not None and created.year != year:
            continue
        is_open = r.status in {s.value for s in OPEN_STATUSES}
        late = r.overdue or (is_open and r.due_at is not None and now > as_utc(r.due_at))
        if is_open and not late:
            continue  # still in time: not counted yet
        if r.answered_at is None and not is_open and not late:
            continue  # waiting for the requester (补充材料)
        ok = 0 if late else 1
        code = r.provider.code
        names[code] = r.provider.name
        for bucket in (dept[code], month[created.strftime("%Y-%m")], city):
            bucket[0] += ok
            bucket[1] += 1
    return {
        "departments": [RateRow(k, names[k], v[0], v[1]) for k, v in sorted(dept.items())],
        "months": [RateRow(k, k, v[0], v[1]) for k, v in sorted(month.items())],
        "city": [RateRow("3717", "菏泽市", city[0], city[1])],
    }
