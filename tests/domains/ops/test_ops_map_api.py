"""One-map API: layers from every domain, server-side clusters that add up, bbox filtering,
point details, tile configuration."""

from __future__ import annotations

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from mudan.domains.ops.map_views import tile_config
from mudan.domains.ops.mapdata import generate_demo_points, set_demo_points
from mudan.settings import MapSettings
from tests.conftest import login_token

N = 290_000
SEED = 3717
LAYER = "/api/v1/ops/map/layers/ops.demo"


@pytest.fixture
def full(session: Session) -> None:
    set_demo_points(session, count=N, seed=SEED)
    session.commit()


def test_layers_include_boundaries_and_point_layers(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    layers = {
        x["code"]: x for x in client.get("/api/v1/ops/map/layers", headers=admin_headers).json()
    }
    assert {"districts", "streets", "grids", "ops.demo"} <= set(layers)
    assert layers["districts"]["kind"] == "polygon" and layers["districts"]["name"] == "区县"
    assert layers["ops.demo"]["url"] == f"{LAYER}/clusters"
    gj = client.get(layers["districts"]["url"], headers=admin_headers).json()
    assert len(gj["features"]) == 9


def test_demo_scale_sets_the_layer_size(client: TestClient, admin_headers: dict[str, str]) -> None:
    body = client.get(f"{LAYER}/clusters", headers=admin_headers, params={"zoom": 5}).json()
    assert body["total"] == round(N * 0.01)  # the test world is built at scale 0.01
    assert sum(body["clusters"]["count"]) == body["total"]


def test_cluster_counts_add_up_at_every_zoom(
    client: TestClient, admin_headers: dict[str, str], full: None
) -> None:
    cells = []
    for zoom in range(0, 13):
        r = client.get(f"{LAYER}/clusters", headers=admin_headers, params={"zoom": zoom})
        assert r.status_code == 200, r.text
        body = r.json()
        c = body["clusters"]
        assert body["total"] == body["in_view"] == N
        assert sum(c["count"]) == N
        assert len(c["lon"]) == len(c["lat"]) == len(c["count"]) == len(c["id"])
        singles = [i for i, n in enumerate(c["count"]) if n == 1]
        assert all(c["id"][i] for i in singles)
        assert all(c["id"][i] is None for i, n in enumerate(c["count"]) if n > 1)
        cells.append(len(c["count"]))
    assert cells == sorted(cells) and cells[0] < 5 < 1000 < cells[-1]


def test_bbox_filters_and_counts_match_the_points_inside(
    client: TestClient, admin_headers: dict[str, str], full: None
) -> None:
    pts = generate_demo_points(N, SEED)
    lons, lats = np.array(pts.lons), np.array(pts.lats)
    for bbox, zoom in (((115.3, 35.1, 115.6, 35.4), 11), ((115.45, 35.2, 115.5, 35.25), 16)):
        w, s, e, n = bbox
        inside = int(((lons >= w) & (lons <= e) & (lats >= s) & (lats <= n)).sum())
        params = {"zoom": zoom, "bbox": ",".join(map(str, bbox))}
        body = client.get(f"{LAYER}/clusters", headers=admin_headers, params=params).json()
        assert body["total"] == N and body["in_view"] == inside > 0
        assert sum(body["clusters"]["count"]) == inside
        c = body["clusters"]
        assert all(w <= x <= e for x in c["lon"]) and all(s <= y <= n for y in c["lat"])


def test_point_detail_and_link(
    client: TestClient, admin_headers: dict[str, str], full: None
) -> None:
    params = {"zoom": 18, "bbox": "115.45,35.2,115.47,35.22"}
    c = client.get(f"{LAYER}/clusters", headers=admin_headers, params=params).json()["clusters"]
    pid = next(i for i, n in zip(c["id"], c["count"], strict=True) if n == 1)
    d = client.get(f"{LAYER}/points/{pid}", headers=admin_headers).json()
    assert d["id"] == pid and d["href"] == f"/ops/map/points/ops.demo/{pid}"
    assert 115.45 <= d["lon"] <= 115.47 and d["label"].endswith(pid)
    page = client.get(d["href"], headers=admin_headers)
    assert page.status_code == 200 and pid in page.text
    r = client.get(f"{LAYER}/points/P999999", headers=admin_headers)
    assert r.status_code == 404 and r.json()["error"]["code"] == "ops.point_not_found"


def test_bad_requests(client: TestClient, admin_headers: dict[str, str], full: None) -> None:
    for bbox in ("1,2,3", "a,b,c,d", "116,35,115,36", "0,-95,1,0"):
        r = client.get(f"{LAYER}/clusters", headers=admin_headers, params={"zoom": 9, "bbox": bbox})
        assert r.status_code == 422 and r.json()["error"]["code"] == "ops.bad_bbox", bbox
        assert "bbox" in r.json()["error"]["message"]
    r = client.get(f"{LAYER}/clusters", headers=admin_headers, params={"zoom": 18})
    assert r.status_code == 422 and r.json()["error"]["code"] == "ops.bbox_too_large"
    r = client.get(f"{LAYER}/clusters", headers=admin_headers, params={"zoom": 30})
    assert r.status_code == 422
    r = client.get(
        "/api/v1/ops/map/layers/districts/clusters", headers=admin_headers, params={"zoom": 3}
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "ops.not_a_point_layer"
    r = client.get(
        "/api/v1/ops/map/layers/nope/clusters", headers=admin_headers, params={"zoom": 3}
    )
    assert r.status_code == 404 and r.json()["error"]["code"] == "ops.layer_not_found"


def test_raw_geojson_has_every_point(
    client: TestClient, admin_headers: dict[str, str], session: Session
) -> None:
    set_demo_points(session, count=5000, seed=7)
    session.commit()
    r = client.get(f"{LAYER}/geojson", headers=admin_headers)
    assert r.headers["content-type"] == "application/geo+json"
    gj = r.json()
    pts = generate_demo_points(5000, 7)
    assert len(gj["features"]) == 5000
    last = gj["features"][-1]
    assert last["geometry"] == {"type": "Point", "coordinates": [pts.lons[-1], pts.lats[-1]]}
    assert last["properties"] == {"id": pts.ids[-1], "label": (pts.labels or [])[-1]}


def test_points_lie_inside_their_district() -> None:
    import shapely
    from shapely.geometry import shape

    from mudan.kernel.geo import district_features

    pts = generate_demo_points(20_000, 11)
    city = shapely.union_all([shape(f["geometry"]) for f in district_features()])
    assert shapely.contains_xy(city, np.array(pts.lons), np.array(pts.lats)).mean() > 0.999
    assert generate_demo_points(20_000, 11) is pts  # cached and deterministic
    again = generate_demo_points.__wrapped__(20_000, 11)
    assert again.lons == pts.lons and again.ids == pts.ids


def test_tile_configuration() -> None:
    off = tile_config(MapSettings(), "zh")
    assert off["mode"] == "offline" and off["tiles"] == [] and off["approval_no"] == ""
    tdt = tile_config(
        MapSettings(tiles="tianditu", tianditu_key="k123", approval_no="GS(2024)1234号"), "zh"
    )
    assert tdt["mode"] == "tianditu" and len(tdt["tiles"]) == 2
    assert all("tk=k123" in x["url"] and "{z}" in x["url"] for x in tdt["tiles"])
    assert tdt["approval_no"] == "GS(2024)1234号"
    assert tile_config(MapSettings(tiles="tianditu"), "zh")["mode"] == "offline"  # no key
    xyz = tile_config(MapSettings(tiles="xyz", xyz_url="https://t.example/{z}/{x}/{y}.png"), "zh")
    assert xyz["tiles"][0]["url"].endswith("{z}/{x}/{y}.png")


def test_map_permissions(client: TestClient) -> None:
    kaohe = {"Authorization": f"Bearer {login_token(client, 'kaohe')}"}  # evaluator: has map.view
    assert client.get("/api/v1/ops/map/config", headers=kaohe).json()["mode"] == "offline"
    call = {"Authorization": f"Bearer {login_token(client, 'gaj')}"}  # data officer: map.view too
    assert client.get("/api/v1/ops/map/layers", headers=call).status_code == 200
