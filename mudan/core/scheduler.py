"""The one persistent scheduler: APScheduler 3 with its job store on the metadata database.

Domains contribute periodic work through the ``mudan_periodic_jobs`` hook (overdue marks,
reminders, indicator computation, probes …); the ingest domain adds its pull sources. Only
``mudan scheduler run`` starts it — never the web app, whose several workers would each run
every job. A job runs in its own transaction and is coalesced (a missed run runs once).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from mudan.core.db import make_engine, make_sessionmaker, transaction, utcnow
from mudan.hooks import JobContext, PeriodicJob, collect, make_plugin_manager
from mudan.settings import Settings

JOBSTORE_TABLE = "apscheduler_jobs"
PERIODIC_PREFIX = "periodic:"
log = logging.getLogger(__name__)
_settings: dict[str, Settings] = {}


def use_settings(settings: Settings) -> None:
    """The settings scheduled callables use (the scheduler process sets them before starting)."""
    _settings["current"] = settings


def current_settings() -> Settings:
    return _settings.get("current") or Settings()


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


def periodic_jobs(settings: Settings) -> dict[str, PeriodicJob]:
    pm = make_plugin_manager(settings.plugins_disabled, settings.plugins)
    jobs: list[PeriodicJob] = collect(pm.hook.mudan_periodic_jobs())
    return {j.code: j for j in jobs}


def run_periodic(code: str, *, now: datetime | None = None) -> str:
    """The scheduled callable (stored by reference): run one periodic job in a transaction."""
    settings = current_settings()
    job = periodic_jobs(settings).get(code)
    if job is None:
        return f"{code}: no such job (plugin removed?)"
    engine = make_engine(settings.database.url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            result = job.run(JobContext(settings=settings, session=session, now=now or utcnow()))
    finally:
        engine.dispose()
    log.info("periodic job %s: %s", code, result)
    return f"{code}: {result}"


def sync_periodic(scheduler: BackgroundScheduler, settings: Settings) -> list[str]:
    """Add or reschedule every hook-provided job; remove jobs whose plugin is gone."""
    wanted = periodic_jobs(settings)
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
