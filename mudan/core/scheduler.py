"""The one persistent scheduler: APScheduler 3 with its job store on the metadata database.

Domains contribute periodic work through the ``mudan_periodic_jobs`` hook (overdue marks,
reminders, indicator computation, probes …); the ingest domain adds its pull sources. Only
``mudan scheduler run`` starts it — never the web app, whose several workers would each run
every job. A job runs in its own transaction of the process's one ``Runtime``
(``JobContext.runtime``) and is coalesced (a missed run runs once).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import pluggy
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from mudan.core.db import transaction, utcnow
from mudan.core.runtime import Runtime
from mudan.hooks import JobContext, PeriodicJob, collect

JOBSTORE_TABLE = "apscheduler_jobs"
PERIODIC_PREFIX = "periodic:"
log = logging.getLogger(__name__)
_runtime: dict[str, Runtime] = {}


def use_runtime(runtime: Runtime | None) -> None:
    """The runtime the stored callables use: ``mudan scheduler run`` sets its process's one
    before starting (APScheduler keeps callables by reference, so they cannot be handed it)."""
    if runtime is None:
        _runtime.pop("current", None)
    else:
        _runtime["current"] = runtime


def current_runtime() -> Runtime:
    runtime = _runtime.get("current")
    if runtime is None:
        raise RuntimeError(
            "no runtime for scheduled work: the scheduler process sets one with use_runtime()"
        )
    return runtime


def make_scheduler(db_url: str) -> BackgroundScheduler:
    # NullPool: no pooled connection outlives a job-store call (the store wakes up rarely)
    store = SQLAlchemyJobStore(
        url=db_url, tablename=JOBSTORE_TABLE, engine_options={"poolclass": NullPool}
    )
    return BackgroundScheduler(
        jobstores={"default": store},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        timezone="Asia/Shanghai",
    )


def periodic_jobs(pm: pluggy.PluginManager) -> dict[str, PeriodicJob]:
    jobs: list[PeriodicJob] = collect(pm.hook.mudan_periodic_jobs())
    return {j.code: j for j in jobs}


def run_periodic(code: str, *, now: datetime | None = None, runtime: Runtime | None = None) -> str:
    """The scheduled callable (stored by reference): run one periodic job in a transaction of
    the process's runtime (``runtime`` or the one set by ``use_runtime``)."""
    rt = runtime or current_runtime()
    job = periodic_jobs(rt.pm).get(code)
    if job is None:
        return f"{code}: no such job (plugin removed?)"
    with transaction(rt.sessions) as session:
        ctx = JobContext(settings=rt.settings, session=session, now=now or utcnow(), runtime=rt)
        result = job.run(ctx)
    log.info("periodic job %s: %s", code, result)
    return f"{code}: {result}"


def sync_periodic(scheduler: BackgroundScheduler, pm: pluggy.PluginManager) -> list[str]:
    """Add or reschedule every hook-provided job; remove jobs whose plugin is gone."""
    wanted = periodic_jobs(pm)
    changed: list[str] = []
    for code, job in wanted.items():
        job_id = PERIODIC_PREFIX + code
        existing = scheduler.get_job(job_id)
        seconds = int(job.interval / timedelta(seconds=1))
        if existing is None:
            scheduler.add_job(
                run_periodic,
                IntervalTrigger(seconds=seconds),
                args=[code],
                id=job_id,
                name=job.name,
            )
            changed.append(code)
        elif getattr(existing.trigger, "interval", None) != job.interval:
            scheduler.reschedule_job(job_id, trigger=IntervalTrigger(seconds=seconds))
            changed.append(code)
    for existing in scheduler.get_jobs():
        if existing.id.startswith(PERIODIC_PREFIX) and existing.id[len(PERIODIC_PREFIX) :] not in (
            wanted
        ):
            scheduler.remove_job(existing.id)
            changed.append(existing.id)
    return changed


def create_jobstore_table(connection: Connection) -> None:
    """Create the job store's table (if missing) in the caller's transaction (restore)."""
    store = SQLAlchemyJobStore(engine=connection.engine, tablename=JOBSTORE_TABLE)
    store.jobs_t.create(connection, checkfirst=True)
