"""Ingest pages: jobs with an upload form, and a job page that refreshes itself while it runs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from mudan.core.deps import DbSession, app_ctx, locale_of
from mudan.core.errors import MudanError
from mudan.domains.ingest import jobs
from mudan.domains.ingest import service as ingest
from mudan.domains.ingest.enums import LoadMode
from mudan.domains.ingest.rates import aggregation_rates
from mudan.domains.ingest.views import start_job
from mudan.kernel.deps import CurrentPrincipal, require
from mudan.kernel.rbac import Principal
from mudan.web.render import render

router = APIRouter(include_in_schema=False)


def _jobs_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    failed: bool = False,
    **extra: object,
) -> Response:
    scope = jobs.job_scope(session, principal)
    rows = jobs.list_jobs(session, scope=scope, failed_only=failed, limit=100)
    city, _ = aggregation_rates(session)
    ctx: dict[str, object] = {
        "jobs": rows,
        "modes": list(LoadMode),
        "rate": city,
        "failed": failed,
    }
    ctx.update(extra)
    return render(request, "ingest/jobs.html", ctx, status_code=422 if "error" in extra else 200)


@router.get("/ingest", dependencies=[require("ingest.read")])
def ingest_page(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    table_ref: str = "",
    failed: bool = False,
) -> Response:
    """``failed=true``: only the failed loads not yet followed by a successful one."""
    return _jobs_page(request, session, principal, failed, table_ref=table_ref[:130])


@router.post("/ingest/upload")
def ingest_upload_form(
    request: Request,
    session: DbSession,
    tasks: BackgroundTasks,
    file: Annotated[UploadFile, File()],
    table_ref: Annotated[str, Form()],
    mode: Annotated[LoadMode, Form()] = LoadMode.APPEND,
    principal: Principal = require("ingest.run"),
) -> Response:
    ctx = app_ctx(request)
    try:
        with session.begin_nested():
            job = ingest.submit_upload(
                session,
                settings=ctx.settings,
                principal=principal,
                table_ref=table_ref,
                stream=file.file,
                filename=file.filename or "",
                mode=mode,
            )
    except MudanError as exc:
        return _jobs_page(
            request, session, principal, error=exc.message(locale_of(request)), table_ref=table_ref
        )
    start_job(tasks, ctx, job.id)
    return RedirectResponse(f"/ingest/jobs/{job.id}", status_code=303)


@router.get("/ingest/jobs/{job_id}", dependencies=[require("ingest.read")])
def ingest_job_page(job_id: str, request: Request, session: DbSession) -> Response:
    job = jobs.get_job(session, job_id=job_id)
    fragment = request.headers.get("hx-request") == "true"
    return render(request, "ingest/_job.html" if fragment else "ingest/job.html", {"job": job})
