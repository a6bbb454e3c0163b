"""The one-payload endpoint: real platform figures, indicator panels through the adapter, and a
broken panel that carries its error without breaking the rest of the screen."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from mudan.domains.catalog import service as catalog
from mudan.domains.ingest.rates import aggregation_rates
from mudan.domains.quality import service as quality
from tests.conftest import login_token
from tests.domains.ops.ops_fakes import FakeSource

DISTRICTS_AND_ZONES = 11  # 9 districts/counties + 2 development zones


def _payload(client: TestClient, headers: dict[str, str], code: str = "overview") -> dict:
    r = client.get(f"/api/v1/ops/screens/{code}/payload", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def _panels(body: dict, kind: str) -> list[dict]:
    return [p for p in body["panels"] if p["kind"] == kind]


def test_without_the_indicator_centre_panels_say_so(
    client: TestClient, admin_headers: dict[str, str], session: Session, no_indicator_centre: None
) -> None:
    body = _payload(client, admin_headers)
    assert body["indicator_centre"] is False and body["region"]["code"] == "3717"
    for kind in ("kpi", "trend", "ranking", "alerts"):
        for p in _panels(body, kind):
            assert p["state"] == "unavailable" and p["data"] is None
            assert p["error"] == "指标中心未安装：暂无数据来源"
    (plat,) = _panels(body, "platform")
    assert plat["state"] == "ok"
    assert plat["data"]["catalog_entries"] == catalog.count_entries(session) > 0
    city, _ = aggregation_rates(session)
    assert (plat["data"]["aggregated_tables"], plat["data"]["aggregated_on_time"]) == (
        city.due,
        city.on_time,
    )
    assert plat["data"]["aggregation_rate"] == city.rate
    scores = quality.table_scores(session)
    assert (plat["data"]["quality_score"] is None) == (not scores)
    (m,) = _panels(body, "map")
    assert m["state"] == "ok" and m["data"]["region_code"] == "3717"
    assert "regions" not in m["data"]  # the map is drawn, with no made-up values


def test_platform_panel_follows_real_catalog_and_aggregation(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    before = _panels(_payload(client, admin_headers, "data"), "platform")[0]["data"]
    gaj = {"Authorization": f"Bearer {login_token(client, 'gaj')}"}
    dsj = {"Authorization": f"Bearer {login_token(client, 'dsj')}"}
    entry = {
        "name": "菏泽市大屏测试表",
        "department_code": "371700002",
        "abstract": "测试",
        "theme": "交通",
        "category": "业务信息",
        "update_cycle": "daily",
        "share_type": "unconditional",
        "grade": "general",
        "aggregated": True,
        "key_columns": ["hphm"],
        "items": [{"name": "hphm", "label": "号牌号码"}],
    }
    eid = client.post("/api/v1/catalog/entries", headers=gaj, json=entry).json()["id"]
    base = f"/api/v1/catalog/entries/{eid}/transitions"
    assert client.post(base, headers=gaj, json={"action": "submit"}).status_code == 200
    assert client.post(base, headers=dsj, json={"action": "approve"}).status_code == 200
    csv = "号牌号码\n鲁R00001\n鲁R00002\n鲁R00003\n"
    r = client.post(
        "/api/v1/ingest/uploads",
        headers=gaj,
        data={"table_ref": f"d371700002.t{eid}"},
        files={"file": ("a.csv", csv.encode(), "text/csv")},
    )
    assert r.status_code == 202, r.text
    client.app.state.ctx.extras.pop("ops.platform", None)  # type: ignore[attr-defined]  # 1.5 s cache
    after = _panels(_payload(client, admin_headers, "data"), "platform")[0]["data"]
    assert after["catalog_entries"] == before["catalog_entries"] + 1
    assert after["aggregated_tables"] == before["aggregated_tables"] + 1
    assert after["aggregated_on_time"] == before["aggregated_on_time"] + 1
    assert after["aggregation_rate"] != before["aggregation_rate"]


def test_indicator_panels_through_the_adapter(
    client: TestClient, admin_headers: dict[str, str], fake: FakeSource
) -> None:
    fake.set("sense.video_online_rate", "3717", 96.5, name="视频在线率", unit="%", target=95.0)
    fake.set("env.aqi", "3717", 88.0)
    fake.set("env.aqi", "371702", 120.0)
    fake.set("env.pm25", "3717", 40.0)
    fake.raise_alert("red", "牡丹区 AQI 超过 200 持续 48 小时", "371702")
    body = _payload(client, admin_headers)
    assert body["indicator_centre"] is True and body["alert_cursor"] == 1
    perception = next(p for p in _panels(body, "kpi") if p["title"] == "城市感知")
    items = {i["code"]: i for i in perception["data"]["items"]}
    assert items["sense.video_online_rate"] == {
        "code": "sense.video_online_rate",
        "name": "视频在线率",
        "unit": "%",
        "value": 96.5,
        "target": 95.0,
    }
    assert items["sense.iot_online"]["value"] is None  # no source yet: no number
    (ranking,) = _panels(body, "ranking")
    regions = {r["region_code"]: r["value"] for r in ranking["data"]["regions"]}
    assert (
        len(regions) == DISTRICTS_AND_ZONES
        and regions["371702"] == 120.0
        and regions["371721"] is None
    )
    (m,) = _panels(body, "map")
    assert {r["region_code"]: r["value"] for r in m["data"]["regions"]} == regions
    (trend,) = _panels(body, "trend")
    assert [v for _, v in trend["data"]["points"]] == [40.0, 41.0, 42.0, 43.0, 44.0]
    (alerts,) = _panels(body, "alerts")
    assert alerts["data"]["items"][0] | {"at": None} == {
        "type": "alert",
        "id": 1,
        "level": "red",
        "title": "牡丹区 AQI 超过 200 持续 48 小时",
        "region_code": "371702",
        "at": None,
    }


def test_a_broken_indicator_breaks_only_its_panel(
    client: TestClient, admin_headers: dict[str, str], fake: FakeSource
) -> None:
    fake.set("env.aqi", "3717", 88.0)
    fake.broken.add("env.pm25")
    body = _payload(client, admin_headers)
    (trend,) = _panels(body, "trend")
    assert trend["state"] == "ok"  # series() works; latest_values() is what is broken
    broken = [p for p in body["panels"] if p["state"] == "error"]
    assert broken == []  # pm25 is only charted as a series on the overview
    body = _payload(client, admin_headers, "environment")
    errors = {p["title"]: p["error"] for p in body["panels"] if p["state"] == "error"}
    assert set(errors) == {"PM2.5 分布", "城市体征", "各区县 PM2.5"}
    assert all("division by zero" in e for e in errors.values())
    assert {p["title"] for p in body["panels"] if p["state"] == "ok"} == {"AQI 趋势"}


def test_drill_down_values_for_streets(
    client: TestClient, admin_headers: dict[str, str], fake: FakeSource
) -> None:
    fake.set("env.aqi", "371702001000", 77.0)
    r = client.get(
        "/api/v1/ops/regions/371702/values", headers=admin_headers, params={"indicator": "env.aqi"}
    )
    body = r.json()
    assert r.status_code == 200 and body["available"] is True
    values = {x["region_code"]: x["value"] for x in body["regions"]}
    assert values["371702001000"] == 77.0 and len(values) > 5
    assert all(code.startswith("371702") for code in values)


def test_a_district_operator_sees_its_own_district(client: TestClient, fake: FakeSource) -> None:
    fake.set("env.aqi", "371702001000", 77.0)
    h = {"Authorization": f"Bearer {login_token(client, 'mudanqu')}"}
    body = _payload(client, h)
    assert body["region"]["code"] == "371702"
    (ranking,) = _panels(body, "ranking")
    codes = [r["region_code"] for r in ranking["data"]["regions"]]
    assert codes and all(c.startswith("371702") and len(c) == 12 for c in codes)
    r = client.get("/api/v1/ops/screens/overview/payload", headers=h, params={"region": "371721"})
    assert r.status_code == 404  # another district is not opened
