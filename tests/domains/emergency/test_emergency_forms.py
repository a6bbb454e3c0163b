"""The plan, resource and duty forms: who may use them, Chinese validation messages, create
and edit (a plan's roles are matched by code, so incidents' checklist items keep their role)."""

from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.db import make_engine, make_sessionmaker
from mudan.domains.emergency import service as es
from mudan.domains.emergency.models import DutyShift, Plan, Resource
from mudan.domains.org.demo import DEMO_PASSWORD
from mudan.settings import Settings


def _login(client: TestClient, username: str) -> str:
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    form = {"username": username, "password": DEMO_PASSWORD, "csrf_token": token.group(1)}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/emergency/plans").text)
    assert csrf
    return csrf.group(1)


PLAN = {
    "code": "T-FIRE",
    "name": "测试火灾预案",
    "event_type": "fire",
    "department_code": "371700017",
    "summary": "",
    "level-2-on": "on",
    "level-2-criteria": "死亡 3 人以上",
    "level-2-reports": "首报 30\n续报 120",
    "level-4-on": "on",
    "level-4-reports": "首报 120",
    "roles-0-code": "commander",
    "roles-0-name": "总指挥",
    "roles-0-check-2": "召开指挥部会议\n部署处置",
    "roles-0-holders": "孙总,mudanqu,13800001111,sms",
    "roles-1-code": "duty",
    "roles-1-name": "值班",
    "roles-1-check-4": "两小时内首报",
}


def test_reader_sees_lists_but_not_forms(client: TestClient) -> None:
    _login(client, "mudanqu")  # emergency.read, not emergency.command
    for path in ("/emergency/plans", "/emergency/resources", "/emergency/duty"):
        page = client.get(path)
        assert page.status_code == 200 and "/new" not in page.text
    for path in ("/emergency/plans/new", "/emergency/resources/new", "/emergency/duty/new"):
        assert client.get(path).status_code == 403
    csrf = _login(client, "mudanqu")
    r = client.post("/emergency/plans/new", data={**PLAN, "csrf_token": csrf})
    assert r.status_code == 403


def test_plan_form_creates_edits_and_explains_in_chinese(
    client: TestClient, settings: Settings
) -> None:
    csrf = _login(client, "zhiban")
    assert "新建预案" in client.get("/emergency/plans").text
    bad = client.post(
        "/emergency/plans/new", data={**PLAN, "code": "", "event_type": "x", "csrf_token": csrf}
    )
    assert bad.status_code == 422
    assert "编号：必填" in bad.text and "事件类型：取值不在可选范围内" in bad.text
    assert 'value="测试火灾预案"' in bad.text  # the form comes back filled in
    bad = client.post(
        "/emergency/plans/new",
        data={**PLAN, "level-2-reports": "首报三十分钟", "csrf_token": csrf},
    )
    assert "信息报送时限“首报三十分钟”格式不对" in bad.text
    bad = client.post(
        "/emergency/plans/new", data={**PLAN, "roles-1-check-3": "x", "csrf_token": csrf}
    )
    assert "职责清单引用了预案未定义的 3 级" in bad.text

    r = client.post("/emergency/plans/new", data={**PLAN, "csrf_token": csrf})
    assert r.status_code == 200 and "测试火灾预案" in r.text  # followed to the plan page
    engine = make_engine(settings.database.url)
    with make_sessionmaker(engine)() as s:
        plan = s.scalar(select(Plan).where(Plan.code == "T-FIRE"))
        assert plan is not None
        assert [lv.level for lv in plan.levels] == [2, 4]
        assert plan.levels[0].reports == [
            {"title": "首报", "minutes": 30},
            {"title": "续报", "minutes": 120},
        ]
        commander = plan.roles[0]
        assert commander.checklists == {"2": ["召开指挥部会议", "部署处置"]}
        assert [(h.name, h.phone, h.channels) for h in commander.holders] == [
            ("孙总", "13800001111", ["sms"])
        ]
        assert commander.holders[0].user_id is not None
        plan_id, commander_id = plan.id, commander.id

    edit = client.get(f"/emergency/plans/{plan_id}/edit").text
    assert "孙总,mudanqu,13800001111,sms" in edit and "首报 30" in edit
    changed = {**PLAN, "name": "火灾预案（修订）", "roles-0-check-2": "召开指挥部会议"}
    del changed["roles-1-code"], changed["roles-1-name"], changed["roles-1-check-4"]
    r = client.post(f"/emergency/plans/{plan_id}/edit", data={**changed, "csrf_token": csrf})
    assert r.status_code == 200 and "火灾预案（修订）" in r.text
    with make_sessionmaker(engine)() as s:
        plan = es.get_plan(s, plan_id=plan_id)
        assert [r.code for r in plan.roles] == ["commander"]
        assert plan.roles[0].id == commander_id  # updated in place
        assert plan.roles[0].checklists == {"2": ["召开指挥部会议"]}
    engine.dispose()


def test_resource_and_duty_forms(client: TestClient, settings: Settings, session: Session) -> None:
    csrf = _login(client, "zhiban")
    form = {
        "code": "T-TEAM-1",
        "name": "东城街道防汛突击队",
        "kind": "team",
        "lon": "abc",
        "lat": "35.25",
        "capacity": "30",
        "unit": "人",
        "owner_department_code": "371700017",
        "csrf_token": csrf,
    }
    bad = client.post("/emergency/resources/new", data=form)
    assert bad.status_code == 422 and "经度：须为数字" in bad.text
    bad = client.post("/emergency/resources/new", data={**form, "lon": "100"})
    assert bad.status_code == 422 and "不在菏泽市范围内" in bad.text
    lon, lat = session.execute(
        select(Resource.lon, Resource.lat).order_by(Resource.id).limit(1)
    ).one()  # a point in the city: a demo resource's
    r = client.post("/emergency/resources/new", data={**form, "lon": str(lon), "lat": str(lat)})
    assert r.status_code == 200 and "东城街道防汛突击队" in r.text
    rid = session.scalar(select(Resource.id).where(Resource.code == "T-TEAM-1"))
    assert rid is not None
    r = client.post(
        f"/emergency/resources/{rid}/edit",
        data={**form, "lon": str(lon), "lat": str(lat), "capacity": "45"},
    )
    assert r.status_code == 200 and "45 人" in r.text

    day = date.today().isoformat()
    duty = {"day": day, "shift": "night", "post": "leader", "name": "周明", "csrf_token": csrf}
    bad = client.post("/emergency/duty/new", data={**duty, "day": "明天"})
    assert bad.status_code == 422 and "日期：日期格式不正确" in bad.text
    assert client.post("/emergency/duty/new", data=duty).status_code == 200
    again = client.post("/emergency/duty/new", data=duty)
    assert again.status_code == 409 or "已排班" in again.text
    session.expire_all()
    did = session.scalar(select(DutyShift.id).where(DutyShift.name == "周明"))
    assert did is not None
    page = client.post(f"/emergency/duty/{did}/edit", data={**duty, "name": "周明亮"}).text
    assert "周明亮" in page
    r = client.post(f"/emergency/duty/{did}/delete", data={"csrf_token": csrf})
    assert r.status_code == 200 and "周明亮" not in r.text
