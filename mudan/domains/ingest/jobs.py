"""Load-job bookkeeping: create, log, transition, recover after a crash."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, select, update
from sqlalchemy.orm import Session, aliased

from mudan.core.db import utcnow
from mudan.core.errors import NotFound
from mudan.domains.ingest.enums import JobStatus, LoadMode, SourceKind
from mudan.domains.ingest.models import IngestJob
from mudan.kernel.rbac import Principal
from mudan.kernel.scope import Scope

MAX_LOG_CHARS = 200_000


def create_job(
    session: Session,
    *,
    table_ref: str,
    department_code: str,
    source_kind: SourceKind,
    source_ref: str,
    batch_id: str,
    mode: LoadMode,
    created_by: str,
    catalog_entry_id: int | None = None,
    bytes_total: int = 0,
) -> IngestJob:
    job = IngestJob(
        id=uuid.uuid4().hex,
        table_ref=table_ref,
        catalog_entry_id=catalog_entry_id,
        department_code=department_code,
        source_kind=source_kind.value,
        source_ref=source_ref[:500],
        batch_id=batch_id,
        mode=mode.value,
        status=JobStatus.QUEUED.value,
        rows_read=0,
        rows_written=0,
        rows_quarantined=0,
        bytes_total=bytes_total,
        log="",
        created_by=created_by,
    )
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, *, job_id: str) -> IngestJob:
    job = session.get(IngestJob, job_id)
    if job is None:
        raise NotFound("ingest.job_not_found", job_id=job_id)
    return job


def log(job: IngestJob, line: str, *, at: datetime | None = None) -> None:
    stamp = (at or utcnow()).strftime("%H:%M:%S")
    text = (job.log or "") + f"[{stamp}] {line}\n"
    job.log = text[-MAX_LOG_CHARS:]


def job_scope(session: Session, principal: Principal) -> Scope:
    """The departments whose jobs ``principal`` sees (the bureau and evaluators: all)."""
    return Scope.of_departments(session, principal, every_with=("lake.query_all", "audit.read"))


def unresolved_failure() -> ColumnElement[bool]:
    """A failed or interrupted job whose table has not loaded successfully since."""
    later = aliased(IngestJob)
    fixed = (
        select(later.id)
        .where(
            later.table_ref == IngestJob.table_ref,
            later.status == JobStatus.SUCCEEDED.value,
            later.created_at > IngestJob.created_at,
        )
        .exists()
    )
    failed = [JobStatus.FAILED.value, JobStatus.INTERRUPTED.value]
    return and_(IngestJob.status.in_(failed), ~fixed)


def jobs_query(
    *,
    table_ref: str | None = None,
    scope: Scope | None = None,
    failed_only: bool = False,
) -> Select[IngestJob]:
    """``scope``: a principal's (:func:`job_scope`); None: every job."""
    q = select(IngestJob)
    if table_ref:
        q = q.where(IngestJob.table_ref == table_ref)
    if scope is not None:
        q = q.where(scope.where(department=IngestJob.department_code))
    if failed_only:
        q = q.where(unresolved_failure())
    return q


def list_jobs(
    session: Session,
    *,
    table_ref: str | None = None,
    scope: Scope | None = None,
    failed_only: bool = False,
    limit: int = 50,
) -> list[IngestJob]:
    """Newest first; ``failed_only``: failures not yet followed by a successful load."""
    q = jobs_query(table_ref=table_ref, scope=scope, failed_only=failed_only)
    return list(session.scalars(q.order_by(IngestJob.created_at.desc()).limit(limit)))


def mark_interrupted(session: Session) -> int:
    """At start-up: jobs left running by a dead process are interrupted, never 'running' forever.
    Their tables are untouched (loads commit one snapshot at the end) and they can be retried."""
    result = session.execute(
        update(IngestJob)
        .where(IngestJob.status.in_([JobStatus.RUNNING.value, JobStatus.QUEUED.value]))
        .values(
            status=JobStatus.INTERRUPTED.value,
            error_code="ingest.interrupted",
            finished_at=utcnow(),
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def last_success(session: Session, *, table_ref: str) -> IngestJob | None:
    return session.scalar(
        select(IngestJob)
        .where(IngestJob.table_ref == table_ref, IngestJob.status == JobStatus.SUCCEEDED.value)
        .order_by(IngestJob.finished_at.desc())
        .limit(1)
    )
