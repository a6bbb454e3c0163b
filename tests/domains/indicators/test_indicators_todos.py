"""Alerts on the workbench: the duty officer's active alerts per level are what the alert API
gives them for the same filter; a district's operator without ``alerts.handle`` gets none."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.workbench import bearer, todos_of


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
