"""The persistent probe schedule: the day is cut into ``buckets`` slots and channel ``id`` is
probed in slot ``id % buckets``, one APScheduler job per slot firing daily at its offset —
so every channel is probed once a day and the load is spread evenly. A second job refreshes
status, rates and repair hand-off every few minutes. Jobs live in the APScheduler SQLAlchemy
job store on the metadata database (the ingest domain's pattern), so they survive restarts;
``mudan scheduler run`` executes them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.db import transaction, utcnow
from mudan.core.scheduler import current_runtime
from mudan.domains.video.models import VideoChannel
from mudan.domains.video.rates import LOCAL

JOB_PREFIX = "video-probe-"
REFRESH_JOB = "video-refresh"
REFRESH_MINUTES = 10
DAY = timedelta(days=1)


def bucket_channel_ids(session: Session, *, bucket: int, buckets: int) -> list[int]:
    c = VideoChannel
    return list(session.scalars(select(c.id).where(c.id % buckets == bucket).order_by(c.id)))


def slot_start(bucket: int, buckets: int, *, day_start: datetime) -> datetime:
    return day_start + bucket * DAY / buckets


def run_probe_bucket(bucket: int, buckets: int) -> int:
    """The scheduled callable: probe every channel of one slot; returns how many."""
    from mudan.domains.video.service import probe_channels

    rt = current_runtime()
    with rt.sessions() as s:
        ids = bucket_channel_ids(s, bucket=bucket, buckets=buckets)
    return len(probe_channels(rt.sessions, channel_ids=ids, config=rt.settings.video))


def run_refresh() -> None:
    """The scheduled callable: status, rates, repairs and alerts at the current time."""
    from mudan.domains.video.service import refresh

    rt = current_runtime()
    with transaction(rt.sessions) as s:
        refresh(s, at=utcnow(), config=rt.settings.video, pm=rt.pm)


@dataclass(frozen=True)
class ProbeSchedule:
    buckets: int
    added: int
    removed: int


def sync_schedule(scheduler: BaseScheduler, *, buckets: int, now: datetime) -> ProbeSchedule:
    """One daily job per slot (offset ``slot × 24h / buckets`` from local midnight) plus the
    refresh job; slots beyond ``buckets`` are removed. The scheduler must be started."""
    if not 1 <= buckets <= 1440:
        raise ValueError("buckets must be 1-1440")
    midnight = now.astimezone(LOCAL).replace(hour=0, minute=0, second=0, microsecond=0)
    added = 0
    for k in range(buckets):
        job_id = f"{JOB_PREFIX}{k}"
        trigger = IntervalTrigger(days=1, start_date=slot_start(k, buckets, day_start=midnight))
        existing = scheduler.get_job(job_id)
        if existing is None or list(existing.args) != [k, buckets]:
            scheduler.add_job(
                run_probe_bucket,
                trigger,
                args=[k, buckets],
                id=job_id,
                name=f"video probes {k + 1}/{buckets}",
                replace_existing=True,
            )
            added += 1
    removed = 0
    for job in scheduler.get_jobs():
        if job.id.startswith(JOB_PREFIX) and int(job.id.removeprefix(JOB_PREFIX)) >= buckets:
            scheduler.remove_job(job.id)
            removed += 1
    if scheduler.get_job(REFRESH_JOB) is None:
        scheduler.add_job(
            run_refresh,
            IntervalTrigger(minutes=REFRESH_MINUTES),
            id=REFRESH_JOB,
            name="video status and rates",
        )
    return ProbeSchedule(buckets=buckets, added=added, removed=removed)
