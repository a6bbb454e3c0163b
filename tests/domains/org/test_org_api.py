from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.kernel.models import User
from tests.conftest import login_token


def _bearer(client: TestClient, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {login_token(client, username)}"}


def test_region_tree_from_city_to_grid(client: TestClient, admin_headers: dict[str, str]) -> None:
    districts = client.get("/api/v1/regions/3717/children", headers=admin_headers).json()
    codes = {d["code"] for d in districts}
    assert {
        "371702",
        "371703",
        "371721",
        "371722",
        "371723",
        "371724",
        "371725",
        "371726",
        "371728",
    } <= codes
    streets = client.get("/api/v1/regions/371702/children", headers=admin_headers).json()
    names = {s["code"]: s["name"] for s in streets}
    assert names["371702001000"] == "东城街道"
    communities = client.get("/api/v1/regions/371702001000/children", headers=admin_headers).json()
    assert communities and all(c["level"] == "community" for c in communities)
    grids = client.get(
        f"/api/v1/regions/{communities[0]['code']}/children", headers=admin_headers
    ).json()
    assert grids and grids[0]["level"] == "grid"


def test_locate_point_and_bad_points(client: TestClient, admin_headers: dict[str, str]) -> None:
    street = client.get("/api/v1/regions/371702001000", headers=admin_headers).json()
    grid_parent = client.get("/api/v1/regions/371702001000/children", headers=admin_headers).json()
    grid = client.get(
        f"/api/v1/regions/{grid_parent[0]['code']}/children", headers=admin_headers
    ).json()[0]
    r = client.get(
        "/api/v1/regions/locate",
        params={"lon": grid["lon"], "lat": grid["lat"]},
        headers=admin_headers,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["district"]["code"] == "371702"
    assert body["street"]["code"] == street["code"] or body["street"]["code"].startswith("3717")
    assert body["city"]["code"] == "3717"
    r = client.get(
        "/api/v1/regions/locate", params={"lon": 116.40, "lat": 39.90}, headers=admin_headers
    )
    assert r.status_code == 404 and r.json()["error"]["code"] == "region.outside_city"
    r = client.get("/api/v1/regions/locate", params={"lon": 500, "lat": 35}, headers=admin_headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "region.bad_point"
    r = client.get(
        "/api/v1/regions/locate", params={"lon": "abc", "lat": 35}, headers=admin_headers
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "request.invalid"


def test_unknown_region_code(client: TestClient, admin_headers: dict[str, str]) -> None:
    r = client.get("/api/v1/regions/999999", headers=admin_headers)
    assert r.status_code == 404 and r.json()["error"]["code"] == "region.not_found"
    r = client.get("/api/v1/regions/12ab", headers=admin_headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "region.bad_code"


def test_street_user_sees_only_its_subtree(client: TestClient) -> None:
    h = _bearer(client, "wangge")  # grid worker bound to 东城街道 371702001000
    me = client.get("/api/v1/me", headers=h).json()
    assert me["scope_paths"] == ["3717/371702/371702001000"]
    districts = client.get("/api/v1/regions/3717/children", headers=h).json()
    assert [d["code"] for d in districts] == ["371702"]
    streets = client.get("/api/v1/regions/371702/children", headers=h).json()
    assert [s["code"] for s in streets] == ["371702001000"]
    assert client.get("/api/v1/regions/371702001000/children", headers=h).status_code == 200
    r = client.get("/api/v1/regions/371702002000/children", headers=h)
    assert r.status_code == 404
    r = client.get("/api/v1/regions/371703", headers=h)
    assert r.status_code == 404


def test_user_admin_api(
    client: TestClient, admin_headers: dict[str, str], session: Session
) -> None:
    body = {
        "username": "zhaoyun",
        "display_name": "赵云",
        "password": "Peony#Heze2024",
        "department_code": "371700002",
        "bindings": [{"role": "data_officer", "department_code": "371700002"}],
    }
    r = client.post("/api/v1/users", json=body, headers=admin_headers)
    assert r.status_code == 201, r.text
    assert r.json()["bindings"][0]["role"] == "data_officer"
    r = client.post("/api/v1/users", json=body, headers=admin_headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "user.duplicate"
    weak = {**body, "username": "weakling", "password": "password"}
    r = client.post("/api/v1/users", json=weak, headers=admin_headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "auth.weak_password"
    bad_region = {
        **body,
        "username": "nowhere",
        "bindings": [{"role": "grid_worker", "region_code": "371799999000"}],
    }
    r = client.post("/api/v1/users", json=bad_region, headers=admin_headers)
    assert r.status_code == 404 and r.json()["error"]["code"] == "region.not_found"
    # Nothing half-written: the failed creations left no user rows behind.
    names = set(session.scalars(select(User.username)))
    assert "weakling" not in names and "nowhere" not in names
    assert (
        session.scalar(select(func.count()).select_from(User).where(User.username == "zhaoyun"))
        == 1
    )


def test_non_admin_cannot_create_users(client: TestClient) -> None:
    h = _bearer(client, "gaj")
    r = client.post(
        "/api/v1/users",
        headers=h,
        json={
            "username": "sneaky",
            "display_name": "x",
            "password": "Sneaky#12345",
            "bindings": [{"role": "admin"}],
        },
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "auth.forbidden"


def test_departments_listed(client: TestClient) -> None:
    depts = client.get("/api/v1/departments", headers=_bearer(client, "dsj")).json()
    names = {d["name"] for d in depts}
    assert {"菏泽市大数据局", "菏泽市公安局", "菏泽市应急管理局", "牡丹区大数据中心"} <= names


def test_api_login_failures_lock_the_account_and_are_audited(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    for _ in range(5):
        r = client.post("/api/v1/auth/tokens", json={"username": "kaohe", "password": "nope"})
        assert r.status_code == 401 and r.json()["error"]["code"] == "auth.bad_credentials"
    r = client.post("/api/v1/auth/tokens", json={"username": "kaohe", "password": "Mudan@Heze2024"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "auth.locked"
    rows = client.get("/api/v1/audit", headers=admin_headers, params={"limit": 20}).json()
    denied = [r for r in rows if r["action"] == "auth.token" and r["outcome"] == "denied"]
    assert len(denied) == 6
