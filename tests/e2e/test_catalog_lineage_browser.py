"""A published entry with a load shows its lineage graph (ECharts) on the entry page."""

from __future__ import annotations

import time

import httpx
import pytest
from playwright.sync_api import Browser, expect

from mudan.domains.org.demo import DEMO_PASSWORD
from tests.e2e.conftest import _login, _shot

pytestmark = pytest.mark.e2e


def _token(base: str, user: str) -> dict[str, str]:
    r = httpx.post(f"{base}/api/v1/auth/tokens", json={"username": user, "password": DEMO_PASSWORD})
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_entry_page_draws_lineage(server: str, browser: Browser) -> None:
    gaj, dsj = _token(server, "gaj"), _token(server, "dsj")
    entry = {
        "name": "菏泽市血缘测试表",
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
    eid = httpx.post(f"{server}/api/v1/catalog/entries", headers=gaj, json=entry).json()["id"]
    for who, action in ((gaj, "submit"), (dsj, "approve")):
        r = httpx.post(
            f"{server}/api/v1/catalog/entries/{eid}/transitions",
            headers=who,
            json={"action": action},
        )
        assert r.status_code == 200, r.text
    r = httpx.post(
        f"{server}/api/v1/ingest/uploads",
        headers=gaj,
        data={"table_ref": f"d371700002.t{eid}"},
        files={"file": ("a.csv", "号牌号码\n鲁R00001\n".encode(), "text/csv")},
    )
    assert r.status_code == 202
    job = r.json()["id"]
    for _ in range(100):  # the load runs after the response; wait until it is done
        status = httpx.get(f"{server}/api/v1/ingest/jobs/{job}", headers=gaj).json()["status"]
        if status not in ("queued", "running"):
            break
        time.sleep(0.1)
    assert status == "succeeded"
    page = browser.new_page(viewport={"width": 1366, "height": 1000})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _login(page, server, "dsj", DEMO_PASSWORD)
    page.goto(f"{server}/catalog/{eid}")
    expect(page.locator("#lineage canvas")).to_have_count(1, timeout=10_000)
    nodes = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('lineage'))"
        ".getOption().series[0].data.map(d => d.id)"
    )
    assert sorted(n.split(":")[0] for n in nodes) == ["job", "source", "table"]
    page.wait_for_timeout(1200)  # let the chart's entry animation finish for the screenshot
    _shot(page, "catalog-entry-lineage")
    assert errors == []
