"""Uploaded files on disk: none outlives its use.

A file is written under ``uploads/incoming/`` and moved to ``uploads/<job id>/`` when its job
row is created. A failed write removes its staging folder at once; the hourly sweep removes the
rest: staging folders a crash left, folders whose job row was rolled back, files of succeeded
jobs (their rows are in the lake), and files of failed or interrupted jobs once the retry window
(``KEEP_FAILED``) has passed. Queued and running jobs keep theirs.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.db import utcnow
from mudan.domains.ingest.enums import JobStatus
from mudan.domains.ingest.models import IngestJob
from mudan.settings import Settings

GRACE = timedelta(hours=1)  # a folder younger than this may belong to a request in flight
KEEP_FAILED = timedelta(days=7)  # how long a failed job's file stays for a retry


@dataclass(frozen=True)
class SweepResult:
    removed: list[str]


def uploads_root(settings: Settings) -> Path:
    return settings.var_dir / "uploads"


def _age(path: Path) -> timedelta:
    return timedelta(seconds=max(0.0, time.time() - path.stat().st_mtime))


def sweep_uploads(
    session: Session, *, settings: Settings, now: datetime | None = None
) -> SweepResult:
    now = now or utcnow()
    root = uploads_root(settings)
    if not root.is_dir():
        return SweepResult([])
    removed: list[str] = []
    incoming = root / "incoming"
    for folder in sorted(incoming.iterdir()) if incoming.is_dir() else []:
        if _age(folder) > GRACE:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(f"incoming/{folder.name}")
    folders = {p.name: p for p in root.iterdir() if p.is_dir() and p.name != "incoming"}
    jobs = {
        j.id: j for j in session.scalars(select(IngestJob).where(IngestJob.id.in_(list(folders))))
    }
    for name, folder in sorted(folders.items()):
        job = jobs.get(name)
        if job is None:
            gone = _age(folder) > GRACE  # its job row was rolled back
        elif job.status == JobStatus.SUCCEEDED.value:
            gone = True
        elif job.status in (JobStatus.FAILED.value, JobStatus.INTERRUPTED.value):
            finished = job.finished_at
            age = now - finished if finished is not None else _age(folder)
            gone = age > KEEP_FAILED
        else:
            gone = False
        if gone:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(name)
    return SweepResult(removed)
