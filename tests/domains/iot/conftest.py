"""Fixtures of the iot tests: a SYSTEM (gateway) token, a fake alert plugin, STA readings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.db import make_engine, make_sessionmaker, transaction
from mudan.settings import Settings
from tests.conftest import login_token
from tests.domains.iot.iot_helpers import FakeAlerts, some_device


@pytest.fixture
def alerts(client: TestClient) -> FakeAlerts:
    fake = FakeAlerts()
    client.app.state.ctx.pm.register(fake, name="fake-alerts")  # type: ignore[attr-defined]
    return fake


@pytest.fixture
def gateway_headers(settings: Settings) -> dict[str, str]:
    from mudan.kernel import identity as org
    from mudan.kernel.enums import Role
    from mudan.kernel.models import User

    engine = make_engine(settings.database.url)
    with transaction(make_sessionmaker(engine)) as s:
        user = org.create_user(
            s,
            username="gateway1",
            display_name="网关",
            password="Gateway@Heze2024",
            bindings=[org.BindingIn(Role.SYSTEM, None, None)],
        )
        _, token = org.issue_token(
            s, user=s.scalars(select(User).where(User.id == user.id)).one(), name="gw"
        )
    engine.dispose()
    return {"Authorization": f"Bearer {token}"}


@dataclass(frozen=True)
class StaWorld:
    """A water-level device with four readings 5 minutes apart, a smoke device with two."""

    headers: dict[str, str]
    level: Any  # the water-level Device
    smoke: Any
    t0: datetime
    levels: tuple[float, ...] = (1.25, 2.5, 3.75, 4.0)

    @property
    def ds(self) -> int:
        return int(self.level.id) * 8


@pytest.fixture
def sta(client: TestClient, gateway_headers: dict[str, str], session: Session) -> StaWorld:
    level, smoke = some_device(session, "water_level"), some_device(session, "smoke")
    t0 = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)
    world = StaWorld({"Authorization": f"Bearer {login_token(client, 'dsj')}"}, level, smoke, t0)
    readings = [
        {"device_code": level.code, "ts": (t0 + timedelta(minutes=5 * i)).isoformat(),
         "values": {"level": v}}
        for i, v in enumerate(world.levels)
    ] + [
        {"device_code": smoke.code, "ts": (t0 + timedelta(minutes=i)).isoformat(),
         "values": {"smoke": 0.5 * i, "temp": 20.0 + i}}
        for i in range(2)
    ]  # fmt: skip
    r = client.post("/api/v1/iot/telemetry", json={"readings": readings}, headers=gateway_headers)
    assert r.status_code == 200 and r.json()["accepted"] == 6, r.text
    return world
