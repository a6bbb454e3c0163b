"""Who sees which emergency resources and duty shifts (docs/emergency.md, "Who sees what"): a
county operator gets their own county in full and the other counties only as counts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.core.errors import Forbidden
from mudan.domains.emergency import service as es
from mudan.domains.emergency.enums import ResourceKind, Shift
from mudan.domains.emergency.models import DutyShift, Resource
from mudan.domains.emergency.schemas import DutyIn, ResourceIn
from mudan.kernel.enums import Role
from mudan.kernel.rbac import Principal
from tests.conftest import login_token
from tests.domains.emergency.conftest import principal, street_point

API = "/api/v1/emergency"


def _h(client: TestClient, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {login_token(client, user)}"}


def test_county_operator_sees_own_county_in_full_and_others_in_summary(
    client: TestClient, session: Session
) -> None:
    total = session.scalar(select(func.count(Resource.id))) or 0
    mine = set(session.scalars(select(Resource.id).where(Resource.district_code == "371702")))
    h = _h(client, "mudanqu")
    listed = client.get(f"{API}/resources", headers=h).json()
    assert {r["id"] for r in listed} == mine and 0 < len(mine) < total
    assert len(client.get(f"{API}/resources", headers=_h(client, "zhiban")).json()) == total
    # other counties: only how many of each kind and how much capacity
    summary = client.get(f"{API}/resources/summary", headers=h).json()
    assert sum(s["count"] for s in summary) == total
    assert {s["district_code"] for s in summary} >= {"371702", "371728"}
    assert set(summary[0]) == {"district_code", "kind", "unit", "count", "capacity"}
    # nearest resources to a point in 东明县 are still only his own
    far = session.scalar(select(Resource).where(Resource.code == "WH-371728"))
    assert far is not None
    near = client.get(f"{API}/resources/nearby?lon={far.lon}&lat={far.lat}&n=50", headers=h)
    assert {x["resource"]["id"] for x in near.json()} == mine
    # the page of another county's resource is refused; his own opens
    r = client.get(f"/emergency/resources/{far.id}", headers=h)
    assert r.status_code == 403 and "WH-371728" in r.text
    assert client.get(f"/emergency/resources/{min(mine)}", headers=h).status_code == 200
    page = client.get("/emergency/resources", headers=h).text
    assert 'id="aid-summary"' in page and far.name not in page


def test_duty_roster_is_the_callers_own(client: TestClient, session: Session) -> None:
    zhiban = principal(session, "zhiban")
    today = date.today()
    county = DutyIn(day=today, shift=Shift.DAY, name="牡丹区值班员", department_code="371702004")
    es.assign_duty(session, data=county, actor=zhiban)
    session.commit()
    city_rows = session.scalar(select(func.count(DutyShift.id))) or 0
    h = _h(client, "mudanqu")
    roster = client.get(f"{API}/duty?start={today.isoformat()}&days=1", headers=h).json()
    assert [d["name"] for d in roster] == ["牡丹区值班员"]  # not the city centre's roster
    start = (today - timedelta(days=3)).isoformat()
    weeks = client.get(f"{API}/duty?start={start}&days=20", headers=h).json()
    assert [d["name"] for d in weeks] == ["牡丹区值班员"]  # the demo's city roster spans these
    now = client.get(f"{API}/duty/now", headers=h).json()
    assert {d["department_code"] for d in now} <= {"371702004"}
    city = client.get(f"{API}/duty?start={today.isoformat()}&days=1", headers=_h(client, "zhiban"))
    assert len(city.json()) > 1 and city_rows > 1
    assert "牡丹区值班员" in client.get("/emergency/duty", headers=h).text


def test_a_county_commander_acts_only_in_the_county(session: Session) -> None:
    """A duty officer bound to 牡丹区 (not in the demo, but a deployment may have one)."""
    local = Principal(
        user_id=None, username="mdq-duty", display_name="x", roles=frozenset({Role.DUTY_OFFICER}),
        scope_paths=("3717/371702",), via="test",
    )  # fmt: skip
    locator = es.locator_of(session)
    lon, lat = street_point(session, "东城街道")
    ok = ResourceIn(code="T-MDQ", name="东城救援队", kind=ResourceKind.TEAM, lon=lon, lat=lat,
                    owner_department_code="371702004")  # fmt: skip
    made = es.create_resource(session, data=ok, actor=local, locator=locator)
    assert made.district_code == "371702"
    far = session.scalar(select(Resource).where(Resource.code == "WH-371728"))
    assert far is not None
    elsewhere = ok.model_copy(update={"code": "T-FAR", "lon": far.lon, "lat": far.lat})
    with pytest.raises(Forbidden):
        es.create_resource(session, data=elsewhere, actor=local, locator=locator)
    with pytest.raises(Forbidden):
        es.get_resource(session, resource_id=far.id, actor=local)
    moved = ok.model_copy(update={"lon": far.lon, "lat": far.lat})
    with pytest.raises(Forbidden):  # nor move one of his own out of the county
        es.update_resource(session, resource_id=made.id, data=moved, actor=local, locator=locator)
    day = date(2030, 1, 1)
    es.assign_duty(
        session, data=DutyIn(day=day, shift=Shift.DAY, name="甲", department_code="371702004"),
        actor=local,
    )  # fmt: skip
    with pytest.raises(Forbidden):
        es.assign_duty(
            session, data=DutyIn(day=day, shift=Shift.DAY, name="乙", department_code="371703004"),
            actor=local,
        )  # fmt: skip
    city_shift = session.scalar(
        select(DutyShift.id).where(DutyShift.department_code == "371700009")
    )
    assert city_shift is not None
    with pytest.raises(Forbidden):
        es.remove_duty(session, duty_id=city_shift, actor=local)
    assert [d.name for d in es.roster(session, start=day, days=1, actor=local)] == ["甲"]
