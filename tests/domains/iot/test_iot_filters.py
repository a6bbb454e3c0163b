"""The device list's filters are one model (``DeviceQuery``) for the page and the API: the same
filter gives the same devices, and a bad enum value is a 422 ``request.invalid`` naming the
field in the API and a Chinese message on the page (which still lists, unfiltered by it)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.domains.iot.models import Device
from tests.conftest import login_token


def test_page_and_api_filter_alike_and_refuse_bad_values_alike(
    client: TestClient, session: Session
) -> None:
    h = {"Authorization": f"Bearer {login_token(client, 'admin')}"}
    want = session.scalar(
        select(func.count()).where(Device.type == "smoke", Device.status == "active")
    )
    api = client.get("/api/v1/iot/devices?type=smoke&status=active&online=", headers=h)
    assert api.status_code == 200 and api.json()["total"] == want
    page = client.get("/iot/devices?type=smoke&status=active&online=", headers=h)
    assert page.status_code == 200 and 'id="filter-error"' not in page.text
    labels = {"type": "类型", "status": "状态", "online": "在线"}
    for field, value in (("type", "toaster"), ("status", "gone"), ("online", "maybe")):
        api = client.get(f"/api/v1/iot/devices?{field}={value}", headers=h)
        assert api.status_code == 422, api.text
        err = api.json()["error"]
        assert err["code"] == "request.invalid"
        assert [d["loc"] for d in err["details"]] == [["query", field]]
        page = client.get(f"/iot/devices?{field}={value}", headers=h)
        assert page.status_code == 422
        assert f"筛选条件无效，已忽略：{labels[field]}。" in page.text
