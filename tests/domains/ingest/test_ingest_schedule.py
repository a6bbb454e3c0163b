"""The pull scheduler keeps its jobs in the metadata database: they survive a restart."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from mudan.core import scheduler as core_scheduler
from mudan.core.runtime import Runtime
from mudan.domains.catalog.enums import UpdateCycle
from mudan.domains.ingest import schedule as src
from mudan.domains.ingest.enums import SourceKind
from mudan.domains.ingest.jobs import get_job
from mudan.domains.ingest.source_models import IngestSource
from mudan.kernel.rbac import Principal, Role
from mudan.lake import registry
from mudan.lake.schema import ColumnSpec, ItemType, TableSpec
from mudan.settings import Settings

pytestmark = [
    pytest.mark.filterwarnings("ignore:.*pkg_resources.*:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:.*utcnow.*:DeprecationWarning"),
]
ADMIN = Principal(user_id=1, username="admin", display_name="admin", roles=frozenset({Role.ADMIN}))
SPEC = TableSpec(
    namespace="d371700001",
    name="sched_test",
    columns=(ColumnSpec("name", ItemType.STRING, "名称"), ColumnSpec("n", ItemType.INTEGER, "数")),
)


def _source(session: Session, tmp_path: Path) -> IngestSource:
    url = f"sqlite:///{tmp_path / 'src.db'}"
    engine = create_engine(url)
    with engine.begin() as c:
        c.execute(text("CREATE TABLE things (name TEXT, n INTEGER)"))
        c.execute(text("INSERT INTO things VALUES ('甲', 1), ('乙', 2)"))
    engine.dispose()
    registry.register_table(session, spec=SPEC, department_code="371700001")
    source = src.create_source(
        session,
        principal=ADMIN,
        data=src.SourceIn(
            table_ref=SPEC.ident,
            kind=SourceKind.DATABASE,
            url=url,
            table_name="things",
            update_cycle=UpdateCycle.DAILY,
        ),
    )
    session.commit()
    return source


def test_schedule_survives_restart(session: Session, settings: Settings, tmp_path: Path) -> None:
    source = _source(session, tmp_path)
    job_key = f"{src.JOB_PREFIX}{source.id}"
    first = core_scheduler.make_scheduler(settings.database.url)
    first.start(paused=True)
    try:
        report = src.sync_schedule(first, session)
        session.commit()
        assert report.added == [source.id]
        planned = first.get_job(job_key).next_run_time
        assert planned is not None
        assert src.sync_schedule(first, session).added == []  # idempotent
        session.commit()  # (SQLite: the job store writes through its own connection)
    finally:
        first.shutdown(wait=False)

    second = core_scheduler.make_scheduler(
        settings.database.url
    )  # a new process on the same database
    second.start(paused=True)
    try:
        job = second.get_job(job_key)
        assert job is not None
        assert job.next_run_time == planned
        assert job.func is src.run_source and job.args == (source.id,)
        assert session.get(IngestSource, source.id).next_run_at is not None  # type: ignore[union-attr]

        source.update_cycle = UpdateCycle.WEEKLY.value
        assert src.sync_schedule(second, session).updated == [source.id]
        session.commit()
        source.enabled = False
        assert src.sync_schedule(second, session).removed == [source.id]
        assert second.get_job(job_key) is None
        session.commit()
    finally:
        second.shutdown(wait=False)


def test_scheduled_function_loads(session: Session, runtime: Runtime, tmp_path: Path) -> None:
    source = _source(session, tmp_path)
    job_id = src.run_source(source.id)
    session.expire_all()
    job = get_job(session, job_id=job_id)
    assert job.status == "succeeded", job.log
    assert job.rows_written == 2
    assert session.get(IngestSource, source.id).last_job_id == job_id  # type: ignore[union-attr]
