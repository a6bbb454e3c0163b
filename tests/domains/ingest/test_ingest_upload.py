"""Upload → quality → lake, end to end through the API, on a real Iceberg warehouse."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from mudan.app import create_app
from mudan.core.ids import gen_citizen_id
from mudan.lake import registry
from mudan.lake.catalog import Lake
from mudan.lake.schema import ColumnSpec, ItemType, TableSpec
from mudan.settings import Settings
from tests.conftest import login_token

PLUGINS = ["mudan.domains.quality.plugin", "mudan.domains.ingest.plugin"]
SPEC = TableSpec(
    namespace="d371700002",
    name="population",
    columns=(
        ColumnSpec("sfzh", ItemType.STRING, "身份证号", nullable=False),
        ColumnSpec("xm", ItemType.STRING, "姓名"),
        ColumnSpec("csrq", ItemType.DATE, "出生日期"),
        ColumnSpec("nl", ItemType.INTEGER, "年龄"),
    ),
    key=("sfzh",),
)


@pytest.fixture
def app_client(settings: Settings, session: Session) -> Iterator[TestClient]:
    registry.register_table(session, spec=SPEC, department_code="371700002")
    session.commit()
    cfg = settings.model_copy(update={"plugins": PLUGINS})
    with TestClient(create_app(cfg)) as c:
        yield c


def _csv(rows: int, bad: int, encoding: str = "gbk") -> bytes:
    rng = random.Random(7)
    lines = ["身份证号,姓名,出生日期,年龄,备注"]
    for i in range(rows):
        sfzh = gen_citizen_id(rng, "371702", date(1990, 1, 1), "M")
        age = "不详" if i < bad else str(30 + i % 40)  # planted type faults
        lines.append(f"{sfzh},张{i}号,1990-01-01,{age},菏泽")
    return ("\n".join(lines) + "\n").encode(encoding)


def _upload(c: TestClient, h: dict[str, str], data: bytes, name: str = "人口.csv") -> dict:  # type: ignore[type-arg]
    r = c.post(
        "/api/v1/ingest/uploads",
        headers=h,
        data={"table_ref": SPEC.ident},
        files={"file": (name, data, "text/csv")},
    )
    assert r.status_code == 202, r.text
    job = c.get(f"/api/v1/ingest/jobs/{r.json()['id']}", headers=h).json()
    return job  # type: ignore[no-any-return]


def test_gbk_upload_loads_good_rows_and_quarantines_bad(
    app_client: TestClient, settings: Settings
) -> None:
    h = {"Authorization": f"Bearer {login_token(app_client, 'gaj')}"}  # 公安局 data officer
    job = _upload(app_client, h, _csv(50, 3))
    assert job["status"] == "succeeded", job
    assert (job["rows_read"], job["rows_written"], job["rows_quarantined"]) == (50, 47, 3)
    assert "gb" in job["log"].lower()  # the detected encoding is in the department's log
    assert "备注" in job["log"]  # the extra column is reported
    with Lake(db_url=settings.database.url, warehouse=settings.lake.warehouse) as lake:
        assert lake.row_count(SPEC.ident) == 47
    q = app_client.get(
        "/api/v1/quality/quarantine", headers=h, params={"table_ref": SPEC.ident}
    ).json()
    items = q["items"] if isinstance(q, dict) else q
    assert len(items) == 3
    graph = app_client.get(
        "/api/v1/lineage", headers=h, params={"kind": "table", "ref": SPEC.ident}
    ).json()
    kinds = {n["kind"] for n in graph["nodes"]}
    assert kinds == {"source", "job", "table"}
    admin = {"Authorization": f"Bearer {login_token(app_client, 'admin')}"}
    actions = {a["action"] for a in app_client.get("/api/v1/audit", headers=admin).json()}
    assert {"ingest.submit", "ingest.load"} <= actions


def test_same_file_twice_adds_nothing(app_client: TestClient, settings: Settings) -> None:
    h = {"Authorization": f"Bearer {login_token(app_client, 'gaj')}"}
    data = _csv(20, 0, "utf-8")
    first = _upload(app_client, h, data)
    second = _upload(app_client, h, data)
    assert first["status"] == second["status"] == "succeeded"
    assert "不重复写入" in second["log"]
    with Lake(db_url=settings.database.url, warehouse=settings.lake.warehouse) as lake:
        assert lake.row_count(SPEC.ident) == 20


def test_broken_file_fails_job_and_leaves_table(app_client: TestClient, settings: Settings) -> None:
    h = {"Authorization": f"Bearer {login_token(app_client, 'gaj')}"}
    assert _upload(app_client, h, _csv(10, 0, "utf-8"))["status"] == "succeeded"
    broken = _csv(10, 0, "utf-8")[:-40] + b'"unterminated,\xff\xfe'
    job = _upload(app_client, h, broken, "broken.csv")
    assert job["status"] == "failed" and job["error_code"].startswith("lake.")
    assert job["error_message"]
    with Lake(db_url=settings.database.url, warehouse=settings.lake.warehouse) as lake:
        assert lake.row_count(SPEC.ident) == 10


def test_other_department_and_bad_names_are_refused(app_client: TestClient) -> None:
    h = {"Authorization": f"Bearer {login_token(app_client, 'dsj')}"}  # bureau: allowed
    assert _upload(app_client, h, _csv(2, 0))["status"] == "succeeded"
    other = {"Authorization": f"Bearer {login_token(app_client, 'mudanqu')}"}  # no ingest.run
    r = app_client.post(
        "/api/v1/ingest/uploads",
        headers=other,
        data={"table_ref": SPEC.ident},
        files={"file": ("a.csv", b"x", "text/csv")},
    )
    assert r.status_code == 403
    gaj = {"Authorization": f"Bearer {login_token(app_client, 'gaj')}"}
    r = app_client.post(
        "/api/v1/ingest/uploads",
        headers=gaj,
        data={"table_ref": SPEC.ident},
        files={"file": ("../../etc/passwd.csv", b"a,b\n1,2\n", "text/csv")},
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "lake.bad_filename"
    r = app_client.post(
        "/api/v1/ingest/uploads",
        headers=gaj,
        data={"table_ref": SPEC.ident},
        files={"file": ("empty.csv", b"", "text/csv")},
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "lake.empty_file"


def test_jobs_left_running_by_a_dead_process_become_retryable(
    app_client: TestClient, session: Session
) -> None:
    from mudan.domains.ingest.jobs import mark_interrupted
    from mudan.domains.ingest.models import IngestJob

    h = {"Authorization": f"Bearer {login_token(app_client, 'gaj')}"}
    job = _upload(app_client, h, _csv(5, 0, "utf-8"))
    session.get(IngestJob, job["id"]).status = "running"  # type: ignore[union-attr]
    session.commit()
    assert mark_interrupted(session) == 1  # what `mudan serve` does at start-up
    session.commit()
    r = app_client.post(f"/api/v1/ingest/jobs/{job['id']}/retry", headers=h)
    assert r.status_code == 202
    again = app_client.get(f"/api/v1/ingest/jobs/{job['id']}", headers=h).json()
    assert again["status"] == "succeeded" and "不重复写入" in again["log"]
