"""The emergency API and pages: permissions, the command flow over HTTP, the alert hand-off,
indicators and one-map layers."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from mudan.core.db import utcnow
from mudan.domains.emergency import service as es
from mudan.domains.emergency.enums import IncidentStatus
from mudan.domains.emergency.indicators import layers, open_incidents, report_timeliness
from mudan.hooks import TaskRequest, collect, make_plugin_manager
from tests.conftest import login_token
from tests.domains.emergency.conftest import FakeSms, principal, street_point, test_plan


def _h(client: TestClient, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {login_token(client, user)}"}


def test_permissions(client: TestClient, session: Session) -> None:
    zhiban, mudanqu = _h(client, "zhiban"), _h(client, "mudanqu")
    lon, lat = street_point(session, "东城街道")
    body = {"title": "火情", "event_type": "fire", "lon": lon, "lat": lat}
    # mudanqu (county operator) may read (its own county) but not command.
    r = client.post("/api/v1/emergency/incidents", json=body, headers=mudanqu)
    assert r.status_code == 403 and r.json()["error"]["code"] == "auth.forbidden"
    assert client.get("/api/v1/emergency/plans", headers=mudanqu).status_code == 200
    # a data officer holds no emergency permission at all
    gaj = _h(client, "gaj")
    assert client.get("/api/v1/emergency/plans", headers=gaj).status_code == 403
    r = client.post("/api/v1/emergency/incidents", json=body, headers=zhiban)
    assert r.status_code == 201, r.text
    iid = r.json()["incident"]["id"]
    for path, payload in (
        (f"/api/v1/emergency/incidents/{iid}/level", {"level": 2}),
        (f"/api/v1/emergency/incidents/{iid}/actions", {"text": "x"}),
        (f"/api/v1/emergency/incidents/{iid}/close", {"note": ""}),
    ):
        r = client.post(path, json=payload, headers=mudanqu)
        assert r.status_code == 403, path
    # The inbox is anyone's own: mudanqu may read theirs (empty).
    assert client.get("/api/v1/emergency/inbox/unread", headers=mudanqu).json() == {"unread": 0}


def test_command_flow_over_http(client: TestClient, session: Session, fake_sms: FakeSms) -> None:
    h = _h(client, "zhiban")
    r = client.post("/api/v1/emergency/plans", json=test_plan().model_dump(mode="json"), headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["levels"] == [1, 2, 4]
    lon, lat = street_point(session, "李进士堂镇")
    body = {"title": "鄄城黄河险情", "event_type": "flood", "lon": lon, "lat": lat,
            "plan_code": "T-FLOOD", "level": 2}  # fmt: skip
    r = client.post("/api/v1/emergency/incidents", json=body, headers=h)
    assert r.status_code == 201, r.text
    out = r.json()
    iid = out["incident"]["id"]
    assert out["incident"]["district_code"] == "371726" and out["incident"]["level"] == 2
    assert {d["recipient"] for d in out["notified"]} == {"孙总", "钱副", "刘洋"}
    assert sorted(x["title"] for x in out["reports"]) == ["续报", "首报"]
    assert len(fake_sms.sent) == 2
    r = client.post(f"/api/v1/emergency/incidents/{iid}/level", json={"level": 2}, headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "emergency.same_level"
    assert "Ⅱ" in r.json()["error"]["message"] or "2" in r.json()["error"]["message"]
    r = client.post(
        f"/api/v1/emergency/incidents/{iid}/reports", json={"content": "首报"}, headers=h
    )
    assert r.status_code == 201 and r.json()["status"] == "on_time"
    item = client.get(f"/api/v1/emergency/incidents/{iid}/checklist", headers=h).json()[0]
    r = client.post(f"/api/v1/emergency/incidents/{iid}/checklist/{item['id']}/done", headers=h)
    assert r.status_code == 200 and r.json()["done_by"] == "zhiban"
    r = client.put(f"/api/v1/emergency/incidents/{iid}/review", json={"summary": "x"}, headers=h)
    assert r.status_code == 409
    assert (
        client.post(f"/api/v1/emergency/incidents/{iid}/close", json={}, headers=h).status_code
        == 200
    )
    review = {"summary": "险情处置完毕", "lessons": "物资前置", "follow_ups": ["加固堤防"]}
    r = client.put(f"/api/v1/emergency/incidents/{iid}/review", json=review, headers=h)
    assert r.status_code == 200 and r.json()["timings"]["reports_on_time"] == 1
    kinds = [
        e["kind"]
        for e in client.get(f"/api/v1/emergency/incidents/{iid}/timeline", headers=h).json()
    ]
    assert kinds == ["opened", "level_set", "notified", "report", "checklist", "closed", "review"]
    deliveries = client.get(f"/api/v1/emergency/incidents/{iid}/deliveries", headers=h).json()
    assert {(d["channel"], d["provider"]) for d in deliveries} == {
        ("in_app", "in_app"), ("sms", "fake_sms"), ("voice", "log"),
    }  # fmt: skip
    r = client.get(
        f"/api/v1/emergency/resources/nearby?lon={lon}&lat={lat}&n=3&kind=material", headers=h
    )
    assert r.status_code == 200 and all(x["resource"]["kind"] == "material" for x in r.json())
    assert r.json()[0]["resource"]["owner_department_code"] == "371726004"
    # Bad input: outside Heze, with a Chinese message.
    far = {**body, "lon": 116.99, "lat": 36.65, "level": None}
    r = client.post("/api/v1/emergency/incidents", json=far, headers=h)
    assert r.status_code == 422 and r.json()["error"]["code"] == "emergency.outside_city"
    assert "菏泽" in r.json()["error"]["message"]
    me = principal(session, "mudanqu")
    assert me.user_id is not None
    assert es.unread_count(session, user_id=me.user_id) == 1


def test_pages(client: TestClient, session: Session) -> None:
    form = {"username": "zhiban", "password": "Mudan@Heze2024", "csrf_token": _csrf(client)}
    r = client.post("/login", data=form, follow_redirects=False)
    assert r.status_code == 303
    page = client.get("/emergency/incidents")
    assert page.status_code == 200 and "黄河东明段焦园乡滩区漫滩险情" in page.text
    lon, lat = street_point(session, "东城街道")
    r = client.post("/emergency/incidents", data={
        "title": "牡丹区商场火灾", "event_type": "fire", "lon": str(lon), "lat": str(lat),
        "csrf_token": _csrf(client)}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    url = r.headers["location"]
    r = client.post(f"{url}/level", data={"level": "2", "csrf_token": _csrf(client)},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    page = client.get(url)
    assert page.status_code == 200
    for text in (
        "牡丹区商场火灾",
        "Ⅱ级响应",
        "菏泽市火灾事故应急预案",
        "周边应急资源",
        "首报",
        "启动响应",
    ):
        assert text in page.text, text
    r = client.post(f"{url}/level", data={"level": "2", "csrf_token": _csrf(client)})
    assert r.status_code == 409 and "已处于" in r.text
    for path in ("/emergency/plans", "/emergency/resources", "/emergency/duty", "/emergency/inbox"):
        assert client.get(path).status_code == 200, path
    inbox = client.get("/emergency/inbox").text
    assert "牡丹区商场火灾" in inbox  # zhiban holds the duty role of the fire plan
    # Close and review through the forms; the review shows its measured timings.
    for verb, form in (("close", {"text": "火已扑灭"}),
                       ("review", {"summary": "商场火灾已扑灭", "lessons": "疏散通道堵塞",
                                   "follow_ups": "清理通道\n消防演练"})):  # fmt: skip
        r = client.post(f"{url}/{verb}", data={**form, "csrf_token": _csrf(client)},
                        follow_redirects=False)  # fmt: skip
        assert r.status_code == 303, (verb, r.text[:300])
    page = client.get(url).text
    for text in ("疏散通道堵塞", "消防演练", "最高响应级别", "已结束"):
        assert text in page, text
    plan_id = es.list_plans(session, event_type="fire")[0].id
    assert "总指挥" in client.get(f"/emergency/plans/{plan_id}").text


def _csrf(client: TestClient) -> str:
    import re

    html = client.get("/login").text
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m is not None
    return m.group(1)


def test_alert_handoff_indicators_and_layers(session: Session) -> None:
    zhiban = principal(session, "zhiban")
    lon, lat = street_point(session, "东城街道")
    task = TaskRequest(source="alert", title="积水超警", description="下穿立交积水 60cm",
                       category_code="flood", lon=lon, lat=lat, object_ref="alert:42")  # fmt: skip
    incident, created = es.open_from_alert(session, task=task, actor=zhiban, level=4)
    again, created_again = es.open_from_alert(session, task=task, actor=zhiban, level=4)
    assert created and not created_again and again.id == incident.id
    assert incident.source_ref == "alert:42" and incident.event_type == "flood"
    assert incident.level == 4
    tomorrow = utcnow().date() + timedelta(days=1)
    city, *districts = open_incidents(session, tomorrow)
    open_now = es.list_incidents(session, actor=zhiban, status=IncidentStatus.OPEN)
    assert incident in open_now and city.region_code == "3717"
    assert city.value == float(len(open_now)) == sum(d.value or 0 for d in districts)
    assert ("371702", 1.0) in [(d.region_code, d.value) for d in districts]
    # The demo's 2024 incident: Ⅳ 首报 in 58 of 120 min, Ⅲ 首报 in 50 of 60 min (on time).
    [c, *_] = report_timeliness(session, date(2024, 7, 20))
    assert (c.numerator, c.denominator) == (2.0, 3.0)  # the Ⅲ 续报 was never submitted
    assert report_timeliness(session, date(2020, 1, 1))[0].value is None
    by_code = {layer.code: layer for layer in layers()}
    pts = by_code["emergency.incidents"].points
    assert pts is not None and pts(session, zhiban).ids == sorted(str(i.id) for i in open_now)
    res = by_code["emergency.resources"].points
    assert res is not None
    assert len(res(session, zhiban).ids) == len(es.list_resources(session, actor=zhiban))
    es.close_incident(session, incident_id=incident.id, note="", actor=zhiban)
    assert open_incidents(session, tomorrow)[0].value == float(len(open_now) - 1)
    pm = make_plugin_manager()
    codes = {s.code for s in collect(pm.hook.mudan_indicators())}
    assert {"emergency.open_incidents", "emergency.report_timeliness"} <= codes
