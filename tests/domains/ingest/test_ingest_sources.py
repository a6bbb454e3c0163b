"""Database and HTTP pulls into a lake table, against real servers started or created here."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from mudan.core.db import make_engine, make_sessionmaker, transaction
from mudan.core.errors import InvalidInput, MudanError
from mudan.domains.ingest import schedule as src
from mudan.domains.ingest.enums import LoadMode, SourceKind
from mudan.domains.ingest.jobs import get_job
from mudan.domains.ingest.sources import database_reader, http_reader, mask_url
from mudan.kernel.rbac import Principal, Role
from mudan.lake import registry
from mudan.lake.catalog import Lake
from mudan.lake.schema import ColumnSpec, ItemType, TableSpec
from mudan.settings import Settings
from tests.conftest import login_token

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
MARIADB = "mysql+pymysql://root@127.0.0.1:3306/test"
ADMIN = Principal(user_id=1, username="admin", display_name="admin", roles=frozenset({Role.ADMIN}))
SPEC = TableSpec(
    namespace="d371700002",
    name="pull_test",
    columns=(
        ColumnSpec("hphm", ItemType.STRING, "号牌号码"),
        ColumnSpec("djrq", ItemType.DATE, "登记日期"),
        ColumnSpec("pl", ItemType.DECIMAL, "排量"),
        ColumnSpec("seq", ItemType.INTEGER, "序号"),
    ),
)
ROWS = [
    ("鲁R00001", "2024-03-01", "1.6", 1),
    ("鲁R00002", "2024-03-02", "2.0", 2),
    ("鲁R00003", "2024-03-03", "1.5", 3),
]
MORE = [("鲁R00004", "2024-03-04", "1.8", 4), ("鲁R00005", "2024-03-05", "2.5", 5)]


def _pg_source() -> Iterator[str]:
    name = f"mudan_src_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _mariadb_source() -> Iterator[str]:
    pytest.importorskip("pymysql")
    engine = create_engine(MARIADB)
    try:
        with engine.begin() as c:
            c.execute(text("DROP TABLE IF EXISTS cars"))
    except Exception as exc:  # no server here: say so rather than fail
        engine.dispose()
        pytest.skip(f"MariaDB not reachable: {exc}")
    try:
        yield MARIADB
    finally:
        with engine.begin() as c:
            c.execute(text("DROP TABLE IF EXISTS cars"))
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def source_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'source.db'}"
    elif request.param == "postgresql":
        yield from _pg_source()
    else:
        yield from _mariadb_source()


def _insert(url: str, rows: list[tuple[str, str, str, int]]) -> None:
    engine = create_engine(url)
    with engine.begin() as c:
        c.execute(
            text(
                "CREATE TABLE IF NOT EXISTS cars (hphm VARCHAR(20), djrq DATE,"
                " pl DECIMAL(6, 2), seq INTEGER)"
            )
        )
        for r in rows:
            c.execute(
                text("INSERT INTO cars VALUES (:h, :d, :p, :s)"),
                {"h": r[0], "d": r[1], "p": r[2], "s": r[3]},
            )
    engine.dispose()


@pytest.fixture
def lake(settings: Settings) -> Iterator[Lake]:
    lk = Lake(db_url=settings.database.url, warehouse=settings.lake.warehouse)
    yield lk
    lk.close()


def _register(session: Session) -> None:
    registry.register_table(session, spec=SPEC, department_code="371700002")
    session.commit()


def _pull(settings: Settings, lake: Lake, source_id: int) -> str:
    engine = make_engine(settings.database.url)
    sessions = make_sessionmaker(engine)
    with transaction(sessions) as s:
        job_id = src.submit_source_job(s, source_id=source_id, actor="admin").id
    src.run_source_job(sessions=sessions, lake=lake, source_id=source_id, job_id=job_id)
    engine.dispose()
    return job_id


def _lake_rows(lake: Lake) -> list[tuple[object, ...]]:
    table = lake.table(SPEC).scan().to_arrow().sort_by("seq")
    return [(r["hphm"], str(r["djrq"]), str(r["pl"]), r["seq"]) for r in table.to_pylist()]


def test_database_full_then_incremental(
    session: Session, settings: Settings, lake: Lake, source_url: str
) -> None:
    _insert(source_url, ROWS)
    _register(session)
    source = src.create_source(
        session,
        principal=ADMIN,
        data=src.SourceIn(
            table_ref=SPEC.ident,
            kind=SourceKind.DATABASE,
            url=source_url,
            query="SELECT hphm, djrq, pl, seq FROM cars",
            cursor_column="seq",
        ),
    )
    session.commit()
    job = get_job(session, job_id=_pull(settings, lake, source.id))
    session.expire_all()
    assert job.status == "succeeded", job.log
    assert job.rows_written == 3
    assert session.get(type(source), source.id).last_cursor == "3"  # type: ignore[union-attr]
    assert [r[0] for r in _lake_rows(lake)] == ["鲁R00001", "鲁R00002", "鲁R00003"]
    assert _lake_rows(lake)[0][1:] == ("2024-03-01", "1.6000", 1)

    _insert(source_url, MORE)
    job = get_job(session, job_id=_pull(settings, lake, source.id))
    session.expire_all()
    assert job.status == "succeeded", job.log
    assert job.rows_read == 2  # only the new rows
    assert [r[3] for r in _lake_rows(lake)] == [1, 2, 3, 4, 5]
    assert session.get(type(source), source.id).last_cursor == "5"  # type: ignore[union-attr]


def test_unreachable_database_fails_cleanly(
    session: Session, settings: Settings, lake: Lake
) -> None:
    _register(session)
    url = "postgresql+psycopg://mudan:s3cret-pw@127.0.0.1:1/nowhere"
    source = src.create_source(
        session,
        principal=ADMIN,
        data=src.SourceIn(
            table_ref=SPEC.ident, kind=SourceKind.DATABASE, url=url, table_name="cars"
        ),
    )
    session.commit()
    job = get_job(session, job_id=_pull(settings, lake, source.id))
    assert job.status == "failed"
    assert job.error_code == "ingest.source_unreachable"
    assert "s3cret" not in (job.log + (job.error_message or "") + job.source_ref)
    assert "127.0.0.1" in (job.error_message or "")
    assert (
        not lake.catalog.table_exists(SPEC.ident)
        or lake.table(SPEC).scan().to_arrow().num_rows == 0
    )


def test_only_select_queries(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    for bad in ("DELETE FROM cars", "SELECT 1; DROP TABLE cars", "CREATE TABLE x AS SELECT 1"):
        with pytest.raises(InvalidInput) as err:
            database_reader(url, query=bad)
        assert err.value.code == "ingest.bad_query"


def test_mask_url() -> None:
    assert mask_url("postgresql://u:pw@h/db") == "postgresql://u:***@h/db"
    assert mask_url("sqlite:///x.db") == "sqlite:///x.db"


# --- HTTP ---------------------------------------------------------------------------------------

PAGES = {
    1: [{"hphm": "鲁R1", "seq": 1}, {"hphm": "鲁R2", "seq": 2}],
    2: [{"hphm": "鲁R3", "seq": 3}],
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        parsed = urlparse(self.path)
        page = int(parse_qs(parsed.query).get("page", ["1"])[0])
        if parsed.path == "/cars":
            self._send(
                200, "application/json", json.dumps({"result": {"rows": PAGES.get(page, [])}})
            )
        elif parsed.path == "/html":
            self._send(200, "text/html", "<html>maintenance</html>")
        else:
            self._send(500, "text/plain", "boom")

    def _send(self, status: int, ctype: str, body: str) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def api() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_http_paging(api: str) -> None:
    reader = http_reader(f"{api}/cars", records_path="result.rows", page_param="page")
    assert reader.columns == ["hphm", "seq"]
    rows = [r for b in reader for r in b.to_pylist()]
    assert rows == [
        {"hphm": "鲁R1", "seq": "1"},
        {"hphm": "鲁R2", "seq": "2"},
        {"hphm": "鲁R3", "seq": "3"},
    ]


def test_http_errors(api: str) -> None:
    with pytest.raises(MudanError) as err:
        http_reader(f"{api}/html")
    assert err.value.code == "ingest.bad_response"
    with pytest.raises(MudanError) as err:
        http_reader(f"{api}/fail")
    assert err.value.code == "ingest.source_unreachable"


def test_http_source_loads(session: Session, settings: Settings, lake: Lake, api: str) -> None:
    _register(session)
    source = src.create_source(
        session,
        principal=ADMIN,
        data=src.SourceIn(
            table_ref=SPEC.ident,
            kind=SourceKind.HTTP,
            url=f"{api}/cars",
            http_params={"records_path": "result.rows", "page_param": "page"},
        ),
    )
    session.commit()
    job = get_job(session, job_id=_pull(settings, lake, source.id))
    assert job.status == "succeeded", job.log
    assert job.rows_written == 3


def test_sources_api(
    client: TestClient, admin_headers: dict[str, str], settings: Settings, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'api.db'}"
    _insert(url, ROWS)
    engine = make_engine(settings.database.url)
    with transaction(make_sessionmaker(engine)) as s:
        registry.register_table(s, spec=SPEC, department_code="371700002")
    engine.dispose()
    body = {"table_ref": SPEC.ident, "kind": "database", "url": url, "table_name": "cars"}
    bad = client.post(
        "/api/v1/ingest/sources",
        headers=admin_headers,
        json=body | {"url": "postgresql://u:topsecret@127.0.0.1:1/x", "query": "SELECT 1"},
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "ingest.query_or_table"
    r = client.post(
        "/api/v1/ingest/sources",
        headers=admin_headers,
        json=body | {"url": "postgresql://u:topsecret@127.0.0.1:1/x"},
    )
    assert r.status_code == 201, r.text
    assert "topsecret" not in r.text and "***" in r.json()["url"]
    sid = r.json()["id"]
    r = client.put(f"/api/v1/ingest/sources/{sid}", headers=admin_headers, json=body)
    assert r.status_code == 200, r.text
    r = client.post(f"/api/v1/ingest/sources/{sid}/run", headers=admin_headers)
    assert r.status_code == 202, r.text
    job = client.get(f"/api/v1/ingest/jobs/{r.json()['id']}", headers=admin_headers).json()
    assert job["status"] == "succeeded", job["log"]
    assert job["rows_written"] == 3
    listed = client.get("/api/v1/ingest/sources", headers=admin_headers).json()
    assert [s["last_job_id"] for s in listed] == [job["id"]]
    other = {"Authorization": f"Bearer {login_token(client, 'mudanqu')}"}
    assert client.post(f"/api/v1/ingest/sources/{sid}/run", headers=other).status_code == 403
    assert client.delete(f"/api/v1/ingest/sources/{sid}", headers=admin_headers).status_code == 204
    assert client.get(f"/api/v1/ingest/sources/{sid}", headers=admin_headers).status_code == 404


def test_full_pull_replaces_instead_of_duplicating(
    session: Session, settings: Settings, lake: Lake, source_url: str
) -> None:
    _insert(source_url, ROWS)
    _register(session)
    with pytest.raises(InvalidInput) as err:
        src.create_source(
            session,
            principal=ADMIN,
            data=src.SourceIn(
                table_ref=SPEC.ident,
                kind=SourceKind.DATABASE,
                url=source_url,
                table_name="cars",
                mode=LoadMode.APPEND,
            ),
        )
    assert err.value.code == "ingest.full_pull_append"
    source = src.create_source(
        session,
        principal=ADMIN,
        data=src.SourceIn(
            table_ref=SPEC.ident, kind=SourceKind.DATABASE, url=source_url, table_name="cars"
        ),
    )
    session.commit()
    assert source.mode == "replace"
    for expected in ([1, 2, 3], [1, 2, 3]):
        job = get_job(session, job_id=_pull(settings, lake, source.id))
        assert job.status == "succeeded", job.log
        assert [r[3] for r in _lake_rows(lake)] == expected
    _insert(source_url, MORE)
    get_job(session, job_id=_pull(settings, lake, source.id))
    assert [r[3] for r in _lake_rows(lake)] == [1, 2, 3, 4, 5]
    assert len(lake.snapshots(SPEC)) == 3  # each pull one snapshot; history stays queryable


def test_sources_page_adds_and_runs_a_source(
    client: TestClient, settings: Settings, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'page.db'}"
    _insert(url, ROWS)
    engine = make_engine(settings.database.url)
    with transaction(make_sessionmaker(engine)) as s:
        registry.register_table(s, spec=SPEC, department_code="371700002")
    engine.dispose()
    h = {"Authorization": f"Bearer {login_token(client, 'gaj')}"}
    form = {"name": "车辆库", "table_ref": SPEC.ident, "kind": "database", "url": url}
    bad = client.post(
        "/ingest/sources", headers=h, data=form | {"table_name": "cars", "query": "SELECT 1"}
    )
    assert bad.status_code == 422 and "车辆库" in bad.text  # the form keeps what was typed
    bad = client.post(
        "/ingest/sources", headers=h, data=form | {"table_name": "cars", "http_params": "{oops"}
    )
    assert bad.status_code == 422 and "JSON" in bad.text
    r = client.post(
        "/ingest/sources", headers=h, data=form | {"table_name": "cars"}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    page = client.get("/ingest/sources", headers=h)
    assert page.status_code == 200 and "车辆库" in page.text and "全量覆盖" in page.text
    sid = client.get("/api/v1/ingest/sources", headers=h).json()[0]["id"]
    run = client.post(f"/ingest/sources/{sid}/run", headers=h, follow_redirects=False)
    assert run.status_code == 303 and run.headers["location"].startswith("/ingest/jobs/")
    job_id = run.headers["location"].rsplit("/", 1)[1]
    job = client.get(f"/api/v1/ingest/jobs/{job_id}", headers=h).json()
    assert job["status"] == "succeeded" and job["rows_written"] == 3, job["log"]
    other = {"Authorization": f"Bearer {login_token(client, 'zhiban')}"}
    assert client.get("/ingest/sources", headers=other).status_code == 403
