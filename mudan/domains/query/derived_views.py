"""Derived tables API (/api/v1/query/derived) and page (/query/derived)."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from mudan.core.deps import DbSession, app_ctx, locale_of
from mudan.core.errors import MudanError
from mudan.core.params import Id
from mudan.domains.query import derived, flows
from mudan.domains.query.models import DerivedTable
from mudan.kernel.deps import require
from mudan.kernel.rbac import Principal
from mudan.lake import lake_of
from mudan.web.render import render

router = APIRouter(prefix="/api/v1/query/derived", tags=["query"])
pages = APIRouter(include_in_schema=False)


class DerivedIn(BaseModel):
    name: str = Field(description="snake_case; the table becomes d<department>.x_<name>")
    title: str = ""
    sql: str = Field(min_length=1, max_length=20_000)
    department_code: str | None = None
    refresh: bool = True


class DerivedOut(BaseModel):
    id: int
    table_ref: str
    department_code: str
    title: str
    sql: str
    sources: list[str]
    created_by: str
    refreshed_at: datetime | None
    snapshot_id: str | None
    rows: int | None
    error: str | None


def _out(row: DerivedTable) -> DerivedOut:
    return DerivedOut.model_validate(row, from_attributes=True)


def _refresh(request: Request, principal: Principal, derived_id: int) -> DerivedTable:
    ctx = app_ctx(request)
    return flows.refresh(
        ctx.sessions,
        lake=lake_of(ctx),
        derived_id=derived_id,
        actor=principal.username,
        role=principal.primary_role,
    )


def _define(request: Request, principal: Principal, body: DerivedIn) -> DerivedTable:
    ctx = app_ctx(request)
    return flows.define(
        ctx.sessions,
        lake=lake_of(ctx),
        principal=principal,
        name=body.name,
        title=body.title,
        sql=body.sql,
        department_code=body.department_code,
        refresh_now=body.refresh,
    )


@router.get("", response_model=list[DerivedOut])
def derived_list(
    session: DbSession, principal: Principal = require("lake.query")
) -> list[DerivedOut]:
    return [_out(r) for r in derived.visible(session, principal=principal)]


@router.post("", response_model=DerivedOut, status_code=201)
def derived_define(
    body: DerivedIn, request: Request, principal: Principal = require("lake.query")
) -> DerivedOut:
    """Save a SELECT as a derived table in your department's namespace and (by default)
    materialise it now. Lineage links its source tables to it."""
    return _out(_define(request, principal, body))


@router.post("/{derived_id}/refresh", response_model=DerivedOut)
def derived_refresh(
    derived_id: Id, request: Request, principal: Principal = require("lake.query")
) -> DerivedOut:
    ctx = app_ctx(request)
    row = flows.refresh_as(
        ctx.sessions, lake=lake_of(ctx), principal=principal, derived_id=derived_id
    )
    return _out(row)


@router.delete("/{derived_id}", status_code=204)
def derived_delete(
    derived_id: Id, request: Request, principal: Principal = require("lake.query")
) -> Response:
    ctx = app_ctx(request)
    flows.delete(ctx.sessions, lake=lake_of(ctx), principal=principal, derived_id=derived_id)
    return Response(status_code=204)


@pages.get("/query/derived")
def derived_page(
    request: Request, session: DbSession, principal: Principal = require("lake.query")
) -> Response:
    rows = derived.visible(session, principal=principal)
    return render(request, "query/derived.html", {"rows": rows, "form": {}})


@pages.post("/query/derived")
def derived_page_define(
    request: Request,
    session: DbSession,
    name: Annotated[str, Form(max_length=41)],
    sql: Annotated[str, Form(max_length=20_000)],
    title: Annotated[str, Form(max_length=200)] = "",
    principal: Principal = require("lake.query"),
) -> Response:
    try:
        ctx = app_ctx(request)
        flows.define(
            ctx.sessions, lake=lake_of(ctx), principal=principal, name=name, title=title, sql=sql
        )
    except MudanError as exc:
        rows = derived.visible(session, principal=principal)
        page = {
            "rows": rows,
            "form": {"name": name, "title": title, "sql": sql},
            "error": f"[{exc.code}] {exc.message(locale_of(request))}",
        }
        return render(request, "query/derived.html", page, status_code=422)
    return RedirectResponse("/query/derived", status_code=303)


@pages.post("/query/derived/{derived_id}/refresh")
def derived_page_refresh(
    derived_id: Id, request: Request, principal: Principal = require("lake.query")
) -> Response:
    flows.check_manage(app_ctx(request).sessions, principal=principal, derived_id=derived_id)
    with contextlib.suppress(MudanError):  # recorded on the row; the page shows it
        _refresh(request, principal, derived_id)
    return RedirectResponse("/query/derived", status_code=303)
