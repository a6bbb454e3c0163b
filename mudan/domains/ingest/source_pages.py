"""The pull-sources page: list a department's database/HTTP sources, add one, run one now."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import RedirectResponse, Response

from mudan.core.deps import DbSession, locale_of
from mudan.core.errors import InvalidInput, MudanError
from mudan.core.params import Id
from mudan.domains.catalog.enums import UpdateCycle
from mudan.domains.ingest import schedule as pull
from mudan.domains.ingest.enums import LoadMode, SourceKind
from mudan.domains.ingest.sources import mask_url
from mudan.domains.ingest.views import audit_source, queue_source_run
from mudan.kernel.deps import require
from mudan.kernel.rbac import Principal
from mudan.web.render import render

router = APIRouter(include_in_schema=False)
FORM_FIELDS = ("name", "table_ref", "kind", "url", "table_name", "query", "cursor_column")


def _page(
    request: Request,
    session: DbSession,
    principal: Principal,
    form: dict[str, str] | None = None,
    error: str = "",
) -> Response:
    sources = pull.list_sources(session, scope=pull.source_scope(session, principal))
    ctx = {
        "sources": sources,
        "mask": mask_url,
        "kinds": [SourceKind.DATABASE, SourceKind.HTTP],
        "modes": list(LoadMode),
        "cycles": list(UpdateCycle),
        "form": form or {},
        "error": error,
    }
    return render(request, "ingest/sources.html", ctx, status_code=422 if error else 200)


@router.get("/ingest/sources")
def sources_page(
    request: Request, session: DbSession, principal: Principal = require("ingest.run")
) -> Response:
    return _page(request, session, principal)


def _source_in(form: dict[str, str], mode: str, cycle: str, http_params: str) -> pull.SourceIn:
    try:
        params = json.loads(http_params) if http_params.strip() else None
    except json.JSONDecodeError as exc:
        raise InvalidInput("ingest.bad_http_params", reason=exc.msg) from exc
    if params is not None and not isinstance(params, dict):
        raise InvalidInput("ingest.bad_http_params", reason="JSON object expected")
    return pull.SourceIn(
        table_ref=form["table_ref"].strip(),
        kind=SourceKind(form["kind"]),
        url=form["url"].strip(),
        name=form["name"].strip(),
        query=form["query"].strip() or None,
        table_name=form["table_name"].strip() or None,
        cursor_column=form["cursor_column"].strip() or None,
        http_params=params,
        mode=LoadMode(mode) if mode else None,
        update_cycle=UpdateCycle(cycle),
    )


@router.post("/ingest/sources")
def sources_create(
    request: Request,
    session: DbSession,
    table_ref: Annotated[str, Form(max_length=130)],
    url: Annotated[str, Form(max_length=1000)],
    kind: Annotated[SourceKind, Form()] = SourceKind.DATABASE,
    name: Annotated[str, Form(max_length=200)] = "",
    table_name: Annotated[str, Form(max_length=200)] = "",
    query: Annotated[str, Form(max_length=20_000)] = "",
    cursor_column: Annotated[str, Form(max_length=100)] = "",
    mode: Annotated[str, Form()] = "",
    update_cycle: Annotated[UpdateCycle, Form()] = UpdateCycle.DAILY,
    http_params: Annotated[str, Form(max_length=2000)] = "",
    principal: Principal = require("ingest.run"),
) -> Response:
    form = dict(
        zip(
            FORM_FIELDS,
            (name, table_ref, kind.value, url, table_name, query, cursor_column),
            strict=True,
        )
    )
    try:
        with session.begin_nested():
            data = _source_in(form, mode, update_cycle.value, http_params)
            source = pull.create_source(session, principal=principal, data=data)
            audit_source(session, principal, "ingest.source_create", source.id)
    except MudanError as exc:
        form.update(mode=mode, http_params=http_params, update_cycle=update_cycle.value)
        return _page(request, session, principal, form, exc.message(locale_of(request)))
    return RedirectResponse("/ingest/sources", status_code=303)


@router.post("/ingest/sources/{source_id}/run")
def sources_run(
    source_id: Id,
    request: Request,
    session: DbSession,
    tasks: BackgroundTasks,
    principal: Principal = require("ingest.run"),
) -> Response:
    job = queue_source_run(request, session, tasks, principal, source_id)
    return RedirectResponse(f"/ingest/jobs/{job.id}", status_code=303)
