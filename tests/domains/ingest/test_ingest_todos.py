"""Failed loads on the workbench: an officer counts its department's failures that no later
load of the same table has fixed, the bureau every department's — the job list's own count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from mudan.domains.ingest import jobs
from mudan.domains.ingest.enums import JobStatus, LoadMode, SourceKind
from tests.workbench import bearer, todos_of


def _job(session: Session, table: str, status: JobStatus, minutes_ago: int) -> None:
    job = jobs.create_job(
        session,
        table_ref=table,
        department_code=table.split(".")[0].removeprefix("d"),
        source_kind=SourceKind.FILE,
        source_ref="x.csv",
        batch_id=f"b-{table}-{minutes_ago}",
        mode=LoadMode.APPEND,
        created_by="t",
    )
    job.status = status.value
    job.created_at = datetime.now(UTC) - timedelta(minutes=minutes_ago)


def test_failed_load_todos_match_the_job_list(client: TestClient, session: Session) -> None:
    _job(session, "d371700002.people", JobStatus.FAILED, 30)  # still broken
    _job(session, "d371700002.cars", JobStatus.FAILED, 60)  # fixed by the next load
    _job(session, "d371700002.cars", JobStatus.SUCCEEDED, 20)
    _job(session, "d371700002.cars", JobStatus.INTERRUPTED, 90)  # older than the fix
    _job(session, "d371700004.air", JobStatus.INTERRUPTED, 10)  # another department's
    session.commit()
    for user, count in (("gaj", 1), ("dsj", 2)):
        todo = todos_of(client, user)["ingest.failed"]
        listed = client.get("/api/v1/ingest/jobs?failed=true", headers=bearer(client, user))
        assert todo["count"] == len(listed.json()) == count
        page = client.get(todo["href"], headers=bearer(client, user)).text
        assert page.count('<a href="/ingest/jobs/') == count
    assert "ingest.failed" not in todos_of(client, "kaohe")  # reads jobs, runs none
