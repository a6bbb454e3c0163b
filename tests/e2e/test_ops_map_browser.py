"""The one-map in Debian chromium: 290,000 demo points served as clusters, boundaries drawn,
a click on a single point opens its detail and the link to the object."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy.orm import Session

from mudan.domains.ops.mapdata import set_demo_points
from mudan.domains.org.demo import DEMO_PASSWORD
from tests.e2e.conftest import _login, _shot

pytestmark = pytest.mark.e2e
N = 290_000
FEATURES = "() => { let n = 0; opsMap.eachLayer(l => { if (l.feature) n++; }); return n; }"


@pytest.fixture
def full_layer(session: Session) -> None:
    set_demo_points(session, count=N, seed=3717)
    session.commit()


def test_one_map_with_290k_points_and_a_detail(
    full_layer: None, server: str, browser: Browser
) -> None:
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    _login(page, server, "wangge", DEMO_PASSWORD)  # a grid worker: map.view only
    page.goto(f"{server}/ops/map")
    expect(page.locator("#ops-map")).to_have_attribute("data-ready", "1", timeout=20_000)
    # the demo layer's 290,000 points, next to the layers the domains register
    expect(page.locator("#ops-stats")).to_contain_text("290,000 / 290,000")
    assert int(page.locator("#ops-stats").get_attribute("data-total") or 0) >= N
    clusters = page.locator(".ops-cluster")
    assert clusters.count() > 3
    shown = sum(
        int(t.replace("k", "000")) if not t.endswith("k") else 0 for t in clusters.all_inner_texts()
    )
    assert shown <= int(page.locator("#ops-stats").get_attribute("data-total") or 0)
    _shot(page, "ops-one-map-290k")
    # find one single point through the API, fly there, click it
    token = httpx.post(
        f"{server}/api/v1/auth/tokens", json={"username": "wangge", "password": DEMO_PASSWORD}
    ).json()["token"]
    c = httpx.get(
        f"{server}/api/v1/ops/map/layers/ops.demo/clusters",
        headers={"Authorization": f"Bearer {token}"},
        params={"zoom": 17, "bbox": "115.44,35.22,115.46,35.24"},
    ).json()["clusters"]
    i = next(k for k, n in enumerate(c["count"]) if n == 1)
    pid, lon, lat = c["id"][i], c["lon"][i], c["lat"][i]
    page.evaluate(f"() => opsMap.setView([{lat}, {lon}], 17)")
    marker = page.locator(f'.ops-pt[data-id="{pid}"]')
    expect(marker).to_be_visible(timeout=10_000)
    marker.click()
    detail = page.locator(f'#ops-detail [data-point="{pid}"]')
    expect(detail).to_contain_text(pid)
    expect(page.locator(".leaflet-popup-content")).to_contain_text(pid)
    _shot(page, "ops-one-map-detail")
    page.locator("#ops-detail .ops-detail-link").click()
    expect(page.locator("h1")).to_contain_text(pid)
    assert f"/ops/map/points/ops.demo/{pid}" in page.url
    assert errors == []


def test_toggling_layers(full_layer: None, server: str, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    _login(page, server, "admin", DEMO_PASSWORD)
    page.goto(f"{server}/ops/map")
    expect(page.locator("#ops-map")).to_have_attribute("data-ready", "1", timeout=20_000)
    expect(page.locator(".ops-cluster").first).to_be_visible()
    boundaries = {"districts", "streets", "communities", "grids"}
    for box in page.locator("input[data-layer]").all():
        if box.get_attribute("data-layer") not in boundaries and box.is_checked():
            box.uncheck()  # every point layer off: the demo one and the domains' ones
    expect(page.locator(".ops-cluster")).to_have_count(0)
    expect(page.locator("#ops-stats")).to_have_attribute("data-total", "0")
    assert page.evaluate(FEATURES) == 9  # the district outlines
    page.locator('input[data-layer="streets"]').check()
    page.wait_for_function(f"() => ({FEATURES})() > 9 + 100")  # + Heze's 167 streets
    _shot(page, "ops-one-map-streets")
    page.locator('input[data-layer="ops.demo"]').check()
    expect(page.locator("#ops-stats")).to_have_attribute("data-total", str(N))
