"""Ingest API: upload a file into a lake table, follow the job, retry it; lineage graphs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, File, Form, Query, Request, UploadFile
from pydantic import BaseModel
from sqlalchemy.orm import Session

from mudan.app import AppContext
from mudan.core import audit
from mudan.core.deps import DbSession, app_ctx
from mudan.core.params import Id
from mudan.domains.ingest import jobs, lineage
from mudan.domains.ingest import schedule as pull
from mudan.domains.ingest import service as ingest
from mudan.domains.ingest.enums import LoadMode
from mudan.domains.ingest.models import IngestJob
from mudan.domains.ingest.rates import AggregationRate, aggregation_rates
from mudan.domains.ingest.source_models import IngestSource
from mudan.domains.ingest.sources import mask_url
from mudan.kernel.deps import CurrentPrincipal, require
from mudan.kernel.rbac import Principal
from mudan.lake import lake_of, registry

router = APIRouter(prefix="/api/v1", tags=["ingest"])


class JobOut(BaseModel):
    id: str
    table_ref: str
    department_code: str
    source_kind: str
    source_ref: str
    mode: str
    status: str
    rows_read: int
    rows_written: int
    rows_quarantined: int
    bytes_total: int
    snapshot_id: str | None
    error_code: str | None
    error_message: str | None
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    log: str


class NodeOut(BaseModel):
    kind: str
    ref: str


class GraphOut(BaseModel):
    nodes: list[NodeOut]
    edges: list[tuple[NodeOut, NodeOut]]


def job_out(job: IngestJob) -> JobOut:
    return JobOut.model_validate(job, from_attributes=True)


def start_job(tasks: BackgroundTasks, ctx: AppContext, job_id: str) -> None:
    """Runs after the response in the thread pool, and so after the request's unit of work
    committed the queued job (``get_session`` commits before the response is sent)."""
    tasks.add_task(
        ingest.run, sessions=ctx.sessions, settings=ctx.settings, lake=lake_of(ctx), job_id=job_id
    )


@router.post("/ingest/uploads", response_model=JobOut, status_code=202)
def upload_file(
    request: Request,
    session: DbSession,
    tasks: BackgroundTasks,
    file: Annotated[UploadFile, File()],
    table_ref: Annotated[str, Form()],
    mode: Annotated[LoadMode, Form()] = LoadMode.APPEND,
    principal: Principal = require("ingest.run"),
) -> JobOut:
    """Upload CSV (UTF-8/GBK/GB18030), XLSX, JSON/NDJSON or Parquet into a registered table."""
    ctx = app_ctx(request)
    job = ingest.submit_upload(
        session,
        settings=ctx.settings,
        principal=principal,
        table_ref=table_ref,
        stream=file.file,
        filename=file.filename or "",
        mode=mode,
    )
    start_job(tasks, ctx, job.id)
    return job_out(job)


@router.get("/ingest/jobs", response_model=list[JobOut], dependencies=[require("ingest.read")])
def list_ingest_jobs(
    session: DbSession,
    principal: CurrentPrincipal,
    table_ref: str | None = None,
    failed: bool = False,
    limit: int = Query(50, ge=1, le=500),
) -> list[JobOut]:
    """``failed=true``: failed or interrupted loads not yet followed by a successful one."""
    rows = jobs.list_jobs(
        session,
        table_ref=table_ref,
        scope=jobs.job_scope(session, principal),
        failed_only=failed,
        limit=limit,
    )
    return [job_out(j) for j in rows]


@router.get("/ingest/jobs/{job_id}", response_model=JobOut, dependencies=[require("ingest.read")])
def get_ingest_job(job_id: str, session: DbSession) -> JobOut:
    return job_out(jobs.get_job(session, job_id=job_id))


@router.post("/ingest/jobs/{job_id}/retry", response_model=JobOut, status_code=202)
def retry_ingest_job(
    job_id: str,
    request: Request,
    session: DbSession,
    tasks: BackgroundTasks,
    principal: Principal = require("ingest.run"),
) -> JobOut:
    job = ingest.prepare_retry(session, principal=principal, job_id=job_id)
    audit.record(
        session,
        actor=principal.username,
        role=principal.primary_role,
        action="ingest.retry",
        object_type="job",
        object_id=job_id,
    )
    start_job(tasks, app_ctx(request), job.id)
    return job_out(job)


class RateOut(BaseModel):
    department_code: str
    due: int
    on_time: int
    rate: float | None


class RatesOut(BaseModel):
    city: RateOut
    departments: list[RateOut]


def _rate(r: AggregationRate) -> RateOut:
    return RateOut(department_code=r.department_code, due=r.due, on_time=r.on_time, rate=r.rate)


@router.get(
    "/ingest/aggregation-rate", response_model=RatesOut, dependencies=[require("ingest.read")]
)
def aggregation_rate(session: DbSession) -> RatesOut:
    """汇聚率: tables due for aggregation that were loaded within their update cycle."""
    city, departments = aggregation_rates(session)
    return RatesOut(city=_rate(city), departments=[_rate(d) for d in departments])


@router.get("/lineage", response_model=GraphOut, dependencies=[require("lineage.read")])
def lineage_graph(
    session: DbSession, kind: str, ref: str, depth: int = Query(3, ge=1, le=6)
) -> GraphOut:
    g = lineage.graph_for(session, kind=kind, ref=ref, depth=depth)
    return GraphOut(
        nodes=[NodeOut(kind=n.kind, ref=n.ref) for n in g.nodes],
        edges=[
            (NodeOut(kind=a.kind, ref=a.ref), NodeOut(kind=b.kind, ref=b.ref)) for a, b in g.edges
        ],
    )


# --- pull sources (database / HTTP) -------------------------------------------------------------


class SourceOut(BaseModel):
    id: int
    name: str
    table_ref: str
    department_code: str
    kind: str
    url: str  # the password masked
    query: str | None
    table_name: str | None
    cursor_column: str | None
    last_cursor: str | None
    http_params: dict[str, Any]
    mode: str
    update_cycle: str
    enabled: bool
    next_run_at: datetime | None
    last_job_id: str | None
    created_by: str
    created_at: datetime


def source_out(source: IngestSource) -> SourceOut:
    out = SourceOut.model_validate(source, from_attributes=True)
    return out.model_copy(update={"url": mask_url(source.url)})


def audit_source(session: Session, principal: Principal, action: str, source_id: int) -> None:
    audit.record(
        session,
        actor=principal.username,
        role=principal.primary_role,
        action=action,
        object_type="ingest_source",
        object_id=str(source_id),
    )


@router.get("/ingest/sources", response_model=list[SourceOut])
def list_ingest_sources(
    session: DbSession, principal: Principal = require("ingest.run")
) -> list[SourceOut]:
    scope = pull.source_scope(session, principal)
    return [source_out(s) for s in pull.list_sources(session, scope=scope)]


@router.post("/ingest/sources", response_model=SourceOut, status_code=201)
def create_ingest_source(
    body: pull.SourceIn, session: DbSession, principal: Principal = require("ingest.run")
) -> SourceOut:
    source = pull.create_source(session, principal=principal, data=body)
    audit_source(session, principal, "ingest.source_create", source.id)
    return source_out(source)


@router.get("/ingest/sources/{source_id}", response_model=SourceOut)
def get_ingest_source(
    source_id: Id, session: DbSession, principal: Principal = require("ingest.run")
) -> SourceOut:
    source = pull.get_source(session, source_id=source_id)
    spec = registry.table_spec(session, table_ref=source.table_ref)
    ingest.check_table_access(session, principal=principal, spec=spec)
    return source_out(source)


@router.put("/ingest/sources/{source_id}", response_model=SourceOut)
def update_ingest_source(
    source_id: Id,
    body: pull.SourceIn,
    session: DbSession,
    principal: Principal = require("ingest.run"),
) -> SourceOut:
    source = pull.update_source(session, principal=principal, source_id=source_id, data=body)
    audit_source(session, principal, "ingest.source_update", source.id)
    return source_out(source)


@router.delete("/ingest/sources/{source_id}", status_code=204)
def delete_ingest_source(
    source_id: Id, session: DbSession, principal: Principal = require("ingest.run")
) -> None:
    pull.delete_source(session, principal=principal, source_id=source_id)
    audit_source(session, principal, "ingest.source_delete", source_id)


@router.post("/ingest/sources/{source_id}/run", response_model=JobOut, status_code=202)
def run_ingest_source(
    source_id: Id,
    request: Request,
    session: DbSession,
    tasks: BackgroundTasks,
    principal: Principal = require("ingest.run"),
) -> JobOut:
    """Pull the source now (after the response, like an upload)."""
    return job_out(queue_source_run(request, session, tasks, principal, source_id))


def queue_source_run(
    request: Request,
    session: Session,
    tasks: BackgroundTasks,
    principal: Principal,
    source_id: int,
) -> IngestJob:
    """Check access and queue a pull job (the request commits it); run it after the response."""
    source = pull.get_source(session, source_id=source_id)
    spec = registry.table_spec(session, table_ref=source.table_ref)
    ingest.check_table_access(session, principal=principal, spec=spec)
    job = pull.submit_source_job(session, source_id=source_id, actor=principal.username)
    audit_source(session, principal, "ingest.source_run", source_id)
    ctx = app_ctx(request)
    tasks.add_task(
        pull.run_source_job,
        sessions=ctx.sessions,
        lake=lake_of(ctx),
        source_id=source_id,
        job_id=job.id,
    )
    return job
