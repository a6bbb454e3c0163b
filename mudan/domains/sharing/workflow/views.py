"""Share-request and grant API under /api/v1/share (thin: validate, call the service)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.db import as_utc
from mudan.core.deps import DbSession
from mudan.core.params import MAX_ID, Id
from mudan.domains.sharing.enums import Step
from mudan.domains.sharing.models import ShareGrant, ShareRequest
from mudan.domains.sharing.workflow import deadlines, grants, requests
from mudan.domains.sharing.workflow.schemas import (
    CredentialsOut,
    DecisionIn,
    EventOut,
    GrantOut,
    RequestIn,
    RequestOut,
    RequestQuery,
    ResubmitIn,
    RevokeIn,
    StepRuleIn,
)
from mudan.kernel.deps import require
from mudan.kernel.rbac import Principal

router = APIRouter(prefix="/api/v1/share", tags=["sharing"])
READ, ASK = require("share.read"), require("share.request")
BUREAU = require("share.approve_bureau")
GRANT_READ, GRANT_MANAGE = require("grant.read"), require("grant.manage")


def request_out(session: Session, req: ShareRequest, *, timeline: bool = False) -> RequestOut:
    grant_id = session.scalar(select(ShareGrant.id).where(ShareGrant.request_id == req.id))
    return RequestOut(
        id=req.id,
        entry_code=req.entry.code,
        entry_name=req.entry.name,
        provider=req.provider.code,
        requester=req.requester.code,
        requested_by=req.requested_by,
        items=req.items,
        unmasked_items=req.unmasked_items,
        region_codes=req.region_codes,
        purpose=req.purpose,
        legal_basis=req.legal_basis,
        period_start=req.period_start,
        period_end=req.period_end,
        systems=req.systems,
        conditional=req.conditional,
        status=req.status,
        step=req.step,
        due_at=as_utc(req.due_at) if req.due_at else None,
        due_provisional=req.due_provisional,
        overdue=req.overdue,
        note=req.note,
        created_at=as_utc(req.created_at),
        answered_at=as_utc(req.answered_at) if req.answered_at else None,
        grant_id=grant_id,
        timeline=[
            EventOut(
                at=as_utc(e.at),
                kind=e.kind,
                step=e.step,
                actor=e.actor,
                note=e.note,
                due_at=as_utc(e.due_at) if e.due_at else None,
                audit_id=e.audit_id,
            )
            for e in req.events
        ]
        if timeline
        else [],
    )


@router.post("/requests", status_code=201)
def create(data: RequestIn, session: DbSession, who: Principal = ASK) -> RequestOut:
    req = requests.create_request(session, principal=who, data=data)
    session.refresh(req)
    return request_out(session, req, timeline=True)


@router.get("/requests")
def list_requests(
    session: DbSession,
    query: Annotated[RequestQuery, Query()],
    page: int = Query(1, ge=1, le=MAX_ID),
    who: Principal = READ,
) -> dict[str, Any]:
    """``overdue=true``: only open requests past their step's deadline."""
    rows, total = requests.list_requests(
        session,
        principal=who,
        box=query.box,
        status=query.status,
        overdue=query.overdue,
        page=page,
    )
    return {"total": total, "page": page, "items": [request_out(session, r) for r in rows]}


@router.get("/requests/{request_id}")
def get_request(request_id: Id, session: DbSession, who: Principal = READ) -> RequestOut:
    req = requests.get_request(session, principal=who, request_id=request_id)
    return request_out(session, req, timeline=True)


@router.post("/requests/{request_id}/decision")
def decide(
    request_id: Id, data: DecisionIn, session: DbSession, who: Principal = READ
) -> RequestOut:
    req = requests.decide(
        session, principal=who, request_id=request_id, decision=data.decision, reason=data.reason
    )
    session.refresh(req)
    return request_out(session, req, timeline=True)


@router.post("/requests/{request_id}/resubmit")
def resubmit(
    request_id: Id, data: ResubmitIn, session: DbSession, who: Principal = ASK
) -> RequestOut:
    req = requests.resubmit(session, principal=who, request_id=request_id, data=data)
    session.refresh(req)
    return request_out(session, req, timeline=True)


@router.get("/rates")
def rates(session: DbSession, year: int | None = None, who: Principal = READ) -> dict[str, Any]:
    out = deadlines.on_time_rates(session, year=year)
    return {k: [{**asdict(r), "rate": r.rate} for r in rows] for k, rows in out.items()} | {
        "target": 99.0
    }


@router.get("/deadlines")
def get_deadlines(session: DbSession, who: Principal = READ) -> list[dict[str, Any]]:
    return [
        {"step": s.value, "workdays": w, "remind_hours": h}
        for s in Step
        for w, h in [deadlines.step_rule(session, s)]
    ]


@router.put("/deadlines")
def put_deadline(data: StepRuleIn, session: DbSession, who: Principal = BUREAU) -> dict[str, Any]:
    deadlines.set_step_rule(
        session, step=data.step, workdays=data.workdays, remind_hours=data.remind_hours
    )
    return {"step": data.step.value, "workdays": data.workdays, "remind_hours": data.remind_hours}


@router.post("/tick")
def tick(session: DbSession, who: Principal = BUREAU) -> dict[str, Any]:
    report = deadlines.remind_and_mark(session)
    expired = grants.expire_due(session)
    return {"reminded": report.reminded, "overdue": report.overdue, "expired_grants": expired}


@router.get("/grants")
def list_grants(
    session: DbSession, status: str | None = None, who: Principal = GRANT_READ
) -> list[GrantOut]:
    return [grants.grant_out(g) for g in grants.list_grants(session, principal=who, status=status)]


@router.get("/grants/{grant_id}")
def get_grant(grant_id: Id, session: DbSession, who: Principal = GRANT_READ) -> GrantOut:
    return grants.grant_out(grants.get_grant(session, principal=who, grant_id=grant_id))


@router.post("/grants/{grant_id}/revoke")
def revoke(
    grant_id: Id, data: RevokeIn, session: DbSession, who: Principal = GRANT_MANAGE
) -> GrantOut:
    return grants.grant_out(
        grants.revoke(session, principal=who, grant_id=grant_id, reason=data.reason)
    )


@router.post("/grants/{grant_id}/credentials", status_code=201)
def credentials(grant_id: Id, session: DbSession, who: Principal = GRANT_MANAGE) -> CredentialsOut:
    username, token = grants.issue_credentials(session, principal=who, grant_id=grant_id)
    return CredentialsOut(username=username, token=token, grant_id=grant_id)


@router.get("/usage")
def usage(
    session: DbSession, days: int = Query(30, ge=1, le=3660), who: Principal = GRANT_READ
) -> dict[str, Any]:
    return grants.usage(session, principal=who, days=days)
