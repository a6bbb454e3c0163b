"""Grants (授权): created from approved requests; expire, can be revoked; the credentials a
consuming system calls the data service with."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session

from mudan.core import audit
from mudan.core.db import as_utc, utcnow
from mudan.core.errors import Conflict, Forbidden, NotFound
from mudan.core.workcal import CHINA_TZ
from mudan.domains.catalog import service as catalog
from mudan.domains.sharing.enums import GrantStatus
from mudan.domains.sharing.models import ServiceCall, ShareGrant, ShareRequest
from mudan.domains.sharing.workflow.schemas import GrantOut
from mudan.kernel import identity as org
from mudan.kernel.enums import Role
from mudan.kernel.rbac import Principal

REGION_COLUMNS = ("ssqx", "qhdm", "xzqh", "region_code")


def region_column_of(entry: Any) -> str | None:
    """The item that holds a row's region code (所属区县/区划代码), if the entry has one."""
    return region_column_in(entry.items)


def region_column_in(items: Sequence[Any]) -> str | None:
    """:func:`region_column_of` over items with a ``name`` and a ``label``."""
    names = [i.name for i in items]
    for name in REGION_COLUMNS:
        if name in names:
            return name
    for i in items:
        if "区县" in i.label or "区划" in i.label:
            return str(i.name)
    return None


def grant_from_request(session: Session, *, req: ShareRequest) -> ShareGrant:
    entry = req.entry
    end = datetime.combine(req.period_end, time(23, 59, 59), tzinfo=CHINA_TZ).astimezone(UTC)
    g = ShareGrant(
        request_id=req.id,
        entry_id=entry.id,
        table_ref=catalog.table_spec_for(entry).ident,
        consumer_department_id=req.requester_department_id,
        items=list(req.items),
        unmasked_items=list(req.unmasked_items),
        region_column=region_column_of(entry) if req.region_codes else None,
        region_codes=list(req.region_codes),
        purpose=req.purpose,
        valid_until=end,
        status=GrantStatus.ACTIVE.value,
        status_reason="",
    )
    session.add(g)
    session.flush()
    return g


def grant_out(g: ShareGrant) -> GrantOut:
    return GrantOut(
        id=g.id,
        request_id=g.request_id,
        entry_code=g.entry.code,
        table_ref=g.table_ref,
        consumer=g.consumer.code,
        items=g.items,
        unmasked_items=g.unmasked_items,
        region_column=g.region_column,
        region_codes=g.region_codes,
        purpose=g.purpose,
        valid_until=as_utc(g.valid_until),
        rate_per_minute=g.rate_per_minute,
        status=effective_status(g),
        status_reason=g.status_reason,
    )


def effective_status(g: ShareGrant, now: datetime | None = None) -> str:
    if g.status == GrantStatus.ACTIVE and as_utc(g.valid_until) <= (now or utcnow()):
        return GrantStatus.EXPIRED.value
    return g.status


def visible_grants(q: Select[Any], who: Principal) -> Select[Any]:
    if who.can("grant.manage") or who.can("audit.read"):
        return q
    ids = list(who.department_ids)
    provider = select(ShareRequest.id).where(ShareRequest.provider_department_id.in_(ids))
    return q.where(
        or_(ShareGrant.consumer_department_id.in_(ids), ShareGrant.request_id.in_(provider))
    )


def get_grant(session: Session, *, principal: Principal, grant_id: int) -> ShareGrant:
    g = session.scalar(
        visible_grants(select(ShareGrant).where(ShareGrant.id == grant_id), principal)
    )
    if g is None:
        raise NotFound("sharing.grant_not_found", id=grant_id)
    assert isinstance(g, ShareGrant)
    return g


def list_grants(
    session: Session, *, principal: Principal, status: str | None = None
) -> list[ShareGrant]:
    q = visible_grants(select(ShareGrant), principal).order_by(ShareGrant.id.desc())
    if status:
        q = q.where(ShareGrant.status == status)
    return list(session.scalars(q.limit(500)))


def _audit(
    session: Session, who: str, role: str, action: str, g: ShareGrant, **detail: Any
) -> None:
    audit.record(
        session,
        actor=who,
        role=role,
        action=f"grant.{action}",
        object_type="share_grant",
        object_id=str(g.id),
        purpose=g.purpose[:200],
        detail={"table": g.table_ref, "consumer": g.consumer.code, **detail},
    )


def revoke(session: Session, *, principal: Principal, grant_id: int, reason: str) -> ShareGrant:
    g = get_grant(session, principal=principal, grant_id=grant_id)
    if not principal.can("grant.manage"):
        raise Forbidden("auth.forbidden", permission="grant.manage")
    if g.status != GrantStatus.ACTIVE:
        raise Conflict("sharing.grant_not_active", id=g.id, state=g.status)
    g.status, g.status_reason = GrantStatus.REVOKED.value, reason.strip()
    g.status_changed_by, g.status_changed_at = principal.username, utcnow()
    session.flush()
    _audit(session, principal.username, principal.primary_role, "revoke", g, reason=g.status_reason)
    return g


def expire_due(session: Session, *, now: datetime | None = None) -> list[int]:
    """Mark grants past ``valid_until`` as expired (the data service already refuses them)."""
    now = now or utcnow()
    due = list(
        session.scalars(
            select(ShareGrant).where(
                ShareGrant.status == GrantStatus.ACTIVE.value, ShareGrant.valid_until <= now
            )
        )
    )
    for g in due:
        g.status, g.status_reason = GrantStatus.EXPIRED.value, "valid_until"
        g.status_changed_by, g.status_changed_at = "scheduler", now
        _audit(session, "scheduler", "system", "expire", g)
    session.flush()
    return [g.id for g in due]


def issue_credentials(
    session: Session, *, principal: Principal, grant_id: int, days: int = 365
) -> tuple[str, str]:
    """A SYSTEM user of the consuming department bound to this grant, and its ``mdn_`` token."""
    g = get_grant(session, principal=principal, grant_id=grant_id)
    if not principal.can("grant.manage"):
        raise Forbidden("auth.forbidden", permission="grant.manage")
    if effective_status(g) != GrantStatus.ACTIVE:
        raise Conflict("sharing.grant_not_active", id=g.id, state=effective_status(g))
    from mudan.kernel.models import User

    user = session.get(User, g.client_user_id) if g.client_user_id else None
    if user is None:
        name = f"sys-{g.consumer.code}-g{g.id}"
        user = org.create_user(
            session,
            username=name,
            display_name=f"{g.consumer.short_name}系统（授权{g.id}）",
            password=secrets.token_urlsafe(24) + "Aa1!",
            bindings=[org.BindingIn(Role.SYSTEM, g.consumer.code, None)],
            department_code=g.consumer.code,
            actor=principal.username,
            actor_role=principal.primary_role,
        )
        g.client_user_id = user.id
    _, plain = org.issue_token(session, user=user, name=f"grant {g.id}", days=days)
    _audit(
        session, principal.username, principal.primary_role, "credentials", g, user=user.username
    )
    return user.username, plain


def usage(
    session: Session, *, principal: Principal, days: int = 30
) -> dict[str, list[dict[str, Any]]]:
    """Calls and rows per grant and per consuming department over the last ``days``."""
    since = utcnow() - timedelta(days=days)
    grant_ids = select(visible_grants(select(ShareGrant.id), principal).subquery().c.id)
    base = (ServiceCall.at >= since, ServiceCall.grant_id.in_(grant_ids))
    per_grant = session.execute(
        select(
            ServiceCall.grant_id,
            func.count(),
            func.sum(func.coalesce(ServiceCall.rows, 0)),
            func.sum(case((ServiceCall.status != 200, 1), else_=0)),
        )
        .where(*base)
        .group_by(ServiceCall.grant_id)
        .order_by(ServiceCall.grant_id)
    ).all()
    per_dept = session.execute(
        select(ServiceCall.department_code, func.count(), func.sum(ServiceCall.rows))
        .where(*base)
        .group_by(ServiceCall.department_code)
        .order_by(ServiceCall.department_code)
    ).all()
    return {
        "grants": [
            {"grant_id": g, "calls": int(c), "rows": int(r or 0), "denied": int(d or 0)}
            for g, c, r, d in per_grant
        ],
        "departments": [
            {"department_code": d, "calls": int(c), "rows": int(r or 0)} for d, c, r in per_dept
        ],
    }
