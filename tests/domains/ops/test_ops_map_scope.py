"""One-map layers apply their own domain's permission and scope: a caller sees on the map exactly
what that domain's list endpoint gives them, and nothing of a domain they may not read."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.domains.cases.models import Case, open_clause
from mudan.domains.emergency.models import Incident, Resource
from mudan.domains.iot.models import Device
from mudan.domains.video.models import VideoChannel
from tests.conftest import login_token
from tests.domains.emergency.conftest import street_point

MAP = "/api/v1/ops/map"
BOUNDARIES = {"districts", "streets", "grids"}
POINTS = {
    "iot_devices",
    "video.channels",
    "cases.open",
    "emergency.resources",
    "emergency.incidents",
}
WANGGE = "3717/371702/371702001000"  # 东城街道


def _h(client: TestClient, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {login_token(client, user)}"}


def _ids(client: TestClient, h: dict[str, str], code: str) -> list[str]:
    r = client.get(f"{MAP}/layers/{code}/geojson", headers=h)
    assert r.status_code == 200, r.text
    ids = [f["properties"]["id"] for f in r.json()["features"]]
    clusters = client.get(f"{MAP}/layers/{code}/clusters", headers=h, params={"zoom": 3}).json()
    assert clusters["total"] == sum(clusters["clusters"]["count"]) == len(ids)
    return ids


def _pages(client: TestClient, h: dict[str, str], url: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in range(1, 200):
        body = client.get(url, headers=h, params={**params, "page": page}).json()
        items += body["items"]
        if len(items) >= body["total"]:
            return items
    raise AssertionError("list never ended")


def test_layers_listed_by_their_own_permission(client: TestClient) -> None:
    seen = {
        user: {x["code"] for x in client.get(f"{MAP}/layers", headers=_h(client, user)).json()}
        for user in ("admin", "mudanqu", "gaj", "wangge", "kaohe")
    }
    assert seen["admin"] == seen["mudanqu"] == BOUNDARIES | POINTS | {"ops.demo"}
    assert seen["gaj"] == BOUNDARIES | {"ops.demo"}  # data officer: no iot/video/cases/emergency
    assert seen["wangge"] == BOUNDARIES | {"ops.demo", "cases.open"}  # grid worker
    assert seen["kaohe"] == seen["admin"] - {"iot_devices", "video.channels"}


@pytest.mark.parametrize(
    ("user", "layers"),
    [
        ("gaj", sorted(POINTS)),
        ("wangge", ["iot_devices", "video.channels", "emergency.resources", "emergency.incidents"]),
    ],
)
def test_layer_data_refused_without_the_domains_permission(
    client: TestClient, user: str, layers: list[str]
) -> None:
    h = _h(client, user)
    for code in layers:
        for url in (
            f"{MAP}/layers/{code}/clusters?zoom=9",
            f"{MAP}/layers/{code}/geojson",
            f"{MAP}/layers/{code}/points/1",
            f"/ops/map/points/{code}/1",
        ):
            r = client.get(url, headers=h)
            assert r.status_code == 403, (url, r.text)
            if url.startswith("/api"):
                body = r.json()
                assert body["ok"] is False and body["error"]["code"] == "auth.forbidden"
                assert "." in body["error"]["message"]  # names the permission it needs


def _open_incident_in_mudan(client: TestClient, session: Session) -> int:
    lon, lat = street_point(session, "东城街道")
    body = {"title": "东城积水", "event_type": "flood", "lon": lon, "lat": lat}
    r = client.post("/api/v1/emergency/incidents", headers=_h(client, "zhiban"), json=body)
    assert r.status_code == 201, r.text
    return int(r.json()["incident"]["id"])


def _count(session: Session, *where: Any) -> int:
    return int(session.scalar(select(func.count()).where(*where)) or 0)


def test_each_scope_sees_what_its_lists_give_it(client: TestClient, session: Session) -> None:
    """City first, then a county, then a street: a cached wider set is never handed down."""
    mine = _open_incident_in_mudan(client, session)
    h = _h(client, "zhiban")  # duty officer, city scope
    assert len(_ids(client, h, "iot_devices")) == _count(session, Device.status != "retired")
    located = _count(session, VideoChannel.lon.is_not(None))
    assert len(_ids(client, h, "video.channels")) == located
    open_cases = _count(session, open_clause(), Case.lon.is_not(None))
    assert len(_ids(client, h, "cases.open")) == open_cases
    assert len(_ids(client, h, "emergency.resources")) == _count(session, Resource.id > 0)
    open_now = _count(session, Incident.status == "open")
    assert len(_ids(client, h, "emergency.incidents")) == open_now == 2
    _county_operator(client, session, mine)
    _grid_worker(client, session)


def _county_operator(client: TestClient, session: Session, mine: int) -> None:
    h = _h(client, "mudanqu")  # 牡丹区 node operator
    devices = client.get("/api/v1/iot/devices", headers=h, params={"page_size": 500}).json()
    listed = {d["code"] for d in devices["items"] if d["status"] != "retired"}
    assert devices["total"] == len(devices["items"]) and listed
    in_district = session.scalars(
        select(Device.code).where(Device.district_code == "371702", Device.status != "retired")
    )
    assert set(_ids(client, h, "iot_devices")) == listed == set(in_district)

    channels = _pages(client, h, "/api/v1/video/channels")
    located = {str(c["id"]) for c in channels if c["lon"] is not None}
    in_district = session.scalars(
        select(VideoChannel.id).where(
            VideoChannel.district_code == "371702", VideoChannel.lon.is_not(None)
        )
    )
    assert set(_ids(client, h, "video.channels")) == located == {str(i) for i in in_district}

    cases = client.get("/api/v1/cases", headers=h, params={"limit": 500}).json()["items"]
    numbers = {c["number"] for c in cases if c["lon"] is not None}
    assert set(_ids(client, h, "cases.open")) == numbers
    assert set(client.get("/api/v1/cases/map/open", headers=h).json()["ids"]) == numbers

    resources = client.get("/api/v1/emergency/resources", headers=h).json()
    assert {r["district_code"] for r in resources} == {"371702"}
    assert sorted(_ids(client, h, "emergency.resources")) == sorted(str(r["id"]) for r in resources)
    assert len(resources) < session.scalar(select(func.count(Resource.id)))

    incidents = client.get("/api/v1/emergency/incidents?status=open", headers=h).json()
    assert {i["district_code"] for i in incidents} == {"371702"}  # not 东明县's open one
    assert [i["id"] for i in incidents] == [mine]
    assert _ids(client, h, "emergency.incidents") == [str(mine)]


def _grid_worker(client: TestClient, session: Session) -> None:
    h = _h(client, "wangge")
    cases = client.get("/api/v1/cases", headers=h, params={"limit": 500}).json()["items"]
    numbers = {c["number"] for c in cases if c["lon"] is not None}
    street = session.scalars(
        select(Case.number).where(
            open_clause(), Case.lon.is_not(None), Case.region_path.startswith(WANGGE + "/")
        )
    )
    assert set(_ids(client, h, "cases.open")) == numbers == set(street)
    assert set(client.get("/api/v1/cases/map/open", headers=h).json()["ids"]) == numbers
    everywhere = session.scalar(select(func.count()).where(open_clause(), Case.lon.is_not(None)))
    assert 0 < len(numbers) < (everywhere or 0)


def test_a_point_outside_the_callers_scope_is_not_found(
    client: TestClient, session: Session
) -> None:
    far = session.scalar(select(Resource.id).where(Resource.district_code == "371728").limit(1))
    url = f"{MAP}/layers/emergency.resources/points/{far}"
    r = client.get(url, headers=_h(client, "mudanqu"))
    assert r.status_code == 404 and r.json()["error"]["code"] == "ops.point_not_found"
    assert client.get(url, headers=_h(client, "zhiban")).json()["id"] == str(far)
