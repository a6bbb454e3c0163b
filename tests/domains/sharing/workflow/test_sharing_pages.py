"""Sharing pages: the request form round trip, the timeline, the decision form, the inbox,
grants with revoke, usage, rates and nodes; errors are shown in place."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient

from tests.domains.sharing.conftest import World, bearer


def _form(code: str) -> dict[str, str]:
    return {
        "entry_code": code,
        "items": "bh, xm，ssqx",
        "region_codes": "371702",
        "purpose": "社区人口服务",
        "legal_basis": "《山东省公共数据管理办法》",
        "period_start": date.today().isoformat(),
        "period_end": (date.today() + timedelta(days=30)).isoformat(),
        "systems": "社区治理平台",
    }


def test_request_form_timeline_and_decisions(client: TestClient, world: World) -> None:
    asker, gaj, dsj = bearer(client, "mudanqu"), bearer(client, "gaj"), bearer(client, "dsj")
    assert client.get("/share/requests/new", headers=asker).status_code == 200
    r = client.post(
        "/share/requests/new", data=_form(world.people.code), headers=asker, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    url = r.headers["location"]
    page = client.get(url, headers=asker).text
    assert "待提供部门审核" in page and "提交申请" in page and "bh，xm，ssqx" in page
    inbox = client.get("/share/inbox", headers=gaj)  # redirects to the list
    assert world.people.code in inbox.text
    r = client.post(f"{url}/decision", data={"decision": "reject"}, headers=gaj)
    assert r.status_code == 422 and "必须填写理由" in r.text
    for who in (gaj, dsj):
        r = client.post(
            f"{url}/decision",
            data={"decision": "approve", "reason": "同意"},
            headers=who,
            follow_redirects=False,
        )
        assert r.status_code == 303
    page = client.get(url, headers=asker).text
    assert "已通过" in page and "生成授权" in page
    grants = client.get("/share/grants", headers=dsj).text
    assert world.people.code in grants and "撤销" in grants
    for path in ("/share/requests?box=mine", "/share/rates", "/share/usage", "/share/nodes"):
        assert client.get(path, headers=dsj).status_code == 200, path


def test_form_errors_in_place_and_login_required(client: TestClient, world: World) -> None:
    asker = bearer(client, "mudanqu")
    r = client.post("/share/requests/new", data=_form(world.secret.code), headers=asker)
    assert r.status_code == 422 and "不予共享" in r.text and world.secret.code in r.text
    r = client.get("/share/requests", headers={"accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert client.get("/share/grants", headers=bearer(client, "wangge")).status_code == 403
