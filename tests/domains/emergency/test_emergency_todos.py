"""The emergency domain's workbench todos: reports due and open incidents are what the incident
API gives the same user, and a county's figures are the county's."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.domains.emergency.conftest import street_point
from tests.workbench import bearer, todos_of

API = "/api/v1/emergency/incidents"


def _from_api(client: TestClient, user: str) -> tuple[int, int, int]:
    """(open incidents, reports due on them, of which late) from the incident API."""
    h = bearer(client, user)
    incidents = client.get(API + "?status=open", headers=h).json()
    due = late = 0
    for i in incidents:
        for rep in client.get(f"{API}/{i['id']}/reports", headers=h).json():
            if rep["due_at"] and rep["status"] in ("pending", "overdue"):
                due += 1
                late += rep["status"] == "overdue"
    return len(incidents), due, late


def _counts(client: TestClient, user: str) -> tuple[int, int, int]:
    todos = todos_of(client, user)
    reports = todos.get("emergency.reports_due", {"count": 0, "overdue": 0})
    opened = todos.get("emergency.open_incidents", {"count": 0})
    return opened["count"], reports["count"], reports["overdue"]


def test_emergency_todos_match_the_incident_api(client: TestClient, session: Session) -> None:
    zhiban = _counts(client, "zhiban")
    assert zhiban == _from_api(client, "zhiban") and zhiban[0] >= 1 and zhiban[1] >= 1
    assert todos_of(client, "zhiban")["emergency.reports_due"]["href"] == (
        "/emergency/incidents?status=open"
    )
    mudanqu, kaohe = _counts(client, "mudanqu"), _counts(client, "kaohe")
    assert mudanqu[0] == _from_api(client, "mudanqu")[0] == 0  # the demo's incident is in 东明县
    assert mudanqu[1] == 0  # a county operator reads; it does not report
    lon, lat = street_point(session, "东城街道")
    body = {"title": "东城街道积水", "event_type": "flood", "lon": lon, "lat": lat, "level": 4}
    r = client.post(API, json=body, headers=bearer(client, "zhiban"))
    assert r.status_code == 201, r.text
    assert _counts(client, "mudanqu")[0] == 1  # now one in 牡丹区
    assert _counts(client, "kaohe")[0] == kaohe[0] + 1
    after = _counts(client, "zhiban")
    assert after == _from_api(client, "zhiban") and after[0] == zhiban[0] + 1
    assert not [k for k in todos_of(client, "wangge") if k.startswith("emergency.")]
    assert "emergency.reports_due" not in todos_of(client, "kaohe")


def test_incident_page_filters_open(client: TestClient) -> None:
    h = bearer(client, "zhiban")
    everything = client.get("/emergency/incidents", headers=h).text
    open_only = client.get("/emergency/incidents?status=open", headers=h).text
    assert everything.count("badge ok") >= 1 and open_only.count("badge ok") == 0
    assert open_only.count("badge bad") == _counts(client, "zhiban")[0]
