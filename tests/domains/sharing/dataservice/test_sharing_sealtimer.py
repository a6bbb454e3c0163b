"""Data-service calls are sealed into the audit chain on the call-log writer's own timer:
without another call following, without ``mudan share tick``, and once more at shutdown."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.audit import AuditRecord, verify_chain
from mudan.core.db import make_engine, make_sessionmaker, utcnow
from mudan.domains.sharing.dataservice import calllog
from mudan.domains.sharing.dataservice.calllog import CallWriter
from mudan.domains.sharing.models import ServiceCall
from mudan.settings import Settings
from tests.domains.sharing.conftest import World, granted

PATIENCE_S = 60.0  # bounds a failure only; a pass takes one timer interval


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.sharing.seal_every_s = 0.05
    return settings


def _sealed_by(session: Session, call_id: int) -> int | None:
    session.rollback()
    return session.scalar(select(ServiceCall.sealed_by).where(ServiceCall.id == call_id))


def _wait_sealed(session: Session, call_id: int) -> int:
    deadline = time.monotonic() + PATIENCE_S
    while (seal := _sealed_by(session, call_id)) is None:
        assert time.monotonic() < deadline, f"call {call_id} was never sealed"
        time.sleep(0.02)
    return seal


def test_a_lone_call_is_sealed_without_another_call_or_a_tick(
    client: TestClient, world: World, session: Session
) -> None:
    gid, h = granted(client, world)
    assert client.get(f"/api/v1/share/services/{gid}", headers=h).status_code == 200
    call_id = session.scalar(select(ServiceCall.id).where(ServiceCall.grant_id == gid))
    assert call_id is not None
    seal = session.get(AuditRecord, _wait_sealed(session, call_id))
    assert seal is not None and seal.action == "dataservice.calls"
    assert seal.detail["first_id"] <= call_id <= seal.detail["last_id"]
    assert verify_chain(session).ok and calllog.verify_seals(session).ok


def _row(caller: str) -> dict[str, object]:
    return {"grant_id": 1, "at": utcnow(), "caller": caller, "department_code": "x", "status": 200}


def _id_of(session: Session, caller: str) -> int:
    session.rollback()
    found = session.scalar(select(ServiceCall.id).where(ServiceCall.caller == caller))
    assert found is not None
    return found


def test_the_writer_seals_on_its_timer_at_close_and_never_twice(
    world: World, session: Session
) -> None:
    engine = make_engine(world.settings.database.url)
    sessions = make_sessionmaker(engine)
    try:
        fast = CallWriter(sessions, seal_every=0.05)
        try:
            for i in range(30):
                fast.write(_row(f"fast-{i}"))
                calllog.seal(session)  # an explicit seal racing the timer seals nothing twice
                session.commit()
            _wait_sealed(session, _id_of(session, "fast-29"))
        finally:
            fast.close()
        slow = CallWriter(sessions, seal_every=3600)
        slow.write(_row("slow"))
        assert _sealed_by(session, _id_of(session, "slow")) is None  # its timer is an hour off
        slow.close()
        assert _sealed_by(session, _id_of(session, "slow")) is not None  # sealed at shutdown
        off = CallWriter(sessions, seal_every=None)
        off.write(_row("off"))
        off.close()
        assert _sealed_by(session, _id_of(session, "off")) is None  # left to the tick
        assert calllog.verify_seals(session).ok and verify_chain(session).ok
    finally:
        engine.dispose()
