"""Share requests: submit → (无条件: granted at once | 有条件: provider → big-data bureau),
approve / reject with a reason / ask for more information → resubmit. Every step is audited
and appended to the request's timeline. Keyword-only, never commits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from mudan.core import audit
from mudan.core.db import utcnow
from mudan.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from mudan.domains.catalog import service as catalog
from mudan.domains.sharing.enums import OPEN_STATUSES, Decision, EventKind, RequestStatus, Step
from mudan.domains.sharing.models import ShareEvent, ShareRequest
from mudan.domains.sharing.workflow import deadlines, grants
from mudan.domains.sharing.workflow.schemas import RequestIn, ResubmitIn
from mudan.kernel.models import Department, Region
from mudan.kernel.rbac import Principal

SEES_ALL = ("share.approve_bureau", "audit.read")


def event(
    session: Session,
    req: ShareRequest,
    who: Principal | None,
    kind: EventKind,
    *,
    step: str | None,
    note: str = "",
    now: datetime | None = None,
    **detail: Any,
) -> ShareEvent:
    rec = audit.record(
        session,
        actor=who.username if who else "system",
        role=who.primary_role if who else "system",
        action=f"share.{kind.value}",
        object_type="share_request",
        object_id=str(req.id),
        purpose=req.purpose[:200],
        detail={"status": req.status, "step": step, "note": note, **detail},
    )
    ev = ShareEvent(
        request_id=req.id,
        at=now or utcnow(),
        kind=kind.value,
        step=step,
        actor=who.username if who else "system",
        note=note,
        due_at=req.due_at,
        audit_id=rec.id,
    )
    req.events.append(ev)
    return ev


def _requester_department(session: Session, who: Principal, code: str | None) -> Department:
    if code:
        dept = session.scalar(select(Department).where(Department.code == code))
        if dept is None:
            raise NotFound("department.not_found", code=code)
        if dept.id not in who.department_ids and not who.can("share.approve_bureau"):
            raise Forbidden("sharing.not_own_department")
        return dept
    if len(who.department_ids) == 1:
        (dept_id,) = who.department_ids
        found = session.get(Department, dept_id)
        if found is not None:
            return found
    raise InvalidInput("sharing.department_required")


def _check_items(entry: Any, data: RequestIn) -> tuple[list[str], bool]:
    """The chosen items (default: every shareable one) and whether approval is needed."""
    by_name = {i.name: i for i in entry.items}
    wanted = data.items or [i.name for i in entry.items if i.share_type != "none"]
    for name in [*wanted, *data.unmasked_items]:
        if name not in by_name:
            raise InvalidInput("sharing.unknown_item", item=name)
        if by_name[name].share_type == "none":
            raise Forbidden("sharing.item_not_shareable", item=name)
    if len(set(wanted)) != len(wanted):
        raise InvalidInput("sharing.duplicate_item")
    if not set(data.unmasked_items) <= set(wanted):
        raise InvalidInput("sharing.unmasked_not_requested")
    conditional = (
        entry.share_type == "conditional"
        or any(by_name[n].share_type == "conditional" for n in wanted)
        or bool(data.unmasked_items)
    )
    return wanted, conditional


def create_request(
    session: Session, *, principal: Principal, data: RequestIn, now: datetime | None = None
) -> ShareRequest:
    now = now or utcnow()
    entry = catalog.get_by_code(session, code=data.entry_code)
    if not entry.is_live:
        raise Conflict("sharing.entry_not_live", code=entry.code)
    if entry.share_type == "none":
        raise Forbidden("sharing.not_shareable", code=entry.code)
    if data.period_end < data.period_start:
        raise InvalidInput("sharing.bad_period")
    if data.period_end < now.date():
        raise InvalidInput("sharing.period_in_past")
    items, conditional = _check_items(entry, data)
    region_column = grants.region_column_of(entry)
    for code in data.region_codes:
        if session.get(Region, code) is None:
            raise InvalidInput("sharing.bad_region", code=code)
    if data.region_codes and region_column is None:
        raise InvalidInput("sharing.no_region_column", code=entry.code)
    dept = _requester_department(session, principal, data.department_code)
    systems = [s.strip() for s in data.systems if s.strip()]
    if not systems:
        raise InvalidInput("sharing.systems_required")
    req = ShareRequest(
        entry_id=entry.id,
        entry=entry,
        provider_department_id=entry.department_id,
        requester_department_id=dept.id,
        requested_by=principal.username,
        items=items,
        unmasked_items=list(data.unmasked_items),
        region_codes=sorted(set(data.region_codes)),
        purpose=data.purpose.strip(),
        legal_basis=data.legal_basis.strip(),
        period_start=data.period_start,
        period_end=data.period_end,
        systems=systems,
        conditional=conditional,
        status=RequestStatus.PROVIDER_REVIEW.value,
        created_at=now,
        note="",
    )
    session.add(req)
    session.flush()
    if conditional:
        deadlines.start_step(session, req, Step.PROVIDER, now=now)
        event(session, req, principal, EventKind.SUBMIT, step=Step.PROVIDER.value, now=now)
    else:
        req.status = RequestStatus.APPROVED.value
        req.answered_at = now
        event(session, req, principal, EventKind.SUBMIT, step=None, now=now)
        _grant(session, req, principal, now)
    session.flush()
    return req


def _grant(session: Session, req: ShareRequest, who: Principal, now: datetime) -> None:
    g = grants.grant_from_request(session, req=req)
    event(session, req, who, EventKind.GRANT, step=None, now=now, grant_id=g.id)


def can_act(session: Session, who: Principal, req: ShareRequest) -> bool:
    if req.status == RequestStatus.PROVIDER_REVIEW:
        return who.can("share.approve") and (
            req.provider_department_id in who.department_ids or who.can("*")
        )
    if req.status == RequestStatus.BUREAU_REVIEW:
        return who.can("share.approve_bureau")
    return False


def decide(
    session: Session,
    *,
    principal: Principal,
    request_id: int,
    decision: Decision,
    reason: str = "",
    now: datetime | None = None,
) -> ShareRequest:
    now = now or utcnow()
    req = get_request(session, principal=principal, request_id=request_id)
    if req.status not in (RequestStatus.PROVIDER_REVIEW, RequestStatus.BUREAU_REVIEW):
        raise Conflict("sharing.bad_state", state=req.status, action=decision.value)
    needed = (
        "share.approve" if req.status == RequestStatus.PROVIDER_REVIEW else "share.approve_bureau"
    )
    if not principal.can(needed):
        raise Forbidden("auth.forbidden", permission=needed)
    if not can_act(session, principal, req):
        raise Forbidden("sharing.not_provider")
    reason = reason.strip()
    if decision != Decision.APPROVE and not reason:
        raise InvalidInput("sharing.reason_required")
    step = Step(req.step or Step.PROVIDER.value)
    late = deadlines.close_step(req, now=now)
    if decision == Decision.REJECT:
        req.status, req.note, req.answered_at = RequestStatus.REJECTED.value, reason, now
        event(
            session,
            req,
            principal,
            EventKind.REJECT,
            step=step.value,
            note=reason,
            now=now,
            late=late,
        )
    elif decision == Decision.ASK_INFO:
        req.status, req.note, req.info_step = RequestStatus.NEEDS_INFO.value, reason, step.value
        event(
            session,
            req,
            principal,
            EventKind.ASK_INFO,
            step=step.value,
            note=reason,
            now=now,
            late=late,
        )
    elif step == Step.PROVIDER:
        req.status = RequestStatus.BUREAU_REVIEW.value
        deadlines.start_step(session, req, Step.BUREAU, now=now)
        event(
            session,
            req,
            principal,
            EventKind.APPROVE,
            step=step.value,
            note=reason,
            now=now,
            late=late,
        )
    else:
        req.status, req.answered_at, req.note = RequestStatus.APPROVED.value, now, reason
        event(
            session,
            req,
            principal,
            EventKind.APPROVE,
            step=step.value,
            note=reason,
            now=now,
            late=late,
        )
        _grant(session, req, principal, now)
    session.flush()
    return req


def resubmit(
    session: Session,
    *,
    principal: Principal,
    request_id: int,
    data: ResubmitIn,
    now: datetime | None = None,
) -> ShareRequest:
    now = now or utcnow()
    req = get_request(session, principal=principal, request_id=request_id)
    if req.requester_department_id not in principal.department_ids and not principal.can("*"):
        raise Forbidden("sharing.not_requester")
    if req.status != RequestStatus.NEEDS_INFO:
        raise Conflict("sharing.bad_state", state=req.status, action="resubmit")
    if data.purpose:
        req.purpose = data.purpose.strip()
    if data.legal_basis:
        req.legal_basis = data.legal_basis.strip()
    step = Step(req.info_step or Step.PROVIDER.value)
    req.status = (
        RequestStatus.PROVIDER_REVIEW if step == Step.PROVIDER else RequestStatus.BUREAU_REVIEW
    ).value
    req.info_step = None
    deadlines.start_step(session, req, step, now=now)
    event(
        session,
        req,
        principal,
        EventKind.RESUBMIT,
        step=step.value,
        note=data.note.strip(),
        now=now,
    )
    session.flush()
    return req


def visible(q: Select[Any], who: Principal) -> Select[Any]:
    if any(who.can(p) for p in SEES_ALL):
        return q
    ids = list(who.department_ids)
    return q.where(
        or_(
            ShareRequest.requester_department_id.in_(ids),
            ShareRequest.provider_department_id.in_(ids),
        )
    )


def get_request(session: Session, *, principal: Principal, request_id: int) -> ShareRequest:
    q = visible(select(ShareRequest).where(ShareRequest.id == request_id), principal)
    req = session.scalar(q)
    if req is None:
        raise NotFound("sharing.request_not_found", id=request_id)
    assert isinstance(req, ShareRequest)
    return req


def requests_query(
    principal: Principal,
    *,
    box: str = "all",
    status: str | None = None,
    overdue_at: datetime | None = None,
) -> Select[Any]:
    """The requests ``principal`` may see in ``box``: mine (my departments asked) | inbox
    (waiting for me) | all (what I may see); with ``overdue_at``, only open ones past their
    step's deadline at that time."""
    q = visible(select(ShareRequest), principal)
    ids = list(principal.department_ids)
    if box == "mine":
        q = q.where(ShareRequest.requester_department_id.in_(ids))
    elif box == "inbox":
        parts = []
        if principal.can("share.approve"):
            cond = ShareRequest.status == RequestStatus.PROVIDER_REVIEW.value
            if not principal.can("*"):
                cond = cond & ShareRequest.provider_department_id.in_(ids)
            parts.append(cond)
        if principal.can("share.approve_bureau"):
            parts.append(ShareRequest.status == RequestStatus.BUREAU_REVIEW.value)
        q = q.where(or_(*parts)) if parts else q.where(ShareRequest.id < 0)
    elif box != "all":
        raise InvalidInput("sharing.bad_box", box=box)
    if status:
        if status not in set(RequestStatus):
            raise InvalidInput("sharing.bad_status", value=status)
        q = q.where(ShareRequest.status == status)
    if overdue_at is not None:
        q = q.where(
            ShareRequest.status.in_([s.value for s in OPEN_STATUSES]),
            ShareRequest.due_at < overdue_at,
        )
    return q


def list_requests(
    session: Session,
    *,
    principal: Principal,
    box: str = "all",
    status: str | None = None,
    overdue: bool = False,
    page: int = 1,
    page_size: int = 50,
) -> tuple[list[ShareRequest], int]:
    """``box``: mine (my departments asked) | inbox (waiting for me) | all (what I may see);
    ``overdue``: only open requests past their step's deadline now."""
    q = requests_query(principal, box=box, status=status, overdue_at=utcnow() if overdue else None)
    total = int(session.scalar(select(func.count()).select_from(q.subquery())) or 0)
    rows = session.scalars(
        q.order_by(ShareRequest.id.desc()).offset((max(page, 1) - 1) * page_size).limit(page_size)
    )
    return list(rows), total
