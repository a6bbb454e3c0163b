"""The big screen in Debian chromium at 1920×1080: no console errors, the Heze map drawn on its
canvas with drill-down, an alert raised while the screen is open appears without a reload, and
the screen reconnects after a server restart with the alerts it missed (a late lower id too)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from mudan.app import create_app
from mudan.domains.ops.sources import use_source
from mudan.domains.org.demo import DEMO_PASSWORD
from mudan.settings import Settings
from tests.domains.ops.ops_fakes import FakeSource, LiveServer
from tests.e2e.conftest import _login, _shot

pytestmark = pytest.mark.e2e
FULL_HD = {"width": 1920, "height": 1080}


@pytest.fixture
def fake() -> FakeSource:
    src = FakeSource()
    src.set("sense.video_online_rate", "3717", 96.4, name="视频在线率", unit="%", target=95.0)
    src.set("env.aqi", "3717", 92.0, name="空气质量指数")
    for i, code in enumerate(("371702", "371703", "371721", "371722", "371723", "371724")):
        src.set("env.aqi", code, 60.0 + 15 * i)
    src.set("env.pm25", "3717", 41.0)
    return src


@pytest.fixture
def live(settings: Settings, fake: FakeSource) -> Iterator[LiveServer]:
    srv = LiveServer(lambda: create_app(settings))
    use_source(srv.start().state.ctx.extras, fake)
    yield srv
    srv.stop()


def _open(browser: Browser, base: str, path: str) -> tuple[Page, list[str]]:
    page = browser.new_page(viewport=FULL_HD)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    _login(page, base, "zhiban", DEMO_PASSWORD)
    page.goto(f"{base}{path}")
    expect(page.locator("#ops-live")).to_have_text("实时", timeout=15_000)
    return page, errors


def _map_pixels(page: Page) -> int:
    """Non-transparent pixels on the map panel's canvas (0 when nothing is drawn)."""
    return int(
        page.evaluate(
            """() => {
              const c = document.querySelector('[data-kind="map"] canvas');
              const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
              let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }"""
        )
    )


def test_big_screen_draws_and_receives_alerts_live(
    browser: Browser, live: LiveServer, fake: FakeSource
) -> None:
    page, errors = _open(browser, live.base, "/ops/screen/overview?hold=1")
    assert page.viewport_size == FULL_HD
    expect(page.locator('[data-kind="map"] canvas')).to_have_count(1)
    page.wait_for_function(
        "() => echarts.getInstanceByDom(document.querySelector('[data-kind=\"map\"] .ops-chart'))"
        ".getOption().series[0].data.length > 0"
    )
    page.wait_for_timeout(800)  # the map's entry animation
    assert _map_pixels(page) > 50_000
    expect(page.locator('[data-value="sense.video_online_rate"]')).to_contain_text("96.4")
    platform = page.locator('[data-platform="catalog_entries"]')
    assert int(platform.inner_text().replace(",", "")) > 0
    expect(page.locator('[data-kind="alerts"]')).to_contain_text("暂无预警")
    page.evaluate("() => { window.__sameDocument = true; }")
    alert = fake.raise_alert("red", "牡丹区 AQI 超过 200 持续 48 小时", "371702")
    row = page.locator(f'#ops-alert-list [data-alert-id="{alert.id}"]')
    expect(row).to_contain_text("牡丹区 AQI 超过 200", timeout=5_000)
    expect(page.locator("#ops-toast")).to_contain_text("红色")
    assert page.evaluate("() => window.__sameDocument") is True  # no reload happened
    _shot(page, "ops-big-screen")
    # drill down: click 牡丹区 on the map, the streets of 牡丹区 are drawn
    xy = page.evaluate(
        """() => { const el = document.querySelector('[data-kind="map"] .ops-chart');
          const c = echarts.getInstanceByDom(el);
          const p = c.convertToPixel({seriesIndex: 0}, [115.42, 35.30]);
          const r = el.getBoundingClientRect(); return [r.left + p[0], r.top + p[1]]; }"""
    )
    page.mouse.click(xy[0], xy[1])
    expect(page.locator('[data-kind="map"] .ops-back')).to_be_visible()
    page.wait_for_function(
        "() => echarts.getInstanceByDom(document.querySelector('[data-kind=\"map\"] .ops-chart'))"
        ".getOption().title[0].text === '牡丹区'"
    )
    _shot(page, "ops-big-screen-drilldown")
    assert errors == []


def test_screen_reconnects_after_a_server_restart(
    browser: Browser, live: LiveServer, fake: FakeSource
) -> None:
    page, errors = _open(browser, live.base, "/ops/screen/overview?hold=1")
    first = fake.raise_alert("yellow", "第一条预警")
    late = fake.reserve()  # an alert whose transaction commits only while the screen is away
    second = fake.raise_alert("yellow", "第二条预警")
    for a in (first, second):
        expect(page.locator(f'[data-alert-id="{a.id}"]')).to_be_visible()
    live.stop()
    expect(page.locator("#ops-live")).to_have_text("重新连接中…", timeout=10_000)
    late_one = fake.raise_alert("orange", "晚提交的预警", alert_id=late)
    during = fake.raise_alert("orange", "重启期间的预警")
    app = live.start()
    use_source(app.state.ctx.extras, fake)
    expect(page.locator("#ops-live")).to_have_text("实时", timeout=15_000)
    after = fake.raise_alert("red", "重启之后的预警")
    for a in (late_one, during, after):
        expect(page.locator(f'#ops-alert-list [data-alert-id="{a.id}"]')).to_contain_text(a.title)
    _shot(page, "ops-big-screen-after-restart")
    # the cut stream and the refused retries while the server was down are network errors
    assert [e for e in errors if not e.startswith("Failed to load resource: net::ERR_")] == []


def test_broken_and_missing_panels_stay_in_their_box(
    browser: Browser, live: LiveServer, fake: FakeSource, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.broken.add("env.pm25")
    page, errors = _open(browser, live.base, "/ops/screen/environment?hold=1")
    broken = page.locator('[data-state="error"]')
    expect(broken).to_have_count(3)
    for i in range(3):
        expect(broken.nth(i)).to_contain_text("division by zero")
    expect(page.locator('[data-kind="trend"] canvas')).to_have_count(1)  # the rest still draws
    _shot(page, "ops-big-screen-broken-panel")
    assert errors == []
    page.close()
    use_source(live.app.state.ctx.extras, None)  # type: ignore[union-attr]
    monkeypatch.setattr("mudan.domains.ops.sources._load_service", lambda: None)
    page, errors = _open(browser, live.base, "/ops/screen/overview?hold=1")
    missing = page.locator('[data-state="unavailable"]')
    expect(missing.first).to_contain_text("指标中心未安装")
    assert missing.count() == 6  # 3 KPI panels, ranking, trend, alerts
    expect(page.locator('[data-kind="platform"] [data-platform="catalog_entries"]')).to_be_visible()
    expect(page.locator('[data-kind="map"] canvas')).to_have_count(1)
    _shot(page, "ops-big-screen-no-indicator-centre")
    assert errors == []


def test_carousel_moves_to_the_next_screen(
    browser: Browser, live: LiveServer, fake: FakeSource
) -> None:
    import httpx

    token = httpx.post(
        f"{live.base}/api/v1/auth/tokens", json={"username": "admin", "password": DEMO_PASSWORD}
    ).json()["token"]
    h = {"Authorization": f"Bearer {token}"}
    layout = httpx.get(f"{live.base}/api/v1/ops/screens/overview", headers=h).json()
    layout["dwell_s"] = 5
    for p in layout["panels"]:
        p.pop("id")
    r = httpx.put(f"{live.base}/api/v1/ops/screens/overview", headers=h, json=layout)
    assert r.status_code == 200, r.text
    page, errors = _open(browser, live.base, "/ops/screen/overview")
    expect(page.locator("#ops-title")).to_have_text("一屏观全市")
    expect(page.locator("#ops-title")).to_have_text("数据中台", timeout=10_000)
    assert page.url.endswith("/ops/screen/data")
    assert errors == []
