"""Serving a grant's data: one call of the data service, whatever the shell (the HTTP API in
:mod:`.views`, ``mudan share call``). Checks the caller against the grant, takes a
token of the grant's rate, compiles the masked query (:mod:`.query`), runs it on the
serve engine and logs the call — served or refused — through the call log's group-commit
writer (:mod:`.calllog`): no answer leaves before its call is durably logged."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.db import as_utc, utcnow
from mudan.core.errors import Forbidden, MudanError, NotFound, Unauthenticated
from mudan.domains.sharing.dataservice import calllog
from mudan.domains.sharing.dataservice.query import compile_query
from mudan.domains.sharing.dataservice.runtime import GrantRow, ServiceRuntime
from mudan.domains.sharing.enums import GrantStatus
from mudan.domains.sharing.models import ShareGrant
from mudan.kernel.identity import is_locked, principal_for_user
from mudan.kernel.models import Department, User
from mudan.kernel.rbac import Principal

PERMISSION = "dataservice.call"
_COLS = [getattr(ShareGrant, f) for f in GrantRow.__dataclass_fields__]


@dataclass(frozen=True)
class ServiceQuery:
    """A call's query, typed. The data service's contract is its URL form (``item__op=v``,
    ``_fields``, ``_size``, ``_after``, ``_format``): :meth:`params` writes it, and the HTTP
    view hands the URL's own parameters over unchanged (a malformed ``_size`` is the call's
    400, logged like any refusal)."""

    filters: dict[str, str] = field(default_factory=dict)  # "item" or "item__op" -> value
    fields: tuple[str, ...] = ()
    limit: int | None = None
    after: str | None = None  # the opaque ``next`` token of the previous page
    fmt: str = "json"

    def params(self) -> dict[str, str]:
        out = dict(self.filters)
        if self.fields:
            out["_fields"] = ",".join(self.fields)
        if self.limit is not None:
            out["_size"] = str(self.limit)
        if self.after:
            out["_after"] = self.after
        if self.fmt != "json":
            out["_format"] = self.fmt
        return out


@dataclass(frozen=True)
class ServiceAnswer:
    """One page: its rows (JSON format) or Arrow table (CSV), the fields, the ``next`` token
    and the encoded body as the API sends it."""

    grant_id: int
    fmt: str
    fields: list[str]
    count: int
    next: str | None
    rows: list[dict[str, Any]]
    table: pa.Table | None
    content: bytes
    media_type: str


class CallRefused(Exception):
    """A call refused after its grant was found; the refusal is already logged."""

    def __init__(self, error: MudanError) -> None:
        super().__init__(error.code)
        self.error = error


def grant_row(session: Session, grant_id: int) -> tuple[GrantRow, str]:
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


def principal_named(session: Session, *, username: str, via: str) -> Principal:
    """The principal a non-HTTP shell acts as: an active, unlocked user, with the roles and
    departments its token would carry (so the same grant checks apply)."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.is_active:
        raise Unauthenticated("sharing.unknown_user", username=username)
    if is_locked(user, utcnow()):
        raise Unauthenticated("auth.account_locked")
    return principal_for_user(session, user=user, via=via)


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
    rt: ServiceRuntime,
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


def to_csv(page: pa.Table) -> bytes:
    sink = io.BytesIO()
    sink.write(b"\xef\xbb\xbf")  # a BOM: spreadsheet programs then read the UTF-8 right
    pacsv.write_csv(page, sink)
    return sink.getvalue()


def call_service(
    session: Session,
    *,
    runtime: ServiceRuntime,
    principal: Principal,
    grant_id: int,
    query: ServiceQuery | dict[str, str],
) -> ServiceAnswer:
    """Serve one page of ``grant_id`` to ``principal``. Raises :class:`NotFound` for an
    unknown grant, ``Forbidden`` without the permission (neither is logged: no grant's call)
    and :class:`CallRefused` for a logged refusal (its ``error`` carries the code)."""
    if not principal.can(PERMISSION):
        raise Forbidden("auth.forbidden", permission=PERMISSION)
    rt = runtime
    params = query.params() if isinstance(query, ServiceQuery) else dict(query)
    g, dept = grant_row(session, grant_id)
    fmt = params.get("_format", "json")
    try:
        check_caller(g, principal)
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
        _log(rt, g, principal, dept, exc.status, 0, fmt[:8], params).wait()
        raise CallRefused(exc) from exc
    keyed = "__k" in names  # the paging key, always the last column
    n = table.num_rows if compiled.fmt == "csv" else len(tuples)
    count = min(n, compiled.size)
    next_token = None
    if n > compiled.size and keyed:
        k = table.column("__k")[count - 1].as_py() if compiled.fmt == "csv" else None
        last = k if compiled.fmt == "csv" else tuples[count - 1][-1]
        next_token = rt.cursors.seal(g.id, last)
    logged = _log(rt, g, principal, dept, 200, count, compiled.fmt, params)
    # the answer is encoded while the writer flushes its log row
    if compiled.fmt == "csv":
        page = table.slice(0, count)
        page = page.drop_columns(["__k"]) if keyed else page
        content = to_csv(page)
        logged.wait()
        media = "text/csv; charset=utf-8"
        return ServiceAnswer(
            g.id, "csv", compiled.fields, count, next_token, [], page, content, media
        )
    fields = names[:-1] if keyed else names
    rows = [dict(zip(fields, r, strict=False)) for r in tuples[:count]]
    body = {
        "ok": True,
        "grant_id": g.id,
        "fields": compiled.fields,
        "count": count,
        "next": next_token,
        "rows": rows,
    }
    content = orjson.dumps(body, default=_json_default)
    logged.wait()  # no answer leaves before its call is durably logged
    return ServiceAnswer(
        g.id, "json", compiled.fields, count, next_token, rows, None, content, "application/json"
    )
