"""Ingest entry points used by the API, pages and CLI: submit an upload, run it, retry it."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session, sessionmaker

from mudan.core import audit
from mudan.core.errors import Forbidden, InvalidInput
from mudan.domains.ingest import lineage as lineage
from mudan.domains.ingest.enums import JobStatus, LoadMode, SourceKind
from mudan.domains.ingest.jobs import create_job, get_job
from mudan.domains.ingest.models import IngestJob
from mudan.domains.ingest.runner import run_file_job
from mudan.kernel.identity import department_codes
from mudan.kernel.rbac import Principal
from mudan.lake import registry
from mudan.lake.catalog import Lake
from mudan.lake.headers import safe_upload_name
from mudan.lake.schema import TableSpec
from mudan.settings import Settings


def check_table_access(session: Session, *, principal: Principal, spec: TableSpec) -> str:
    """Department officers load only into their own department's namespace (``d<code>``)."""
    dept = spec.namespace.removeprefix("d")
    if principal.can("lake.query_all"):
        return dept
    if dept not in department_codes(session, principal):
        raise Forbidden("ingest.not_your_table", table=spec.ident)
    return dept


def upload_dir(settings: Settings, job_id: str) -> Path:
    return settings.var_dir / "uploads" / job_id


def submit_upload(
    session: Session,
    *,
    settings: Settings,
    principal: Principal,
    table_ref: str,
    stream: BinaryIO,
    filename: str,
    mode: LoadMode,
) -> IngestJob:
    """Store the file and queue a job (audited); the caller starts it after committing."""
    spec = registry.table_spec(session, table_ref=table_ref)
    dept = check_table_access(session, principal=principal, spec=spec)
    if mode == LoadMode.UPSERT and not spec.key:
        raise InvalidInput("ingest.upsert_needs_key", table=table_ref)
    name = safe_upload_name(filename)
    staging = (
        settings.var_dir
        / "uploads"
        / "incoming"
        / hashlib.sha1(f"{principal.username}:{name}".encode()).hexdigest()[:16]
    )
    staging.mkdir(parents=True, exist_ok=True)
    target = staging / name
    digest = hashlib.sha256()
    size = 0
    try:
        with target.open("wb") as out:
            while chunk := stream.read(1 << 20):
                size += len(chunk)
                digest.update(chunk)
                out.write(chunk)
    except BaseException:  # a dropped or oversized upload leaves nothing behind
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if size == 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise InvalidInput("lake.empty_file", path=name)
    batch_id = hashlib.sha256(f"{table_ref}:{mode.value}:{digest.hexdigest()}".encode())
    job = create_job(
        session,
        table_ref=table_ref,
        department_code=dept,
        source_kind=SourceKind.FILE,
        source_ref=f"file:{name}",
        batch_id=batch_id.hexdigest()[:64],
        mode=mode,
        created_by=principal.username,
        bytes_total=size,
    )
    final = upload_dir(settings, job.id)
    final.mkdir(parents=True, exist_ok=True)
    shutil.move(str(target), final / name)
    shutil.rmtree(staging, ignore_errors=True)
    audit.record(
        session,
        actor=principal.username,
        role=principal.primary_role,
        action="ingest.submit",
        object_type="table",
        object_id=table_ref,
        detail={"job": job.id, "file": job.source_ref, "bytes": size},
    )
    return job


def job_file(settings: Settings, job: IngestJob) -> Path:
    name = job.source_ref.removeprefix("file:")
    return upload_dir(settings, job.id) / name


def run(*, sessions: sessionmaker[Session], settings: Settings, lake: Lake, job_id: str) -> None:
    with sessions() as s:
        job = get_job(s, job_id=job_id)
        spec = registry.table_spec(s, table_ref=job.table_ref)
        path = job_file(settings, job)
    run_file_job(sessions=sessions, lake=lake, spec=spec, job_id=job_id, path=path)


def prepare_retry(session: Session, *, principal: Principal, job_id: str) -> IngestJob:
    """A failed or interrupted job runs again on its stored file (same batch id: idempotent)."""
    job = get_job(session, job_id=job_id)
    spec = registry.table_spec(session, table_ref=job.table_ref)
    check_table_access(session, principal=principal, spec=spec)
    if job.status not in (JobStatus.FAILED.value, JobStatus.INTERRUPTED.value):
        raise InvalidInput("ingest.not_retryable", state=job.status)
    job.status, job.error_code, job.error_message = JobStatus.QUEUED.value, None, None
    return job
