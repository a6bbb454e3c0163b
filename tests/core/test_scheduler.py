"""Periodic jobs from the hooks land in the persistent scheduler and run in a transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.core import scheduler as core_scheduler
from mudan.core.runtime import Runtime
from mudan.domains.quality.models import CorrectionTicket
from mudan.settings import Settings

pytestmark = [
    pytest.mark.filterwarnings("ignore:.*pkg_resources.*:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:.*utcnow.*:DeprecationWarning"),
]


def _count(session: Session, *statuses: str) -> int:
    q = select(func.count()).where(CorrectionTicket.status.in_(statuses))
    return int(session.scalar(q.select_from(CorrectionTicket)) or 0)


def test_periodic_jobs_are_scheduled_once(settings: Settings, runtime: Runtime) -> None:
    sched = core_scheduler.make_scheduler(settings.database.url)
    sched.start(paused=True)
    try:
        assert "quality.mark_overdue" in core_scheduler.sync_periodic(sched, runtime.pm)
        assert core_scheduler.sync_periodic(sched, runtime.pm) == []
        job = sched.get_job("periodic:quality.mark_overdue")
        assert job is not None and job.trigger.interval == timedelta(minutes=30)
    finally:
        sched.shutdown(wait=False)


def test_overdue_tickets_are_marked_by_the_job(runtime: Runtime, session: Session) -> None:
    open_before = _count(session, "open", "fixing")
    overdue_before = _count(session, "overdue")
    assert open_before > 0, "the demo world raises correction tickets"
    far = datetime(2100, 1, 1, tzinfo=UTC)
    assert core_scheduler.run_periodic("quality.mark_overdue", now=far) == (
        f"quality.mark_overdue: {open_before}"
    )
    session.expire_all()
    assert _count(session, "open", "fixing") == 0
    assert _count(session, "overdue") == overdue_before + open_before
    assert "no such job" in core_scheduler.run_periodic("nope.job")
