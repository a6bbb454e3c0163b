"""Quality pages: quarantine (fix/release/reject), correction tickets, rules editor."""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from mudan.core.db import as_utc
from mudan.core.deps import DbSession, locale_of
from mudan.core.errors import InvalidInput, MudanError
from mudan.core.params import Id
from mudan.domains.quality import service as qs
from mudan.domains.quality.enums import RuleKind, Severity, TicketStatus
from mudan.domains.quality.scope import check_rows, check_tables, data_scope, ticket_scope
from mudan.domains.quality.todos import LIVE_FILTER
from mudan.domains.quality.views import audit_change, release_rows
from mudan.kernel.deps import current_principal, require
from mudan.kernel.rbac import Principal
from mudan.web.render import render

router = APIRouter(include_in_schema=False)
READ, MANAGE = require("quality.read"), require("quality.manage")


def parse_fixes(text: str) -> dict[str, str | None]:
    """``column=value`` lines (an empty value is null) from the fix form."""
    out: dict[str, str | None] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, sep, value = line.partition("=")
        if not sep:
            raise InvalidInput("quality.bad_fix_line", line=line[:80])
        out[name.strip()] = value.strip() or None
    return out


def _quarantine_page(
    request: Request, session: DbSession, table_ref: str = "", page: int = 1, **extra: Any
) -> Response:
    who = current_principal(request)
    if table_ref:
        check_tables(session, who, [table_ref])
    rows, total = qs.list_quarantine(
        session,
        table_ref=table_ref or None,
        page=page,
        page_size=50,
        scope=data_scope(session, who),
    )
    ctx: dict[str, Any] = {
        "rows": rows,
        "total": total,
        "page": page,
        "pages": max(1, (total + 49) // 50),
        "table_ref": table_ref,
    }
    ctx.update(extra)
    return render(request, "quality/quarantine.html", ctx, 422 if extra.get("error") else 200)


@router.get("/quality/quarantine", dependencies=[READ])
def quarantine_page(
    request: Request, session: DbSession, table_ref: str = "", page: int = 1
) -> Response:
    return _quarantine_page(request, session, table_ref, max(1, page))


@router.post("/quality/quarantine/{row_id}/release")
def quarantine_release(
    row_id: Id,
    request: Request,
    session: DbSession,
    fixes: Annotated[str, Form()] = "",
    table_ref: Annotated[str, Form()] = "",
    who: Principal = MANAGE,
) -> Response:
    try:
        with session.begin_nested():
            fixed = {row_id: parse_fixes(fixes)} if fixes.strip() else {}
            result = release_rows(request, session, who, [row_id], fixed)
    except MudanError as exc:
        return _quarantine_page(request, session, table_ref, error=exc.message(locale_of(request)))
    if result.still_bad:
        return _quarantine_page(request, session, table_ref, error=result.still_bad[row_id])
    return _quarantine_page(request, session, table_ref, done=row_id)


@router.post("/quality/quarantine/{row_id}/reject")
def quarantine_reject(
    row_id: Id,
    request: Request,
    session: DbSession,
    table_ref: Annotated[str, Form()] = "",
    who: Principal = MANAGE,
) -> Response:
    try:
        with session.begin_nested():
            check_rows(session, who, [row_id])
            qs.reject(session, ids=[row_id], actor=who.username)
            audit_change(session, who, "quality.rejected", "quality_quarantine", row_id)
    except MudanError as exc:
        return _quarantine_page(request, session, table_ref, error=exc.message(locale_of(request)))
    return _quarantine_page(request, session, table_ref, done=row_id)


@router.get("/quality/tickets", dependencies=[READ])
def tickets_page(request: Request, session: DbSession, status: str = "") -> Response:
    """``status``: one ticket status, or ``live`` (still to be corrected)."""
    chosen = TicketStatus(status) if status in set(TicketStatus) else None
    scope = ticket_scope(session, current_principal(request))
    tickets = qs.list_tickets(session, status=chosen, scope=scope, live=status == LIVE_FILTER)
    return render(
        request,
        "quality/tickets.html",
        {
            "tickets": [(t, as_utc(t.deadline)) for t in tickets],
            "statuses": list(TicketStatus),
            "status": status,
            "tables": qs.table_scores(session),
            "departments": qs.department_scores(session),
        },
    )


def _rules_page(request: Request, session: DbSession, table_ref: str, **extra: Any) -> Response:
    scope = data_scope(session, current_principal(request))
    ctx: dict[str, Any] = {
        "rules": qs.list_rules(session, table_ref=table_ref or None, scope=scope),
        "kinds": list(RuleKind),
        "severities": list(Severity),
        "table_ref": table_ref,
    }
    ctx.update(extra)
    return render(request, "quality/rules.html", ctx, 422 if extra.get("error") else 200)


@router.get("/quality/rules", dependencies=[READ])
def rules_page(request: Request, session: DbSession, table_ref: str = "") -> Response:
    return _rules_page(request, session, table_ref)


@router.post("/quality/rules")
def rules_create(
    request: Request,
    session: DbSession,
    table_ref: Annotated[str, Form()],
    kind: Annotated[str, Form()],
    column: Annotated[str, Form()] = "",
    params: Annotated[str, Form()] = "{}",
    severity: Annotated[str, Form()] = "error",
    who: Principal = MANAGE,
) -> Response:
    try:
        with session.begin_nested():
            try:
                parsed = json.loads(params or "{}")
            except json.JSONDecodeError as exc:
                raise InvalidInput("quality.bad_params_json") from exc
            if not isinstance(parsed, dict):
                raise InvalidInput("quality.bad_params_json")
            check_tables(session, who, [table_ref])
            row = qs.create_rule(
                session,
                table_ref=table_ref,
                kind=kind,
                column=column or None,
                params=parsed,
                severity=severity,
                actor=who.username,
            )
            audit_change(session, who, "quality.rule_created", "quality_rule", row.id)
    except MudanError as exc:
        form = {"kind": kind, "column": column, "params": params, "severity": severity}
        return _rules_page(
            request, session, table_ref, error=exc.message(locale_of(request)), form=form
        )
    return _rules_page(request, session, table_ref, created=row.id)


@router.post("/quality/rules/{rule_id}/toggle")
def rules_toggle(
    rule_id: Id, request: Request, session: DbSession, who: Principal = MANAGE
) -> Response:
    row = qs.get_rule(session, rule_id=rule_id)
    check_tables(session, who, [row.table_ref])
    qs.update_rule(session, rule_id=rule_id, enabled=not row.enabled)
    audit_change(session, who, "quality.rule_updated", "quality_rule", rule_id, enabled=row.enabled)
    return RedirectResponse(f"/quality/rules?table_ref={quote(row.table_ref)}", status_code=303)


@router.post("/quality/rules/{rule_id}/delete")
def rules_delete(
    rule_id: Id, request: Request, session: DbSession, who: Principal = MANAGE
) -> Response:
    table_ref = qs.get_rule(session, rule_id=rule_id).table_ref
    check_tables(session, who, [table_ref])
    qs.delete_rule(session, rule_id=rule_id)
    audit_change(session, who, "quality.rule_deleted", "quality_rule", rule_id)
    return RedirectResponse(f"/quality/rules?table_ref={quote(table_ref)}", status_code=303)
