"""Audit log API and viewer page (the chain itself lives in ``mudan.core.audit``)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import select

from mudan.core.audit import AuditRecord, verify_chain
from mudan.core.deps import DbSession
from mudan.kernel.deps import require
from mudan.web.render import render

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])
pages = APIRouter(include_in_schema=False)


class AuditOut(BaseModel):
    id: int
    at: datetime
    actor: str
    role: str
    action: str
    object_type: str
    object_id: str
    purpose: str
    outcome: str
    hash: str


class ChainOut(BaseModel):
    ok: bool
    checked: int
    first_broken_id: int | None
    reason: str | None


def _recent(session: DbSession, before: int | None, limit: int) -> list[AuditRecord]:
    q = select(AuditRecord).order_by(AuditRecord.id.desc()).limit(limit)
    if before is not None:
        q = q.where(AuditRecord.id < before)
    return list(session.scalars(q))


@router.get("", response_model=list[AuditOut], dependencies=[require("audit.read")])
def list_audit(
    session: DbSession, before: int | None = None, limit: int = Query(50, ge=1, le=500)
) -> list[AuditOut]:
    """Newest first; page with ``before`` = the smallest id of the previous page (keyset)."""
    return [
        AuditOut.model_validate(r, from_attributes=True) for r in _recent(session, before, limit)
    ]


@router.get("/verify", response_model=ChainOut, dependencies=[require("audit.read")])
def verify_audit(session: DbSession) -> ChainOut:
    s = verify_chain(session)
    return ChainOut(ok=s.ok, checked=s.checked, first_broken_id=s.first_broken_id, reason=s.reason)


@pages.get("/audit", dependencies=[require("audit.read")])
def audit_page(request: Request, session: DbSession, before: int | None = None) -> Response:
    status = verify_chain(session)
    records = _recent(session, before, 100)
    return render(request, "audit/index.html", {"status": status, "records": records})
