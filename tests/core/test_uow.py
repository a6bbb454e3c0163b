"""The unit of work: on-commit callbacks after a commit only, and the lake step's shape."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select
from sqlalchemy.orm import Session, sessionmaker

from mudan.core.db import make_engine, make_sessionmaker, transaction
from mudan.core.deps import DbSession
from mudan.core.uow import lake_step, lake_step_or_record, on_commit, queued, unit_of_work

META = MetaData()
NOTES = Table("notes", META, Column("id", Integer, primary_key=True), Column("text", String(40)))


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(f"sqlite:///{tmp_path / 'uow.db'}")
    META.create_all(engine)
    yield make_sessionmaker(engine)
    engine.dispose()


def _texts(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as s:
        return list(s.scalars(select(NOTES.c.text).order_by(NOTES.c.id)))


def test_callbacks_run_in_order_after_the_commit(sessions: sessionmaker[Session]) -> None:
    seen: list[tuple[str, list[str]]] = []
    with unit_of_work(sessions) as s:
        s.execute(insert(NOTES).values(text="a"))
        on_commit(s, lambda: seen.append(("first", _texts(sessions))))
        on_commit(s, lambda: seen.append(("second", _texts(sessions))))
        assert seen == []
    assert seen == [("first", ["a"]), ("second", ["a"])]  # the row was durable for both
    assert queued(s) == []


def test_no_callback_after_a_rollback(sessions: sessionmaker[Session]) -> None:
    seen: list[str] = []
    with pytest.raises(RuntimeError), transaction(sessions) as s:
        s.execute(insert(NOTES).values(text="a"))
        on_commit(s, lambda: seen.append("x"))
        raise RuntimeError
    assert seen == [] and _texts(sessions) == []


def test_an_explicit_rollback_empties_the_queue(sessions: sessionmaker[Session]) -> None:
    seen: list[str] = []
    with transaction(sessions) as s:
        s.execute(insert(NOTES).values(text="rolled back"))
        on_commit(s, lambda: seen.append("dropped"))
        s.rollback()
        on_commit(s, lambda: seen.append("kept"))
    assert seen == ["kept"] and _texts(sessions) == []


def test_a_failing_callback_is_logged_and_keeps_the_commit(
    sessions: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[str] = []

    def boom() -> None:
        raise ValueError("index down")

    with caplog.at_level(logging.ERROR, logger="mudan.uow"), transaction(sessions) as s:
        s.execute(insert(NOTES).values(text="kept"))
        on_commit(s, boom)
        on_commit(s, lambda: seen.append("after"))
    assert _texts(sessions) == ["kept"]
    assert seen == ["after"]
    assert "on-commit callback failed" in caplog.text


def test_lake_step_records_intent_then_outcome(sessions: sessionmaker[Session]) -> None:
    def prepare(s: Session) -> str:
        s.execute(insert(NOTES).values(text="intent"))
        return "payload"

    def work(intent: str) -> str:
        assert _texts(sessions) == ["intent"]  # transaction 1 committed before the lake work
        return intent.upper()

    def finish(s: Session, result: str) -> str:
        s.execute(insert(NOTES).values(text=result))
        return result

    assert lake_step(sessions, prepare=prepare, work=work, finish=finish) == "PAYLOAD"
    assert _texts(sessions) == ["intent", "PAYLOAD"]


def test_lake_step_failure_is_compensated_and_raised(sessions: sessionmaker[Session]) -> None:
    def work(_: None) -> None:
        raise KeyError("lake")

    def failed(s: Session, exc: Exception) -> None:
        s.execute(insert(NOTES).values(text=f"failed {type(exc).__name__}"))

    with pytest.raises(KeyError):
        lake_step(
            sessions,
            prepare=lambda s: None,
            work=work,
            finish=lambda s, r: pytest.fail("no outcome after a failure"),
            failed=failed,
        )
    assert _texts(sessions) == ["failed KeyError"]


def test_lake_step_lets_other_errors_through_unrecorded(sessions: sessionmaker[Session]) -> None:
    def work(_: None) -> None:
        raise KeyError("not ours")

    with pytest.raises(KeyError):
        lake_step(
            sessions,
            prepare=lambda s: None,
            work=work,
            finish=lambda s, r: None,
            failed=lambda s, exc: pytest.fail("only ValueError is recorded"),
            catch=(ValueError,),
        )


def test_lake_step_or_record_records_the_failure_and_returns_none(
    sessions: sessionmaker[Session],
) -> None:
    def work(_: None) -> None:
        raise ValueError("lake")

    def failed(s: Session, exc: Exception) -> None:
        s.execute(insert(NOTES).values(text=f"failed {exc}"))

    out = lake_step_or_record(
        sessions,
        prepare=lambda s: None,
        work=work,
        finish=lambda s, r: pytest.fail("no outcome after a failure"),
        failed=failed,
    )
    assert out is None and _texts(sessions) == ["failed lake"]


def test_the_request_session_is_a_unit_of_work(sessions: sessionmaker[Session]) -> None:
    seen: list[list[str]] = []
    app = FastAPI()
    app.state.ctx = SimpleNamespace(sessions=sessions)

    @app.post("/ok")
    def ok(session: DbSession) -> dict[str, bool]:
        session.execute(insert(NOTES).values(text="from the request"))
        on_commit(session, lambda: seen.append(_texts(sessions)))
        return {"ok": True}

    @app.post("/boom")
    def boom(session: DbSession) -> dict[str, bool]:
        session.execute(insert(NOTES).values(text="rolled back"))
        on_commit(session, lambda: seen.append(["never"]))
        raise ValueError("boom")

    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.post("/ok").status_code == 200
        assert client.post("/boom").status_code == 500
    assert seen == [["from the request"]]
    assert _texts(sessions) == ["from the request"]
