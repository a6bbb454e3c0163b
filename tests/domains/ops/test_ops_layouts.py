"""Big-screen layouts are data: defaults, admin edits (audited), refusals of bad layouts."""

from __future__ import annotations

import copy
import json
import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.audit import AuditRecord
from mudan.domains.org.demo import DEMO_PASSWORD
from tests.conftest import login_token


def _layout(client: TestClient, headers: dict[str, str], code: str = "overview") -> dict:
    r = client.get(f"/api/v1/ops/screens/{code}", headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    for p in body["panels"]:
        p.pop("id")
    body.pop("stored"), body.pop("updated_by")
    return body


def test_demo_world_stores_the_default_carousel(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    screens = client.get("/api/v1/ops/screens", headers=admin_headers).json()
    assert [s["code"] for s in screens] == ["overview", "data", "environment"]
    assert all(s["stored"] for s in screens)  # the demo hook stored them
    kinds = {p["kind"] for s in screens for p in s["panels"]}
    assert kinds == {"map", "kpi", "trend", "ranking", "alerts", "platform"}


def test_admin_edits_a_layout_and_it_is_audited(
    client: TestClient, admin_headers: dict[str, str], session: Session
) -> None:
    body = _layout(client, admin_headers)
    body["title"] = "全市运行总览"
    body["panels"][0]["codes"] = ["data.catalogs"]
    body["panels"][0]["kind"] = "kpi"
    r = client.put("/api/v1/ops/screens/overview", headers=admin_headers, json=body)
    assert r.status_code == 200, r.text
    again = client.get("/api/v1/ops/screens/overview", headers=admin_headers).json()
    assert again["title"] == "全市运行总览" and again["updated_by"] == "admin"
    assert again["panels"][0]["kind"] == "kpi" and again["panels"][0]["codes"] == ["data.catalogs"]
    assert len(again["panels"]) == len(body["panels"])
    actions = session.scalars(
        select(AuditRecord.action).where(AuditRecord.object_type == "ops_screen")
    ).all()
    assert actions == ["ops.screen_saved"]
    r = client.delete("/api/v1/ops/screens/overview", headers=admin_headers)
    assert r.status_code == 200 and r.json()["default"]["title"] == "一屏观全市"
    after = client.get("/api/v1/ops/screens/overview", headers=admin_headers).json()
    assert after["stored"] is False and after["title"] == "一屏观全市"


def test_new_screen_joins_the_carousel(client: TestClient, admin_headers: dict[str, str]) -> None:
    body = _layout(client, admin_headers, "environment")
    body |= {"code": "night", "title": "夜间值守", "position": 9}
    r = client.put("/api/v1/ops/screens/night", headers=admin_headers, json=body)
    assert r.status_code == 200, r.text
    codes = [s["code"] for s in client.get("/api/v1/ops/screens", headers=admin_headers).json()]
    assert codes[-1] == "night"


def test_bad_layouts_are_refused_and_nothing_changes(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    good = _layout(client, admin_headers)
    cases = []
    overlap = copy.deepcopy(good)
    overlap["panels"][1] |= {"x": 0, "y": 0}
    cases.append((overlap, "overlap"))
    outside = copy.deepcopy(good)
    outside["panels"][0] |= {"x": 20, "w": 6}
    cases.append((outside, "does not fit"))
    kind = copy.deepcopy(good)
    kind["panels"][0]["kind"] = "pie"
    cases.append((kind, "kind"))
    code = copy.deepcopy(good)
    code["panels"][0]["codes"] = ["DROP TABLE x"]
    cases.append((code, "not an indicator code"))
    for body, why in cases:
        r = client.put("/api/v1/ops/screens/overview", headers=admin_headers, json=body)
        assert r.status_code == 422, why
        assert r.json()["error"]["code"] == "request.invalid"
        assert why in str(r.json()["error"]["details"]), (why, r.json())
    r = client.put("/api/v1/ops/screens/data", headers=admin_headers, json=good)
    assert r.status_code == 422 and r.json()["error"]["code"] == "ops.code_mismatch"
    assert "不一致" in r.json()["error"]["message"]
    assert _layout(client, admin_headers) == good


def test_only_indicator_managers_edit_layouts(client: TestClient) -> None:
    zhiban = {"Authorization": f"Bearer {login_token(client, 'zhiban')}"}
    assert client.get("/api/v1/ops/screens", headers=zhiban).status_code == 200
    body = _layout(client, zhiban)
    r = client.put("/api/v1/ops/screens/overview", headers=zhiban, json=body)
    assert r.status_code == 403 and r.json()["error"]["code"] == "auth.forbidden"
    wangge = {"Authorization": f"Bearer {login_token(client, 'wangge')}"}
    r = client.get("/api/v1/ops/screens/overview/payload", headers=wangge)
    assert r.status_code == 403  # a grid worker sees the map, not the big screen
    assert client.get("/api/v1/ops/map/layers", headers=wangge).status_code == 200


def test_unknown_screen(client: TestClient, admin_headers: dict[str, str]) -> None:
    r = client.get("/api/v1/ops/screens/nope/payload", headers=admin_headers)
    assert r.status_code == 404 and r.json()["error"]["code"] == "ops.screen_not_found"


def _csrf(client: TestClient, path: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert m
    return m[1]


def test_layout_editor_page_saves_and_shows_errors(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    form = {"username": "admin", "password": DEMO_PASSWORD, "csrf_token": _csrf(client, "/login")}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303
    page = client.get("/ops/screens")
    assert page.status_code == 200 and "大屏布局" in page.text
    csrf = _csrf(client, "/ops/screens")
    r = client.post(
        "/ops/screens/overview", data={"layout": '{"code": "overview"', "csrf_token": csrf}
    )
    assert r.status_code == 422 and "布局无效" in r.text
    body = _layout(client, admin_headers)
    body["title"] = "页面编辑"
    text = json.dumps(body, ensure_ascii=False)
    r = client.post("/ops/screens/overview", data={"layout": text, "csrf_token": csrf})
    assert r.status_code == 200 and "已保存大屏 overview" in r.text
    assert _layout(client, admin_headers)["title"] == "页面编辑"


def test_every_built_in_panel_names_a_registered_indicator(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    from mudan.domains.ops.defaults import default_screens

    r = client.get("/api/v1/indicators", headers=admin_headers)
    assert r.status_code == 200, r.text
    registered = {x["code"] for x in r.json()}
    used = {(s.code, p.title, c) for s in default_screens() for p in s.panels for c in p.codes}
    assert len(used) > 10
    assert sorted(u for u in used if u[2] not in registered) == []
    stored = client.get("/api/v1/ops/screens", headers=admin_headers).json()
    assert {c for s in stored for p in s["panels"] for c in p["codes"]} <= registered
