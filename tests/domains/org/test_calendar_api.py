from __future__ import annotations

from fastapi.testclient import TestClient


def test_deadline_skips_national_day(client: TestClient, admin_headers: dict[str, str]) -> None:
    r = client.get(
        "/api/v1/calendar/deadline",
        headers=admin_headers,
        params={"start": "2024-09-27T10:00:00", "workdays": 5},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["deadline"].startswith("2024-10-10T17:30")
    assert body["provisional"] is False


def test_admin_override_moves_deadline_and_is_audited(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    params = {"start": "2027-03-01T09:00:00", "workdays": 1}
    before = client.get("/api/v1/calendar/deadline", headers=admin_headers, params=params).json()
    assert before["deadline"].startswith("2027-03-02") and before["provisional"] is True
    r = client.put(
        "/api/v1/calendar/overrides",
        headers=admin_headers,
        json={"day": "2027-03-02", "is_workday": False, "note": "测试假日"},
    )
    assert r.status_code == 200
    after = client.get("/api/v1/calendar/deadline", headers=admin_headers, params=params).json()
    assert after["deadline"].startswith("2027-03-03")
    rows = client.get("/api/v1/audit", headers=admin_headers).json()
    assert rows[0]["action"] == "calendar.override"


def test_bad_calendar_input(client: TestClient, admin_headers: dict[str, str]) -> None:
    r = client.get(
        "/api/v1/calendar/deadline",
        headers=admin_headers,
        params={"start": "2024-09-27T10:00:00", "workdays": -1},
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "request.invalid"
    r = client.put(
        "/api/v1/calendar/overrides",
        headers=admin_headers,
        json={"day": "2027-02-30", "is_workday": False},
    )
    assert r.status_code == 422


def test_geojson_layers(client: TestClient, admin_headers: dict[str, str]) -> None:
    fc = client.get("/api/v1/regions/3717/geojson", headers=admin_headers).json()
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 9
    assert {f["properties"]["name"] for f in fc["features"]} >= {"牡丹区", "曹县", "东明县"}
    streets = client.get(
        "/api/v1/regions/371702/geojson", headers=admin_headers, params={"level": "street"}
    ).json()
    assert len(streets["features"]) == 18
    assert streets["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    r = client.get("/api/v1/regions/3717/geojson", headers=admin_headers, params={"level": "x"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "region.bad_level"
