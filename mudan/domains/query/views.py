"""SQL console API and page (DuckDB over Iceberg snapshots, SELECT only)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from mudan.core.deps import DbSession, app_ctx, locale_of
from mudan.core.errors import MudanError
from mudan.domains.query import flows
from mudan.domains.query.service import run_query
from mudan.kernel.deps import require
from mudan.kernel.rbac import Principal
from mudan.lake import lake_of
from mudan.lake.query import QueryResult, to_csv_bytes
from mudan.web.render import render

router = APIRouter(prefix="/api/v1", tags=["query"])
pages = APIRouter(include_in_schema=False)


class QueryIn(BaseModel):
    sql: str = Field(min_length=1, max_length=20_000)
    max_rows: int = Field(default=1000, ge=1, le=10_000)
    snapshots: dict[str, int] = Field(default_factory=dict, description="time travel per table")


class QueryOut(BaseModel):
    columns: list[tuple[str, str]]
    rows: list[list[Any]]
    truncated: bool
    elapsed_ms: float
    snapshots: dict[str, int | None]


def _json_value(v: Any) -> Any:
    if isinstance(v, datetime | date):
        return v.isoformat()
    if isinstance(v, Decimal):
        return str(v)
    return v


def _out(result: QueryResult) -> QueryOut:
    cols = result.rows.column_names
    rows = [[_json_value(r[c]) for c in cols] for r in result.rows.to_pylist()]
    return QueryOut(
        columns=result.columns,
        rows=rows,
        truncated=result.truncated,
        elapsed_ms=round(result.elapsed_ms, 1),
        snapshots=result.snapshots,
    )


def _audited(request: Request, principal: Principal, body: QueryIn) -> QueryResult:
    """In its own transaction, so a refused query keeps its audit record."""
    ctx = app_ctx(request)
    return flows.audited_query(
        ctx.sessions,
        lake=lake_of(ctx),
        principal=principal,
        sql=body.sql,
        max_rows=body.max_rows,
        snapshots=body.snapshots,
    )


@router.post("/query", response_model=QueryOut)
def lake_query(
    body: QueryIn, request: Request, principal: Principal = require("lake.query")
) -> QueryOut:
    """Run one read-only SELECT over lake tables you may read (``namespace.table``)."""
    result = _audited(request, principal, body)
    return _out(result)


@router.post("/query.csv")
def lake_query_csv(
    body: QueryIn, request: Request, principal: Principal = require("lake.query")
) -> Response:
    result = _audited(request, principal, body)
    return Response(
        to_csv_bytes(result),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="query.csv"'},
    )


@pages.get("/query", dependencies=[require("lake.query")])
def query_page(request: Request) -> Response:
    return render(request, "query/console.html", {"sql": "", "result": None})


@pages.post("/query")
def query_page_run(
    request: Request,
    session: DbSession,
    sql: Annotated[str, Form(max_length=20_000)],
    principal: Principal = require("lake.query"),
) -> Response:
    ctx: dict[str, object] = {"sql": sql, "result": None}
    try:
        with session.begin_nested():
            ctx["result"] = _out(
                run_query(session, lake=lake_of(app_ctx(request)), principal=principal, sql=sql)
            )
    except MudanError as exc:
        ctx["error"] = f"[{exc.code}] {exc.message(locale_of(request))}"
    fragment = request.headers.get("hx-request") == "true"
    return render(request, "query/_result.html" if fragment else "query/console.html", ctx)
