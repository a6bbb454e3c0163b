"""Ingest API: upload a file into a lake table, follow the job, retry it; lineage graphs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, File, Form, Query, Request, UploadFile
from pydantic import BaseModel

from mudan.app import AppContext
from mudan.core import audit
from mudan.core.deps import CurrentPrincipal, DbSession, app_ctx, require
from mudan.core.rbac import Principal
from mudan.domains.ingest import jobs, lineage
from mudan.domains.ingest import service as ingest
from mudan.domains.ingest.enums import LoadMode
from mudan.domains.ingest.models import IngestJob
from mudan.domains.ingest.rates import AggregationRate, aggregation_rates
from mudan.lake import lake_of

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
    """Runs after the response (and so after the request's commit) in the thread pool."""
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
    audit.record(
        session,
        actor=principal.username,
        role=principal.primary_role,
        action="ingest.submit",
        object_type="table",
        object_id=table_ref,
        detail={"job": job.id, "file": job.source_ref, "bytes": job.bytes_total},
    )
    session.commit()
    start_job(tasks, ctx, job.id)
    return job_out(job)


@router.get("/ingest/jobs", response_model=list[JobOut], dependencies=[require("ingest.read")])
def list_ingest_jobs(
    session: DbSession,
    principal: CurrentPrincipal,
    table_ref: str | None = None,
    limit: int = Query(50, ge=1, le=500),
) -> list[JobOut]:
    depts = (
        None
        if principal.can("lake.query_all") or principal.can("audit.read")
        else (ingest.department_codes(session, principal))
    )
    rows = jobs.list_jobs(session, table_ref=table_ref, department_codes=depts, limit=limit)
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
    session.commit()
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
