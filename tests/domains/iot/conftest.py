"""Fixtures of the iot tests: a SYSTEM (gateway) token and a fake alert plugin."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from mudan.core.db import make_engine, make_sessionmaker, transaction
from mudan.settings import Settings
from tests.domains.iot.iot_helpers import FakeAlerts


@pytest.fixture
def alerts(client: TestClient) -> FakeAlerts:
    fake = FakeAlerts()
    client.app.state.ctx.pm.register(fake, name="fake-alerts")  # type: ignore[attr-defined]
    return fake


@pytest.fixture
def gateway_headers(settings: Settings) -> dict[str, str]:
    from mudan.domains.org import service as org
    from mudan.domains.org.enums import Role
    from mudan.domains.org.models import User

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
