"""Quality API under /api/v1/quality: rules, quarantine, correction tickets, scores.

Releasing quarantined rows re-checks them and appends the good ones to the lake table.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from mudan.core import audit
from mudan.core.deps import DbSession, app_ctx
from mudan.core.errors import InvalidInput
from mudan.core.params import MAX_ID, Id
from mudan.domains.quality import service as qs
from mudan.domains.quality.enums import QuarantineStatus, TicketSource, TicketStatus
from mudan.domains.quality.models import CorrectionTicket, QualityRule, QuarantineRow
from mudan.domains.quality.schemas import (
    DepartmentScoreOut,
    QuarantineOut,
    QuarantinePage,
    RejectIn,
    ReleaseIn,
    ReleaseOut,
    RuleCreate,
    RuleOut,
    RuleUpdate,
    ScoresOut,
    TableScoreOut,
    TicketCreate,
    TicketOut,
    TransitionIn,
)
from mudan.domains.quality.scope import (
    check_department,
    check_rows,
    check_tables,
    data_scope,
    ticket_scope,
)
from mudan.kernel.deps import require
from mudan.kernel.rbac import Principal
from mudan.lake import lake_of, registry

router = APIRouter(prefix="/api/v1/quality", tags=["quality"])
READ, MANAGE = require("quality.read"), require("quality.manage")


def rule_out(r: QualityRule) -> RuleOut:
    return RuleOut(
        id=r.id,
        table_ref=r.table_ref,
        kind=r.kind,
        column=r.column,
        params=r.params,
        severity=r.severity,
        enabled=r.enabled,
        created_by=r.created_by,
        created_at=r.created_at,
    )


def quarantine_out(q: QuarantineRow) -> QuarantineOut:
    return QuarantineOut.model_validate(q, from_attributes=True)


def ticket_out(t: CorrectionTicket) -> TicketOut:
    return TicketOut.model_validate(t, from_attributes=True)


def audit_change(
    session: Session, who: Principal, action: str, kind: str, oid: object, **detail: Any
) -> None:
    audit.record(
        session,
        actor=who.username,
        role=who.primary_role,
        action=action,
        object_type=kind,
        object_id=str(oid),
        detail=detail,
    )


@router.get("/rules", response_model=list[RuleOut])
def list_rules(
    session: DbSession, table_ref: str | None = None, who: Principal = READ
) -> list[RuleOut]:
    rows = qs.list_rules(session, table_ref=table_ref, scope=data_scope(session, who))
    return [rule_out(r) for r in rows]


@router.post("/rules", response_model=RuleOut, status_code=201)
def create_rule(body: RuleCreate, session: DbSession, who: Principal = MANAGE) -> RuleOut:
    check_tables(session, who, [body.table_ref])
    row = qs.create_rule(session, **body.model_dump(), actor=who.username)
    audit_change(session, who, "quality.rule_created", "quality_rule", row.id, table=row.table_ref)
    return rule_out(row)


@router.patch("/rules/{rule_id}", response_model=RuleOut)
def update_rule(
    rule_id: Id, body: RuleUpdate, session: DbSession, who: Principal = MANAGE
) -> RuleOut:
    check_tables(session, who, [qs.get_rule(session, rule_id=rule_id).table_ref])
    row = qs.update_rule(session, rule_id=rule_id, **body.model_dump())
    audit_change(session, who, "quality.rule_updated", "quality_rule", row.id, **body.model_dump())
    return rule_out(row)


@router.delete("/rules/{rule_id}", status_code=204)
def delete_rule(rule_id: Id, session: DbSession, who: Principal = MANAGE) -> Response:
    check_tables(session, who, [qs.get_rule(session, rule_id=rule_id).table_ref])
    qs.delete_rule(session, rule_id=rule_id)
    audit_change(session, who, "quality.rule_deleted", "quality_rule", rule_id)
    return Response(status_code=204)


@router.get("/quarantine", response_model=QuarantinePage)
def list_quarantine(
    session: DbSession,
    who: Principal = READ,
    table_ref: str | None = None,
    status: QuarantineStatus | None = QuarantineStatus.PENDING,
    rule_kind: str | None = None,
    job_id: str | None = None,
    page: Annotated[int, Query(ge=1, le=MAX_ID)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_ID)] = 50,
) -> QuarantinePage:
    if table_ref:
        check_tables(session, who, [table_ref])
    rows, total = qs.list_quarantine(
        session,
        scope=data_scope(session, who),
        table_ref=table_ref,
        status=status,
        rule_kind=rule_kind,
        job_id=job_id,
        page=page,
        page_size=page_size,
    )
    size = min(max(1, page_size), 500)
    return QuarantinePage(
        total=total, page=max(1, page), page_size=size, items=[quarantine_out(r) for r in rows]
    )


def release_rows(
    request: Request,
    session: Session,
    who: Principal,
    ids: list[int],
    fixed: dict[int, dict[str, str | None]],
) -> qs.Released:
    """Shared by the API and the page: re-check, append good rows to the lake, audit."""
    check_rows(session, who, ids)
    context = qs.rule_context(session, today=date.today())
    check = qs.release(
        session, ids=ids, fixed_values=fixed, actor=who.username, context=context, apply=False
    )
    if check.good.num_rows:
        # The lake commits first; the batch id (the released ids) makes a retry after a failed
        # DB commit a no-op instead of a second copy of the rows.
        spec = registry.table_spec(session, table_ref=check.table_ref)
        digest = hashlib.sha256(",".join(str(i) for i in sorted(check.released)).encode())
        lake = lake_of(app_ctx(request))
        lake.ensure_table(spec)
        lake.load(spec, [check.good], batch_id=f"release:{digest.hexdigest()}")
    result = qs.release(session, ids=ids, fixed_values=fixed, actor=who.username, context=context)
    audit_change(
        session,
        who,
        "quality.released",
        "quality_quarantine",
        result.table_ref,
        released=result.released,
        still_bad=sorted(result.still_bad),
    )
    return result


@router.post("/quarantine/release", response_model=ReleaseOut)
def release(
    body: ReleaseIn, request: Request, session: DbSession, who: Principal = MANAGE
) -> ReleaseOut:
    result = release_rows(request, session, who, body.ids, body.fixed_values)
    return ReleaseOut(released=result.released, still_bad=result.still_bad)


@router.post("/quarantine/reject")
def reject(body: RejectIn, session: DbSession, who: Principal = MANAGE) -> dict[str, int]:
    check_rows(session, who, body.ids)
    n = qs.reject(session, ids=body.ids, actor=who.username)
    audit_change(session, who, "quality.rejected", "quality_quarantine", body.ids[0], ids=body.ids)
    return {"rejected": n}


@router.get("/tickets", response_model=list[TicketOut])
def list_tickets(
    session: DbSession,
    who: Principal = READ,
    status: TicketStatus | None = None,
    department_code: str | None = None,
    table_ref: str | None = None,
) -> list[TicketOut]:
    rows = qs.list_tickets(
        session,
        status=status,
        department_code=department_code,
        table_ref=table_ref,
        scope=ticket_scope(session, who),
    )
    return [ticket_out(t) for t in rows]


@router.post("/tickets", response_model=TicketOut, status_code=201)
def create_ticket(body: TicketCreate, session: DbSession, who: Principal = MANAGE) -> TicketOut:
    try:
        source = TicketSource(body.source)
    except ValueError as exc:
        raise InvalidInput("quality.bad_source", source=body.source) from exc
    check_tables(session, who, [body.table_ref])
    t = qs.open_ticket(
        session,
        table_ref=body.table_ref,
        department_code=body.department_code,
        title=body.title,
        detail=body.detail,
        source=source,
        workdays=body.workdays,
    )
    audit_change(session, who, "quality.ticket_opened", "quality_ticket", t.id, table=t.table_ref)
    return ticket_out(t)


@router.get("/tickets/{ticket_id}", response_model=TicketOut)
def ticket_detail(ticket_id: Id, session: DbSession, who: Principal = READ) -> TicketOut:
    t = qs.get_ticket(session, ticket_id=ticket_id)
    check_department(ticket_scope(session, who), t.department_code)
    return ticket_out(t)


@router.post("/tickets/{ticket_id}/transition", response_model=TicketOut)
def transition_ticket(
    ticket_id: Id, body: TransitionIn, session: DbSession, who: Principal = MANAGE
) -> TicketOut:
    current = qs.get_ticket(session, ticket_id=ticket_id)
    check_department(data_scope(session, who), current.department_code)
    t = qs.transition(session, ticket_id=ticket_id, to=body.to)
    audit_change(session, who, "quality.ticket_" + body.to.value, "quality_ticket", t.id)
    return ticket_out(t)


@router.get("/scores", response_model=ScoresOut, dependencies=[READ])
def scores(session: DbSession, department_code: str | None = None) -> ScoresOut:
    tables = qs.table_scores(session, department_code=department_code)
    depts = qs.department_scores(session)
    if department_code:
        depts = [d for d in depts if d.department_code == department_code]
    return ScoresOut(
        tables=[TableScoreOut(**asdict(s)) for s in tables],
        departments=[DepartmentScoreOut(**asdict(d)) for d in depts],
    )
