"""The probe schedule: persistent daily slots that together cover every channel within a day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mudan.core.runtime import Runtime
from mudan.core.scheduler import make_scheduler, use_runtime
from mudan.domains.video.models import VideoChannel
from mudan.domains.video.schedule import (
    JOB_PREFIX,
    REFRESH_JOB,
    bucket_channel_ids,
    run_probe_bucket,
    sync_schedule,
)
from mudan.domains.video.simulator import free_socket
from mudan.settings import Settings
from tests.domains.video.video_fixtures import T0

pytestmark = [
    pytest.mark.filterwarnings("ignore:.*pkg_resources.*:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:.*utcnow.*:DeprecationWarning"),
]
BUCKETS = 24


def test_slots_cover_every_channel_once_a_day(session: Session, settings: Settings) -> None:
    all_ids = set(session.scalars(select(VideoChannel.id)))
    assert len(all_ids) > 100  # the demo world's channels
    first = make_scheduler(settings.database.url)
    first.start(paused=True)
    try:
        rep = sync_schedule(first, buckets=BUCKETS, now=T0)
        assert (rep.added, rep.removed) == (BUCKETS, 0)
        assert sync_schedule(first, buckets=BUCKETS, now=T0).added == 0  # idempotent
    finally:
        first.shutdown(wait=False)

    second = make_scheduler(settings.database.url)  # a restart: the jobs are in the database
    second.start(paused=True)
    try:
        jobs = [j for j in second.get_jobs() if j.id.startswith(JOB_PREFIX)]
        assert len(jobs) == BUCKETS and second.get_job(REFRESH_JOB) is not None
        covered: list[int] = []
        fires = []
        for job in jobs:
            bucket, buckets = job.args
            assert buckets == BUCKETS
            covered += bucket_channel_ids(session, bucket=bucket, buckets=buckets)
            nxt = job.trigger.get_next_fire_time(None, T0)
            assert T0 <= nxt < T0 + timedelta(days=1)  # every slot fires within a day …
            fires.append(nxt)
            again = job.trigger.get_next_fire_time(nxt, nxt + timedelta(seconds=1))
            assert again - nxt == timedelta(days=1)  # … and then daily
        assert sorted(covered) == sorted(all_ids)  # every channel in exactly one slot
        gaps = {b - a for a, b in zip(sorted(fires), sorted(fires)[1:], strict=False)}
        assert gaps == {timedelta(hours=1)}  # staggered evenly
        sizes = [
            len(bucket_channel_ids(session, bucket=k, buckets=BUCKETS)) for k in range(BUCKETS)
        ]
        assert max(sizes) - min(sizes) <= 1 + len(all_ids) // BUCKETS // 5
        sync_schedule(second, buckets=12, now=T0)
        assert len([j for j in second.get_jobs() if j.id.startswith(JOB_PREFIX)]) == 12
    finally:
        second.shutdown(wait=False)


def test_bucket_job_probes_its_slot(session: Session, settings: Settings) -> None:
    """The scheduled callable runs with the scheduler's settings (here every camera of the
    slot points at a closed port: every probe fails, and is recorded)."""
    cfg = settings.model_copy(
        update={"video": settings.video.model_copy(update={"probe_timeout_s": 0.5})}
    )
    rt = Runtime(cfg)
    use_runtime(rt)
    ids = bucket_channel_ids(session, bucket=3, buckets=200)
    sock = free_socket()
    dead = f"http://127.0.0.1:{sock.getsockname()[1]}/snap/x.jpg"
    sock.close()
    session.execute(update(VideoChannel).where(VideoChannel.id.in_(ids)).values(snapshot_url=dead))
    session.commit()
    try:
        assert run_probe_bucket(3, 200) == len(ids) > 0
    finally:
        use_runtime(None)
        rt.close()
    session.expire_all()
    rows = session.scalars(select(VideoChannel).where(VideoChannel.id.in_(ids))).all()
    assert {r.last_probe_result for r in rows} == {"unreachable"}
