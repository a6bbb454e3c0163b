"""Alerts on the workbench: the duty officer's active alerts per level are what the alert API
gives them for the same filter; a district's operator without ``alerts.handle`` gets none."""

from __future__ import annotations

from fastapi.testclient import TestClient

from mudan.core.db import make_engine, make_sessionmaker, transaction
from mudan.kernel.enums import Role
from mudan.kernel.identity import BindingIn, create_user
from mudan.settings import Settings
from tests.conftest import login_token
from tests.workbench import bearer, todos_of

PASSWORD = "Duty#Officer2024"


def test_alert_todos_match_the_alert_list(client: TestClient) -> None:
    todos = todos_of(client, "zhiban")
    h = bearer(client, "zhiban")
    seen = 0
    for level in ("red", "orange", "yellow", "blue"):
        todo = todos.get(f"indicators.alerts_{level}")
        listed = client.get(f"/api/v1/alerts?status=active&level={level}", headers=h).json()
        assert (todo["count"] if todo else 0) == len(listed)
        if todo:
            assert todo["href"] == f"/alerts?status=active&level={level}"
            page = client.get(todo["href"], headers=h).text
            assert page.count('<a href="/alerts/') == len(listed)
            seen += 1
    assert seen >= 2  # the demo has alerts of several levels
    assert not [k for k in todos_of(client, "mudanqu") if k.startswith("indicators.")]
    assert not [k for k in todos_of(client, "dsj") if k.startswith("indicators.")]
    r = client.get("/api/v1/alerts?level=purple", headers=h)
    assert r.status_code == 422


def test_a_district_duty_officer_counts_its_district(
    client: TestClient, settings: Settings
) -> None:
    engine = make_engine(settings.database.url)
    with transaction(make_sessionmaker(engine)) as s:
        binding = BindingIn(Role.DUTY_OFFICER, None, "371702")  # 牡丹区 only
        create_user(
            s, username="mdqzb", display_name="牡丹区值班", password=PASSWORD, bindings=[binding]
        )
    engine.dispose()
    h = {"Authorization": f"Bearer {login_token(client, 'mdqzb', PASSWORD)}"}
    mine = {
        t["code"]: t["count"] for t in client.get("/api/v1/workbench", headers=h).json()["todos"]
    }
    city = {k: v["count"] for k, v in todos_of(client, "zhiban").items()}
    for level in ("red", "orange", "yellow", "blue"):
        code = f"indicators.alerts_{level}"
        listed = client.get(f"/api/v1/alerts?status=active&level={level}", headers=h).json()
        assert mine.get(code, 0) == len(listed) <= city.get(code, 0)
        assert all(
            a["region_code"] in (None, "3717") or a["region_code"].startswith("371702")
            for a in listed
        )
    alerts = [c for c in city if c.startswith("indicators.")]
    assert sum(mine.get(c, 0) for c in alerts) < sum(city[c] for c in alerts)  # not the city's
