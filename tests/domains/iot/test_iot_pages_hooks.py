"""Pages render for a reader; indicators and the map layer come through the hooks."""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.domains.iot.models import Device, Latest
from mudan.domains.iot.parse import BEIJING
from mudan.hooks import collect, make_plugin_manager
from mudan.kernel.enums import Role
from mudan.kernel.rbac import Principal
from tests.conftest import login_token

ADMIN = Principal(
    user_id=None, username="t", display_name="t", roles=frozenset({Role.ADMIN}),
    scope_paths=("3717",),
)  # fmt: skip


def test_pages(client: TestClient, session: Session) -> None:
    h = {"Authorization": f"Bearer {login_token(client, 'zhiban')}"}
    reported = session.scalars(select(Device).join(Latest, Latest.device_id == Device.id)).first()
    assert reported is not None
    page = client.get("/iot/devices?type=smoke", headers=h)
    assert page.status_code == 200 and "物联感知终端" in page.text and "烟感" in page.text
    detail = client.get(f"/iot/devices/{reported.code}", headers=h)
    assert detail.status_code == 200 and reported.code in detail.text and "echarts" in detail.text
    online = client.get("/iot/online?by=region", headers=h)
    assert online.status_code == 200 and "在线率" in online.text and "371702" in online.text
    assert client.get("/iot/dead-letters", headers=h).status_code == 200
    grid = {"Authorization": f"Bearer {login_token(client, 'wangge')}"}
    assert client.get("/iot/devices", headers=grid).status_code == 403


def test_indicators_and_map_layer(session: Session) -> None:
    pm = make_plugin_manager()
    specs = {s.code: s for s in collect(pm.hook.mudan_indicators())}
    day = datetime.now(BEIJING).date()
    terminals = specs["iot.terminals"].compute(session, day)  # type: ignore[misc]
    live = session.scalar(select(func.count()).where(Device.status != "retired"))
    assert terminals[0].region_code == "3717" and terminals[0].value == live
    rate = specs["iot.online_rate"]
    assert rate.target == 95.0 and rate.section == "sense"
    values = rate.compute(session, day)  # type: ignore[misc]
    city = values[0]
    assert city.region_code == "3717" and city.value is not None and 0 < city.value < 100
    assert city.numerator is not None and city.denominator is not None
    layer = next(m for m in collect(pm.hook.mudan_map_layers()) if m.code == "iot_devices")
    pts = layer.points(session, ADMIN)  # type: ignore[misc]
    assert len(pts.ids) == len(pts.lons) == len(pts.lats) == live
