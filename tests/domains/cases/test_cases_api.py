"""The case API end to end: intake, routing, the loop, bad input, masking, duplicates."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.domains.cases.models import Case
from mudan.kernel.models import Region

H = Callable[[str], dict[str, str]]


def _grid_point(session: Session, prefix: str = "371702") -> tuple[str, float, float]:
    from shapely import wkt

    region = session.scalars(
        select(Region).where(Region.level == "grid", Region.code.like(f"{prefix}%")).limit(1)
    ).one()
    pt = wkt.loads(region.geometry_wkt or "").representative_point()
    return region.code, pt.x, pt.y


def _new(client: TestClient, h: dict[str, str], **kw: object) -> dict[str, object]:
    body = {
        "category_code": "SJ0102",
        "title": "路边暴露垃圾",
        "reporter_name": "王小明",
        "reporter_phone": "13812345678",
        **kw,
    }
    r = client.post("/api/v1/cases", json=body, headers=h)
    assert r.status_code == 201, r.text
    data: dict[str, object] = r.json()
    return data


def test_intake_routes_by_polygon_to_the_district_bureau(
    client: TestClient, session: Session, headers: H
) -> None:
    grid, lon, lat = _grid_point(session)
    case = _new(client, headers("hotline"), lon=lon, lat=lat)
    assert case["grid_code"] == grid
    assert case["district_code"] == "371702"
    assert case["department_code"] == "371702003"  # 牡丹区综合行政执法局 (district rule)
    assert case["state"] == "dispatched"
    other = _new(client, headers("hotline"), category_code="BJ0101", lon=lon, lat=lat)
    assert other["department_code"] == "371700017"  # only a city rule: 水务局


def test_outside_heze_and_unrouted_categories_go_to_the_manual_queue(
    client: TestClient, session: Session, headers: H
) -> None:
    outside = _new(client, headers("hotline"), lon=116.397, lat=39.909)  # Beijing
    assert outside["state"] == "received" and outside["department_code"] is None
    _, lon, lat = _grid_point(session)
    unrouted = _new(client, headers("hotline"), category_code="SJ0699", lon=lon, lat=lat)
    assert unrouted["department_code"] is None
    r = client.get("/api/v1/cases?queue=manual&limit=500", headers=headers("paidan"))
    numbers = {c["number"] for c in r.json()["items"]}
    assert {outside["number"], unrouted["number"]} <= numbers


def test_bad_input(client: TestClient, session: Session, headers: H) -> None:
    h = headers("hotline")
    r = client.post("/api/v1/cases", json={"category_code": "SJ0102", "title": "x"}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["code"] == "cases.missing_location"
    assert "位置" in r.json()["error"]["message"]
    r = client.post(
        "/api/v1/cases",
        json={"category_code": "ZZ9999", "title": "x", "lon": 115.4, "lat": 35.2},
        headers=h,
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "cases.unknown_category"
    assert "ZZ9999" in r.json()["error"]["message"]


def test_double_submit_with_one_idempotency_key_makes_one_case(
    client: TestClient, session: Session, headers: H
) -> None:
    _, lon, lat = _grid_point(session)
    before = session.scalar(select(func.count()).select_from(Case))
    h = {**headers("hotline"), "Idempotency-Key": "call-20251001-0001"}
    first = _new(client, h, lon=lon, lat=lat)
    second = _new(client, h, lon=lon, lat=lat)
    assert first["number"] == second["number"]
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Case)) == (before or 0) + 1


def test_loop_409_names_allowed_and_403_for_other_departments(
    client: TestClient, session: Session, headers: H
) -> None:
    _, lon, lat = _grid_point(session)
    case = _new(client, headers("hotline"), lon=lon, lat=lat)
    url = f"/api/v1/cases/{case['number']}/actions"
    r = client.post(url, json={"action": "close"}, headers=headers("paidan"))
    assert r.status_code == 409
    err = r.json()["error"]
    assert err["code"] == "cases.bad_transition"
    assert set(err["details"][0]["allowed"]) == {"accept", "return", "park"}
    assert "accept" in err["message"]
    # 市城管局 handler: sees the city, but the case belongs to 牡丹区综合行政执法局.
    r = client.post(url, json={"action": "accept"}, headers=headers("chengguan"))
    assert r.status_code == 403 and r.json()["error"]["code"] == "cases.not_assigned"
    h = headers("chuzhi")
    assert client.post(url, json={"action": "accept"}, headers=h).json()["state"] == "handling"
    r = client.post(url, json={"action": "report", "note": "已清理"}, headers=h)
    assert r.json()["state"] == "verifying"
    r = client.post(url, json={"action": "close", "note": "核查属实"}, headers=headers("paidan"))
    assert r.json()["state"] == "closed"
    r = client.post(
        f"/api/v1/cases/{case['number']}/visit",
        json={"satisfaction": 5},
        headers=headers("hotline"),
    )
    assert r.json()["satisfaction"] == 5
    detail = client.get(f"/api/v1/cases/{case['number']}", headers=headers("paidan")).json()
    kinds = [e["kind"] for e in detail["timeline"]]
    assert kinds[:2] == ["intake", "routed"] and kinds[-1] == "visit"


def test_return_dispute_mediation_assist_and_extension(
    client: TestClient, session: Session, headers: H
) -> None:
    _, lon, lat = _grid_point(session)
    case = _new(client, headers("hotline"), lon=lon, lat=lat)
    url = f"/api/v1/cases/{case['number']}/actions"
    r = client.post(url, json={"action": "return"}, headers=headers("chuzhi"))
    assert r.status_code == 422 and r.json()["error"]["code"] == "cases.reason_required"
    r = client.post(url, json={"action": "return", "note": "非本部门"}, headers=headers("chuzhi"))
    assert r.json()["state"] == "registered" and r.json()["returns"] == 1
    r = client.post(
        url,
        json={"action": "dispatch", "department_code": "371700003", "assist_codes": ["371702003"]},
        headers=headers("paidan"),
    )
    assert r.json()["department_code"] == "371700003"
    assert r.json()["assist_codes"] == ["371702003"]
    r = client.post(
        f"/api/v1/cases/{case['number']}/notes",
        json={"note": "协办已到场"},
        headers=headers("chuzhi"),
    )
    assert r.status_code == 200
    h = headers("chengguan")
    client.post(url, json={"action": "accept"}, headers=h)
    r = client.post(
        f"/api/v1/cases/{case['number']}/extension",
        json={"hours": 8, "reason": "需协调环卫车辆"},
        headers=h,
    )
    assert r.json()["extension_status"] == "pending"
    old_due = r.json()["due_at"]
    r = client.post(
        f"/api/v1/cases/{case['number']}/extension/decision",
        json={"approve": True},
        headers=headers("paidan"),
    )
    assert r.json()["extension_status"] == "approved" and r.json()["due_at"] > old_due
    # A dispute needs its mediation outcome.
    dispute = _new(client, headers("hotline"), category_code="SJ0701", lon=lon, lat=lat)
    d_url = f"/api/v1/cases/{dispute['number']}/actions"
    client.post(d_url, json={"action": "accept"}, headers=headers("admin"))
    r = client.post(d_url, json={"action": "report"}, headers=headers("admin"))
    assert r.status_code == 422 and r.json()["error"]["code"] == "cases.mediation_required"
    r = client.post(
        d_url, json={"action": "report", "mediation": "resolved"}, headers=headers("admin")
    )
    assert r.json()["mediation"] == "resolved"


def test_pii_masked_except_for_pii_roles(client: TestClient, session: Session, headers: H) -> None:
    _, lon, lat = _grid_point(session)
    case = _new(client, headers("hotline"), lon=lon, lat=lat)
    url = f"/api/v1/cases/{case['number']}"
    seen = client.get(url, headers=headers("paidan")).json()["reporters"][0]
    assert seen == {"name": "王小明", "phone": "13812345678"}
    masked = client.get(url, headers=headers("chuzhi")).json()["reporters"][0]
    assert masked == {"name": "王**", "phone": "138****5678"}


def test_duplicates_are_suggested_merged_and_close_together(
    client: TestClient, session: Session, headers: H
) -> None:
    _, lon, lat = _grid_point(session)
    first = _new(client, headers("hotline"), lon=lon, lat=lat)
    near = _new(
        client,
        headers("hotline"),
        lon=lon + 0.0002,
        lat=lat,
        reporter_name="李四",
        reporter_phone="13900000000",
    )  # about 18 m east
    far = _new(client, headers("hotline"), lon=lon + 0.002, lat=lat)  # about 180 m
    other = _new(client, headers("hotline"), category_code="SJ0104", lon=lon, lat=lat)
    assert near["suggested_merge"] == first["number"]
    assert far["suggested_merge"] is None and other["suggested_merge"] is None
    r = client.post(
        f"/api/v1/cases/{near['number']}/merge",
        json={"into": first["number"]},
        headers=headers("paidan"),
    )
    assert {rep["name"] for rep in r.json()["reporters"]} == {"王小明", "李四"}
    url = f"/api/v1/cases/{first['number']}/actions"
    for action, who in (("accept", "chuzhi"), ("report", "chuzhi"), ("close", "paidan")):
        assert client.post(
            url, json={"action": action, "note": "ok"}, headers=headers(who)
        ).is_success
    merged = client.get(f"/api/v1/cases/{near['number']}", headers=headers("paidan")).json()
    assert merged["state"] == "closed" and merged["merged_into"] == first["number"]


def test_grid_worker_reports_with_photos(client: TestClient, session: Session, headers: H) -> None:
    import io

    from PIL import Image

    _, lon, lat = _grid_point(session, "371702001")
    case = _new(client, headers("wangge"), lon=lon, lat=lat, channel="grid")
    buf = io.BytesIO()
    Image.new("RGB", (16, 16), (0, 0, 255)).save(buf, format="JPEG")
    url = f"/api/v1/cases/{case['number']}/photos"
    r = client.post(
        url, files={"file": ("a.jpg", buf.getvalue(), "image/jpeg")}, headers=headers("wangge")
    )
    assert r.status_code == 201, r.text
    assert r.json()["content_type"] == "image/jpeg"
    got = client.get(f"{url}/{r.json()['id']}", headers=headers("paidan"))
    assert got.content == buf.getvalue()
    # Another intake user who did not report it cannot add photos to it.
    r = client.post(
        url, files={"file": ("a.jpg", buf.getvalue(), "image/jpeg")}, headers=headers("hotline")
    )
    assert r.status_code == 403
    r = client.post(
        url, files={"file": ("a.txt", b"hello", "text/plain")}, headers=headers("wangge")
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "cases.bad_photo"


def test_scoping_hides_other_districts(client: TestClient, session: Session, headers: H) -> None:
    _, lon, lat = _grid_point(session, "371721")  # 曹县
    case = _new(client, headers("hotline"), lon=lon, lat=lat)
    r = client.get(f"/api/v1/cases/{case['number']}", headers=headers("chuzhi"))  # 牡丹区 handler
    assert r.status_code == 404
    r = client.get("/api/v1/cases?limit=500", headers=headers("chuzhi"))
    assert case["number"] not in {c["number"] for c in r.json()["items"]}
    assert client.get(f"/api/v1/cases/{case['number']}", headers=headers("kaohe")).is_success


def test_open311_filters_and_bad_dates(client: TestClient, session: Session, headers: H) -> None:
    _, lon, lat = _grid_point(session)
    case = _new(client, headers("hotline"), lon=lon, lat=lat)
    r = client.get("/open311/v2/requests.json", params={"start_date": "yesterday"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "cases.open311_bad_date"
    window = {"start_date": "2000-01-01T00:00:00Z", "end_date": "2000-02-01T00:00:00Z"}
    assert client.get("/open311/v2/requests.json", params=window).json() == []
    r = client.get(
        "/open311/v2/requests.json", params={"service_request_id": f"{case['number']},nope"}
    )
    assert [x["service_request_id"] for x in r.json()] == [case["number"]]
    assert client.get("/open311/v2/requests/nope.json").status_code == 404
    assert client.get("/open311/v2/services/NOPE.json").status_code == 404
