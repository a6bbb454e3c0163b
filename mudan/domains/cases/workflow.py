"""The case loop as a state machine; every change lands on the timeline and in the audit trail."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core import audit
from mudan.core.db import utcnow
from mudan.core.errors import Conflict, Forbidden, InvalidInput
from mudan.domains.cases.access import check_assigned
from mudan.domains.cases.enums import Action, CaseState, EventKind, Mediation
from mudan.domains.cases.models import Case, CaseAssignment, CaseCategory, CaseEvent
from mudan.kernel.models import Department
from mudan.kernel.rbac import Principal

S, A = CaseState, Action
TRANSITIONS: dict[CaseState, dict[Action, CaseState]] = {
    S.RECEIVED: {A.REGISTER: S.REGISTERED, A.CANCEL: S.CANCELLED, A.PARK: S.PARKED},
    S.REGISTERED: {A.DISPATCH: S.DISPATCHED, A.CANCEL: S.CANCELLED, A.PARK: S.PARKED},
    S.DISPATCHED: {A.ACCEPT: S.HANDLING, A.RETURN: S.REGISTERED, A.PARK: S.PARKED},
    S.HANDLING: {A.REPORT: S.VERIFYING, A.RETURN: S.REGISTERED, A.PARK: S.PARKED},
    S.VERIFYING: {A.CLOSE: S.CLOSED, A.VERIFY_FAIL: S.HANDLING},
    S.CLOSED: {A.REOPEN: S.DISPATCHED},
    S.PARKED: {A.UNPARK: S.RECEIVED},  # the real target is the state it was parked from
    S.MERGED: {},
    S.CANCELLED: {},
}
#: Actions a handler of the lead department performs; the rest belong to dispatchers.
HANDLER_ACTIONS = frozenset({A.ACCEPT, A.RETURN, A.REPORT})
REASON_REQUIRED = frozenset({A.RETURN, A.PARK, A.CANCEL, A.VERIFY_FAIL, A.REOPEN})


@dataclass(frozen=True)
class ActIn:
    action: Action
    note: str = ""
    department_code: str | None = None  # dispatch: the lead department
    assist_codes: list[str] = field(default_factory=list)  # dispatch: 协办 departments
    mediation: Mediation | None = None  # report on a dispute


def allowed_actions(state: str) -> list[str]:
    return [a.value for a in TRANSITIONS[CaseState(state)]]


def add_event(
    session: Session,
    case: Case,
    *,
    kind: EventKind,
    actor: str,
    note: str = "",
    from_state: str | None = None,
    to_state: str | None = None,
    at: datetime | None = None,
    **detail: Any,
) -> CaseEvent:
    ev = CaseEvent(
        case_id=case.id,
        kind=kind.value,
        actor=actor,
        note=note,
        from_state=str(from_state) if from_state is not None else None,
        to_state=str(to_state) if to_state is not None else None,
        at=at or utcnow(),
        detail=detail,
    )
    session.add(ev)
    return ev


def _check_permission(session: Session, principal: Principal, case: Case, action: Action) -> None:
    if action in HANDLER_ACTIONS:
        if not principal.can("cases.handle"):
            raise Forbidden("auth.forbidden", permission="cases.handle")
        check_assigned(session, principal, case, lead=True)
    elif not principal.can("cases.dispatch"):
        raise Forbidden("auth.forbidden", permission="cases.dispatch")


def _department(session: Session, code: str) -> str:
    if session.scalar(select(Department.code).where(Department.code == code)) is None:
        raise InvalidInput("cases.unknown_department", code=code)
    return code


def assign(session: Session, case: Case, lead: str, assists: list[str]) -> None:
    for a in case.assignments:
        a.active = False
    now = utcnow()
    case.assignments.append(CaseAssignment(department_code=lead, lead=True, assigned_at=now))
    for code in dict.fromkeys(assists):
        if code != lead:
            case.assignments.append(
                CaseAssignment(department_code=code, lead=False, assigned_at=now)
            )
    case.department_code = lead


def act(
    session: Session, *, case: Case, data: ActIn, principal: Principal, now: datetime | None = None
) -> Case:
    """Apply one action of the loop: 409 naming the allowed actions when the loop forbids it."""
    now = now or utcnow()
    state = CaseState(case.state)
    table = TRANSITIONS[state]
    if data.action not in table:
        allowed = allowed_actions(state)
        raise Conflict(
            "cases.bad_transition",
            details=[{"state": state.value, "action": data.action.value, "allowed": allowed}],
            state=state.value,
            action=data.action.value,
            allowed=", ".join(allowed) or "-",
        )
    _check_permission(session, principal, case, data.action)
    if data.action in REASON_REQUIRED and not data.note.strip():
        raise InvalidInput("cases.reason_required", action=data.action.value)
    target = table[data.action]
    extra: dict[str, Any] = {}
    if data.action == A.DISPATCH:
        if not data.department_code:
            raise InvalidInput("cases.department_required")
        lead = _department(session, data.department_code)
        assists = [_department(session, c) for c in data.assist_codes]
        assign(session, case, lead, assists)
        extra = {"department": lead, "assist": assists}
    elif data.action == A.RETURN:
        extra = {"department": case.department_code}
        for a in case.assignments:
            a.active = False
        case.department_code = None
        case.returns += 1
    elif data.action == A.REPORT:
        category = session.get(CaseCategory, case.category_code)
        if category is not None and category.is_dispute:
            if data.mediation is None:
                raise InvalidInput("cases.mediation_required")
            case.mediation = data.mediation.value
            extra = {"mediation": data.mediation.value}
    elif data.action == A.PARK:
        case.parked_from, case.park_reason = state.value, data.note.strip()[:200]
    elif data.action == A.UNPARK:
        target = CaseState(case.parked_from or CaseState.RECEIVED)
        case.parked_from, case.park_reason = None, ""
    elif data.action == A.CLOSE:
        case.closed_at = now
    elif data.action == A.REOPEN:
        case.reopenings += 1
        case.closed_at = None
    case.state, case.updated_at = target.value, now
    session.flush()
    add_event(
        session,
        case,
        kind=EventKind.TRANSITION,
        actor=principal.username,
        note=data.note,
        from_state=state.value,
        to_state=target.value,
        at=now,
        action=data.action.value,
        **extra,
    )
    if data.action == A.CLOSE:
        _close_merged(session, case, principal, now)
    audit.record(
        session,
        actor=principal.username,
        role=principal.primary_role,
        action=f"cases.{data.action.value}",
        object_type="case",
        object_id=case.number,
        outcome="ok",
        detail={"from": state.value, "to": target.value, **extra},
    )
    session.flush()
    return case


def _close_merged(session: Session, case: Case, principal: Principal, now: datetime) -> None:
    for other in session.scalars(select(Case).where(Case.merged_into_id == case.id)):
        if other.state == CaseState.MERGED:
            other.state, other.closed_at, other.updated_at = CaseState.CLOSED.value, now, now
            add_event(
                session,
                other,
                kind=EventKind.TRANSITION,
                actor=principal.username,
                from_state=CaseState.MERGED.value,
                to_state=CaseState.CLOSED.value,
                at=now,
                action="close_with",
                with_case=case.number,
            )
