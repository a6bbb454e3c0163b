"""Pull sources: register them, run one as a load job, and schedule them by update cycle.

Sources run on the one persistent scheduler (``mudan.core.scheduler``), which only
``mudan scheduler run`` starts; ``sync_schedule`` keeps its jobs in step with the sources table.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mudan.core.db import transaction
from mudan.core.errors import InvalidInput, NotFound
from mudan.core.runtime import Runtime
from mudan.core.scheduler import current_runtime
from mudan.domains.catalog.enums import UpdateCycle
from mudan.domains.ingest.enums import LoadMode, SourceKind
from mudan.domains.ingest.jobs import create_job
from mudan.domains.ingest.models import IngestJob
from mudan.domains.ingest.runner import run_reader_job
from mudan.domains.ingest.service import check_table_access
from mudan.domains.ingest.source_models import IngestSource
from mudan.domains.ingest.sources import PullReader, database_reader, http_reader, mask_url
from mudan.kernel.rbac import Principal
from mudan.kernel.scope import Scope
from mudan.lake import registry
from mudan.lake.catalog import Lake
from mudan.lake.readers import SourceReader

CYCLE_INTERVALS: dict[UpdateCycle, timedelta] = {
    UpdateCycle.REALTIME: timedelta(minutes=5),
    UpdateCycle.DAILY: timedelta(days=1),
    UpdateCycle.WEEKLY: timedelta(weeks=1),
    UpdateCycle.MONTHLY: timedelta(days=30),
    UpdateCycle.QUARTERLY: timedelta(days=91),
    UpdateCycle.YEARLY: timedelta(days=365),
}
JOB_PREFIX = "ingest-source-"


@dataclass(frozen=True)
class SourceIn:
    table_ref: str
    kind: SourceKind
    url: str
    name: str = ""
    query: str | None = None
    table_name: str | None = None
    cursor_column: str | None = None
    http_params: dict[str, Any] | None = None
    mode: LoadMode | None = None  # default: append when incremental, replace when full
    update_cycle: UpdateCycle = UpdateCycle.DAILY
    enabled: bool = True


# --- bookkeeping --------------------------------------------------------------------------------


def _apply(session: Session, source: IngestSource, data: SourceIn, principal: Principal) -> None:
    spec = registry.table_spec(session, table_ref=data.table_ref)
    dept = check_table_access(session, principal=principal, spec=spec)
    if data.kind == SourceKind.DATABASE and (data.query is None) == (data.table_name is None):
        raise InvalidInput("ingest.query_or_table")
    if data.kind not in (SourceKind.DATABASE, SourceKind.HTTP):
        raise InvalidInput("ingest.bad_source_kind", kind=data.kind.value)
    mode = data.mode or (LoadMode.APPEND if data.cursor_column else LoadMode.REPLACE)
    if mode == LoadMode.UPSERT and not spec.key:
        raise InvalidInput("ingest.upsert_needs_key", table=data.table_ref)
    if mode == LoadMode.APPEND and not data.cursor_column:
        # every run re-reads the whole source: appending would add it again each time
        raise InvalidInput("ingest.full_pull_append", table=data.table_ref)
    if data.cursor_column != source.cursor_column or data.url != source.url:
        source.last_cursor = None
    source.name, source.table_ref, source.department_code = data.name, data.table_ref, dept
    source.kind, source.url, source.query = data.kind.value, data.url, data.query
    source.table_name, source.cursor_column = data.table_name, data.cursor_column
    source.http_params = dict(data.http_params or {})
    source.mode, source.update_cycle = mode.value, data.update_cycle.value
    source.enabled = data.enabled


def create_source(session: Session, *, principal: Principal, data: SourceIn) -> IngestSource:
    source = IngestSource(created_by=principal.username, http_params={})
    _apply(session, source, data, principal)
    session.add(source)
    session.flush()
    return source


def update_source(
    session: Session, *, principal: Principal, source_id: int, data: SourceIn
) -> IngestSource:
    source = get_source(session, source_id=source_id)
    check_table_access(
        session,
        principal=principal,
        spec=registry.table_spec(session, table_ref=source.table_ref),
    )
    _apply(session, source, data, principal)
    session.flush()
    return source


def get_source(session: Session, *, source_id: int) -> IngestSource:
    source = session.get(IngestSource, source_id)
    if source is None:
        raise NotFound("ingest.source_not_found", source_id=source_id)
    return source


def source_scope(session: Session, principal: Principal) -> Scope:
    """The departments whose pull sources ``principal`` sees (the bureau: all)."""
    return Scope.of_departments(session, principal, every_with=("lake.query_all",))


def list_sources(session: Session, *, scope: Scope | None = None) -> list[IngestSource]:
    """``scope``: a principal's (:func:`source_scope`); None: every source."""
    q = select(IngestSource).order_by(IngestSource.id)
    if scope is not None:
        q = q.where(scope.where(department=IngestSource.department_code))
    return list(session.scalars(q))


def delete_source(session: Session, *, principal: Principal, source_id: int) -> None:
    source = get_source(session, source_id=source_id)
    spec = registry.table_spec(session, table_ref=source.table_ref)
    check_table_access(session, principal=principal, spec=spec)
    session.delete(source)
    session.flush()


def submit_source_job(session: Session, *, source_id: int, actor: str) -> IngestJob:
    """Queue a load job for the source; the caller commits, then runs it."""
    source = get_source(session, source_id=source_id)
    job = create_job(
        session,
        table_ref=source.table_ref,
        department_code=source.department_code,
        source_kind=SourceKind(source.kind),
        source_ref=f"{source.kind}:{mask_url(source.url)}",
        batch_id=uuid.uuid4().hex,
        mode=LoadMode(source.mode),
        created_by=actor,
    )
    source.last_job_id = job.id
    return job


def _open(source: IngestSource) -> PullReader:
    if source.kind == SourceKind.DATABASE.value:
        return database_reader(
            source.url,
            query=source.query,
            table=source.table_name,
            cursor_column=source.cursor_column,
            last_cursor=source.last_cursor,
        )
    params = source.http_params or {}
    return http_reader(
        str(params.get("url") or source.url),
        records_path=str(params.get("records_path", "data")),
        page_param=params.get("page_param"),
    )


def run_source_job(
    *, sessions: sessionmaker[Session], lake: Lake, source_id: int, job_id: str
) -> None:
    """Run a queued pull job; the new cursor is stored only when the load succeeded."""
    with sessions() as s:
        source = get_source(s, source_id=source_id)
        spec = registry.table_spec(s, table_ref=source.table_ref)
        s.expunge(source)

    def remember_cursor(session: Session, reader: SourceReader) -> None:
        row = get_source(session, source_id=source_id)
        if isinstance(reader, PullReader) and row.cursor_column:
            row.last_cursor = reader.cursor_max

    run_reader_job(
        sessions=sessions,
        lake=lake,
        spec=spec,
        job_id=job_id,
        open_reader=lambda: _open(source),
        on_success=remember_cursor,
    )


# --- the scheduler ------------------------------------------------------------------------------


def run_source(source_id: int, *, runtime: Runtime | None = None) -> str:
    """The scheduled callable: queue and run one pull of the source; returns the job id.
    Runs on ``runtime`` (a CLI command's) or the scheduler process's."""
    rt = runtime or current_runtime()
    with transaction(rt.sessions) as s:
        job_id = submit_source_job(s, source_id=source_id, actor="scheduler").id
    run_source_job(sessions=rt.sessions, lake=rt.lake, source_id=source_id, job_id=job_id)
    return job_id


@dataclass(frozen=True)
class SyncReport:
    added: list[int]
    updated: list[int]
    removed: list[int]


def sync_schedule(scheduler: BackgroundScheduler, session: Session) -> SyncReport:
    """Make the scheduler's jobs match the enabled sources (the scheduler must be started,
    paused or not); records each source's ``next_run_at``. Does not commit."""
    added: list[int] = []
    updated: list[int] = []
    with session.no_autoflush:  # the job store writes first (SQLite allows one writer)
        sources = list(session.scalars(select(IngestSource)))
    wanted = {f"{JOB_PREFIX}{s.id}": s for s in sources if s.enabled}
    for job_id, source in wanted.items():
        interval = CYCLE_INTERVALS[UpdateCycle(source.update_cycle)]
        job = scheduler.get_job(job_id)
        if job is None:
            job = scheduler.add_job(
                run_source,
                IntervalTrigger(seconds=int(interval.total_seconds())),
                args=[source.id],
                id=job_id,
                name=f"pull {source.table_ref}",
            )
            added.append(source.id)
        elif getattr(job.trigger, "interval", None) != interval:
            job = scheduler.reschedule_job(
                job_id, trigger=IntervalTrigger(seconds=int(interval.total_seconds()))
            )
            updated.append(source.id)
        source.next_run_at = job.next_run_time
    removed: list[int] = []
    for job in scheduler.get_jobs():
        if job.id.startswith(JOB_PREFIX) and job.id not in wanted:
            scheduler.remove_job(job.id)
            removed.append(int(job.id.removeprefix(JOB_PREFIX)))
    session.flush()
    return SyncReport(added=added, updated=updated, removed=removed)
