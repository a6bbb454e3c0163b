"""Run one file load: read → cast and check (quality) → lake (one atomic snapshot) → record.

Bookkeeping commits in its own short transactions so a department sees progress and the log
while the load runs; the load itself is a ``core.uow`` lake step (mark running → lake →
record the outcome, or the failure). The lake commits a single snapshot at the very end, so
a failure or a killed process leaves the table at its previous snapshot; the same file again
is a no-op (the batch id is the file's SHA-256 plus the table).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyarrow as pa
from sqlalchemy.orm import Session, sessionmaker

from mudan.core import audit
from mudan.core.db import transaction, utcnow
from mudan.core.errors import MudanError
from mudan.core.i18n import t
from mudan.core.uow import lake_step_or_record
from mudan.domains.ingest import lineage
from mudan.domains.ingest.enums import JobStatus, LoadMode
from mudan.domains.ingest.jobs import get_job, log
from mudan.domains.quality import service as quality
from mudan.domains.quality import tickets as quality_tickets
from mudan.domains.quality.engine import Evaluation, evaluate
from mudan.lake import registry
from mudan.lake.catalog import Lake
from mudan.lake.headers import map_headers
from mudan.lake.pipeline import map_ordered
from mudan.lake.readers import SourceReader, open_source
from mudan.lake.results import LoadResult
from mudan.lake.schema import TableSpec

logger = logging.getLogger("mudan.ingest")
PROGRESS_EVERY_ROWS = 200_000


@dataclass
class _Tally:
    rows: int = 0
    written: int = 0
    evaluations: list[Evaluation] = field(default_factory=list)

    @property
    def bad_rows(self) -> int:
        return sum(e.bad_rows for e in self.evaluations)


def run_file_job(
    *,
    sessions: sessionmaker[Session],
    lake: Lake,
    spec: TableSpec,
    job_id: str,
    path: Path,
    today: date | None = None,
) -> None:
    """Never raises for bad input: the job ends ``failed`` with a code and a readable reason."""
    run_reader_job(
        sessions=sessions,
        lake=lake,
        spec=spec,
        job_id=job_id,
        open_reader=lambda: open_source(path, spec=spec),
        today=today,
    )


def run_reader_job(
    *,
    sessions: sessionmaker[Session],
    lake: Lake,
    spec: TableSpec,
    job_id: str,
    open_reader: Callable[[], SourceReader],
    today: date | None = None,
    on_success: Callable[[Session, SourceReader], None] | None = None,
) -> None:
    """Run a job on any reader (a file, a database or HTTP pull). ``on_success`` runs in the
    transaction that marks the job succeeded, after the lake snapshot committed (a pull records
    its new cursor there). Never raises for bad input."""
    tally = _Tally()

    def prepare(s: Session) -> tuple[LoadMode, str]:
        job = get_job(s, job_id=job_id)
        job.status, job.started_at = JobStatus.RUNNING.value, utcnow()
        log(job, t("ingest.log.start", source=job.source_ref, table=spec.ident))
        return LoadMode(job.mode), job.batch_id

    def work(intent: tuple[LoadMode, str]) -> tuple[SourceReader, LoadResult]:
        mode, batch_id = intent
        reader = open_reader()
        return reader, _load(sessions, lake, spec, job_id, reader, mode, batch_id, tally, today)

    def failed(s: Session, exc: Exception) -> None:
        if isinstance(exc, MudanError):
            _fail(s, job_id, exc.code, exc.message())
        else:  # an unexpected fault must still end the job, with its reason
            logger.exception("load failed", extra={"fields": {"job": job_id}})
            _fail(s, job_id, "ingest.failed", f"{type(exc).__name__}: {exc}")

    def finish(s: Session, done: tuple[SourceReader, LoadResult]) -> None:
        reader, result = done
        job = get_job(s, job_id=job_id)
        if result.skipped:
            log(job, t("ingest.log.skipped", snapshot=result.snapshot_id))
        else:
            for ev in tally.evaluations:
                quality.record_evaluation(
                    s,
                    table_ref=spec.ident,
                    job_id=job_id,
                    department_code=job.department_code,
                    evaluation=ev,
                    total_rows=tally.rows,
                )
            if tally.bad_rows == 0:
                quality_tickets.close_tickets_if_clean(s, table_ref=spec.ident, job_id=job_id)
            quality.record_success(s, table_ref=spec.ident)
            lineage.record_load(s, source=job.source_ref, job_id=job_id, table_ref=spec.ident)
        job.rows_read, job.rows_quarantined = tally.rows, tally.bad_rows
        job.rows_written = result.rows_written
        job.snapshot_id = str(result.snapshot_id) if result.snapshot_id is not None else None
        job.status, job.finished_at = JobStatus.SUCCEEDED.value, utcnow()
        if on_success is not None:
            on_success(s, reader)
        log(
            job,
            t(
                "ingest.log.done",
                read=tally.rows,
                written=result.rows_written,
                bad=tally.bad_rows,
                snapshot=job.snapshot_id or "-",
            ),
        )
        audit.record(
            s,
            actor=job.created_by,
            role="job",
            action="ingest.load",
            object_type="table",
            object_id=spec.ident,
            detail={
                "job": job_id,
                "rows": result.rows_written,
                "quarantined": tally.bad_rows,
                "skipped": result.skipped,
            },
        )

    lake_step_or_record(sessions, prepare=prepare, work=work, finish=finish, failed=failed)


def _load(
    sessions: sessionmaker[Session],
    lake: Lake,
    spec: TableSpec,
    job_id: str,
    reader: SourceReader,
    mode: LoadMode,
    batch_id: str,
    tally: _Tally,
    today: date | None,
) -> LoadResult:
    headers = map_headers(reader.columns, spec)
    with transaction(sessions) as s:
        job = get_job(s, job_id=job_id)
        if reader.encoding:
            log(job, t("ingest.log.encoding", encoding=reader.encoding))
        if headers.extra:
            log(job, t("ingest.log.extra", columns="、".join(headers.extra)))
        if headers.missing:
            log(job, t("ingest.log.missing", columns="、".join(headers.missing)))
        registry.register_table(s, spec=spec, department_code=job.department_code)
        rules = quality.load_rules(s, table_ref=spec.ident)
        context = quality.rule_context(s, today=today or date.today())
    report = lake.ensure_table(spec)
    if report.changed:
        _log(sessions, job_id, t("ingest.log.schema", report=str(report)))

    def numbered() -> Iterator[tuple[pa.RecordBatch, int]]:
        offset = 0
        for raw in reader:
            yield raw.rename_columns(headers.rename(raw.schema.names)), offset
            offset += raw.num_rows

    def check(item: tuple[pa.RecordBatch, int]) -> Evaluation:
        batch, offset = item
        return evaluate(batch, spec, rules, row_offset=offset, context=context)

    def batches() -> Iterator[pa.RecordBatch]:
        next_progress = PROGRESS_EVERY_ROWS
        # consecutive batches are checked on worker threads while the lake writes (in order)
        for ev in map_ordered(check, numbered()):
            tally.rows += ev.rows
            if ev.bad or ev.warnings:
                tally.evaluations.append(
                    Evaluation(
                        good=ev.good.slice(0, 0),
                        bad=ev.bad,
                        warnings=ev.warnings,
                        counters=ev.counters,
                        rows=ev.rows,
                    )
                )
            if tally.rows >= next_progress:
                next_progress += PROGRESS_EVERY_ROWS
                _progress(sessions, job_id, tally.rows)
            yield ev.good

    return lake.load(spec, batches(), batch_id=batch_id, mode=mode.value)


def _progress(sessions: sessionmaker[Session], job_id: str, rows: int) -> None:
    with transaction(sessions) as s:
        job = get_job(s, job_id=job_id)
        job.rows_read = rows


def _log(sessions: sessionmaker[Session], job_id: str, line: str) -> None:
    with transaction(sessions) as s:
        log(get_job(s, job_id=job_id), line)


def _fail(s: Session, job_id: str, code: str, message: str) -> None:
    job = get_job(s, job_id=job_id)
    job.status, job.finished_at = JobStatus.FAILED.value, utcnow()
    job.error_code, job.error_message = code, message[:2000]
    log(job, t("ingest.log.failed", code=code, message=message[:500]))
