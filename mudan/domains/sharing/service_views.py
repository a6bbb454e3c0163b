"""The data-service API: ``GET /api/v1/share/services/{grant_id}`` for a consuming system's
token (permission ``dataservice.call``). Every call — served or refused — is logged; see
:mod:`mudan.domains.sharing.calllog` for how the log is sealed into the audit chain (on the
call-log writer's timer, not by the calls)."""

from __future__ import annotations

import io
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.csv as pacsv
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from mudan.core.db import as_utc, transaction, utcnow
from mudan.core.deps import app_ctx, locale_of
from mudan.core.errors import Forbidden, MudanError, NotFound
from mudan.core.params import Id
from mudan.domains.sharing import calllog
from mudan.domains.sharing.dataservice import compile_query
from mudan.domains.sharing.enums import GrantStatus
from mudan.domains.sharing.models import ShareGrant
from mudan.domains.sharing.runtime import GrantRow, Runtime, runtime_of
from mudan.kernel.deps import require
from mudan.kernel.models import Department
from mudan.kernel.rbac import Principal

router = APIRouter(prefix="/api/v1/share/services", tags=["sharing"])
CALL = require("dataservice.call")
_COLS = [getattr(ShareGrant, f) for f in GrantRow.__dataclass_fields__]


def _grant_row(session: Session, grant_id: int) -> tuple[GrantRow, str]:
    """The grant (read on every call: a revocation applies to the next call) and the code
    of its consuming department."""
    row = session.execute(
        select(*_COLS, Department.code)
        .outerjoin(Department, Department.id == ShareGrant.consumer_department_id)
        .where(ShareGrant.id == grant_id)
    ).first()
    if row is None:
        raise NotFound("sharing.grant_not_found", id=grant_id)
    return GrantRow(*row[:-1]), row[-1] or ""


def check_caller(g: GrantRow, who: Principal) -> None:
    if g.client_user_id is not None:
        if who.user_id != g.client_user_id:
            raise Forbidden("sharing.not_grant_client", id=g.id)
    elif g.consumer_department_id not in who.department_ids:
        raise Forbidden("sharing.not_grant_client", id=g.id)
    if g.status == GrantStatus.REVOKED:
        raise Forbidden("sharing.grant_revoked", id=g.id, reason=g.status_reason)
    if g.status == GrantStatus.EXPIRED or as_utc(g.valid_until) <= utcnow():
        until = as_utc(g.valid_until).date().isoformat()
        raise Forbidden("sharing.grant_expired", id=g.id, until=until)


def _json_default(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _log(
    rt: Runtime,
    g: GrantRow,
    who: Principal,
    dept: str,
    status: int,
    rows: int,
    fmt: str,
    query: dict[str, str],
) -> calllog.Pending:
    return rt.calls.submit(
        {
            "grant_id": g.id,
            "at": utcnow(),
            "caller": who.username,
            "department_code": dept,
            "purpose": g.purpose[:200],
            "status": status,
            "rows": rows,
            "format": fmt,
            "query": query,
        }
    )


@router.get("/{grant_id}")
async def call_service(grant_id: Id, request: Request, who: Principal = CALL) -> Response:
    # One threadpool hop for the whole call (session, query, log) instead of one per
    # dependency and one for the endpoint.
    response: Response = await run_in_threadpool(_call, request, grant_id, who)
    return response


def _call(request: Request, grant_id: int, who: Principal) -> Response:
    ctx = app_ctx(request)
    with transaction(ctx.sessions) as session:
        return _serve(session, request, grant_id, who)


def _serve(session: Session, request: Request, grant_id: int, who: Principal) -> Response:
    rt = runtime_of(app_ctx(request))
    params = dict(request.query_params)
    g, dept = _grant_row(session, grant_id)
    fmt = params.get("_format", "json")
    try:
        check_caller(g, who)
        rt.limiter.take(g.id, g.rate_per_minute)
        plan = rt.plan(session, g)
        with rt.engine.use(plan.table_ref, plan.layout) as backend:
            compiled = compile_query(plan, params, rt.cursors, backend.premasked, backend.key_index)
            if compiled.fmt == "csv":
                table = backend.arrow(compiled.sql, compiled.params)
                names = table.column_names
            else:
                names, tuples = backend.rows(compiled.sql, compiled.params)
    except MudanError as exc:
        _log(rt, g, who, dept, exc.status, 0, fmt[:8], params).wait()
        headers = (
            {"Retry-After": str(exc.retry_after)} if isinstance(exc, calllog.RateLimited) else {}
        )
        return JSONResponse(exc.envelope(locale_of(request)), exc.status, headers=headers)
    keyed = "__k" in names  # the paging key, always the last column
    n = table.num_rows if compiled.fmt == "csv" else len(tuples)
    count = min(n, compiled.size)
    next_token = None
    if n > compiled.size and keyed:
        k = table.column("__k")[count - 1].as_py() if compiled.fmt == "csv" else None
        last = k if compiled.fmt == "csv" else tuples[count - 1][-1]
        next_token = rt.cursors.seal(g.id, last)
    logged = _log(rt, g, who, dept, 200, count, compiled.fmt, params)
    headers = {"X-Next-Cursor": next_token} if next_token else {}
    if compiled.fmt == "csv":
        page = table.slice(0, count)
        page = page.drop_columns(["__k"]) if keyed else page
        csv = _csv(page)
        logged.wait()
        return Response(csv, media_type="text/csv; charset=utf-8", headers=headers)
    fields = names[:-1] if keyed else names
    body = {
        "ok": True,
        "grant_id": g.id,
        "fields": compiled.fields,
        "count": count,
        "next": next_token,
        "rows": [dict(zip(fields, r, strict=False)) for r in tuples[:count]],
    }
    text = orjson.dumps(body, default=_json_default)
    logged.wait()  # no answer leaves before its call is durably logged
    return Response(text, media_type="application/json", headers=headers)


def _csv(page: pa.Table) -> bytes:
    sink = io.BytesIO()
    sink.write(b"\xef\xbb\xbf")
    pacsv.write_csv(page, sink)
    return sink.getvalue()
