"""Test fixtures: a fresh database per test (SQLite file or PostgreSQL database), a temp lake.

Set ``MUDAN_TEST_DATABASE_URL`` to a PostgreSQL server URL (any database on it) to run the
whole suite on PostgreSQL; each test gets its own database cloned from a migrated template.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from mudan.app import create_app
from mudan.core.db import make_engine, make_sessionmaker, transaction
from mudan.core.migrate import upgrade
from mudan.core.progress import NullReporter
from mudan.core.runtime import Runtime
from mudan.core.scheduler import use_runtime
from mudan.demo.context import DemoContext
from mudan.hooks import make_plugin_manager
from mudan.settings import Settings

PG_URL = os.environ.get("MUDAN_TEST_DATABASE_URL", "")
DEMO_SEED = 3717
DEMO_SCALE = 0.01


def _settings(url: str, root: Path) -> Settings:
    return Settings(
        database={"url": url},  # type: ignore[arg-type]
        lake={"warehouse": root / "lake"},  # type: ignore[arg-type]
        var_dir=root,
        log_json=False,
        auth={"min_password_length": 10},  # type: ignore[arg-type]
    )


def _build_world(url: str, root: Path) -> None:
    with Runtime(_settings(url, root), pm=make_plugin_manager()) as rt:
        with transaction(rt.sessions) as session:
            ctx = DemoContext(
                session=session,
                runtime=rt,
                seed=DEMO_SEED,
                scale=DEMO_SCALE,
                progress=NullReporter(),
            )
            rt.pm.hook.mudan_demo(ctx=ctx)
        for step in ctx.after_commit:  # the demo's loads into the lake
            step()


class DatabaseFactory:
    """Hands out fresh databases: empty (migrated) or with the demo world."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.templates: dict[str, str] = {}
        self.created: list[str] = []
        self.worker = os.environ.get("PYTEST_XDIST_WORKER", "gw")

    def _pg_url(self, name: str) -> str:
        return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)

    def template(self, kind: str) -> str:
        if kind in self.templates:
            return self.templates[kind]
        if PG_URL:
            name = f"mudan_tpl_{kind}_{self.worker}_{uuid.uuid4().hex[:6]}"
            self._exec(f'CREATE DATABASE "{name}"')
            self.created.append(name)
            url = self._pg_url(name)
        else:
            url = f"sqlite:///{self.root / f'template_{kind}.db'}"
        upgrade(url)
        if kind == "world":
            _build_world(url, self.root)
        self.templates[kind] = name if PG_URL else url
        return self.templates[kind]

    def adopt(self, kind: str, url: str) -> None:
        """Use a database made by ``fresh`` (and changed since) as the template of ``kind``."""
        self.templates[kind] = (make_url(url).database or "") if PG_URL else url

    def fresh(self, kind: str) -> str:
        tpl = self.template(kind)
        if PG_URL:
            name = f"mudan_t_{self.worker}_{uuid.uuid4().hex[:10]}"
            self._exec(f'CREATE DATABASE "{name}" TEMPLATE "{tpl}"')
            self.created.append(name)
            return self._pg_url(name)
        src = Path(make_url(tpl).database or "")
        dst = self.root / f"t_{uuid.uuid4().hex[:10]}.db"
        shutil.copyfile(src, dst)
        return f"sqlite:///{dst}"

    def _exec(self, sql: str) -> None:
        engine = create_engine(make_url(PG_URL), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(sql))
        engine.dispose()

    def drop(self, url: str) -> None:
        if PG_URL:
            name = make_url(url).database
            self._exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self.created.remove(name or "")

    def close(self) -> None:
        for name in reversed(self.created):
            self._exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def dbs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(tmp_path_factory.mktemp("dbs"))
    yield factory
    factory.close()


def _db(dbs: DatabaseFactory, kind: str) -> Iterator[str]:
    url = dbs.fresh(kind)
    yield url
    dbs.drop(url)


@pytest.fixture
def db_url(dbs: DatabaseFactory) -> Iterator[str]:
    """A migrated database with the tiny demo world (scale 0.01, seed 3717)."""
    yield from _db(dbs, "world")


@pytest.fixture
def empty_db_url(dbs: DatabaseFactory) -> Iterator[str]:
    yield from _db(dbs, "empty")


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return _settings(db_url, tmp_path)


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    """The test's runtime, also the one the scheduler's stored callables use."""
    with Runtime(settings) as rt:
        use_runtime(rt)
        try:
            yield rt
        finally:
            use_runtime(None)


@pytest.fixture
def session(settings: Settings) -> Iterator[Session]:
    engine = make_engine(settings.database.url)
    with make_sessionmaker(engine)() as s:
        yield s
    engine.dispose()


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


def login_token(client: TestClient, username: str, password: str | None = None) -> str:
    from mudan.domains.org.demo import DEMO_PASSWORD

    r = client.post(
        "/api/v1/auth/tokens", json={"username": username, "password": password or DEMO_PASSWORD}
    )
    assert r.status_code == 201, r.text
    token: str = r.json()["token"]
    return token


@pytest.fixture
def admin_headers(client: TestClient) -> dict[str, str]:
    return {"Authorization": f"Bearer {login_token(client, 'admin')}"}
