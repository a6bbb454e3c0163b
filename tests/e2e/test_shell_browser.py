"""Browser tests: Playwright driving Debian's chromium against a real uvicorn server."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from mudan.domains.org.demo import DEMO_PASSWORD
from tests.e2e.conftest import _login, _shot

pytestmark = pytest.mark.e2e


def test_login_home_and_region_tree(server: str, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto(server + "/")
    expect(page).to_have_url(f"{server}/login?next=/")
    _login(page, server, "admin", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="菏泽市城市大脑 · 工作台")).to_be_visible()
    for section in ("数据中台", "城市感知", "评价考核"):
        expect(page.locator("section.card h2", has_text=section)).to_be_visible()
    _shot(page, "home")
    page.get_by_role("link", name="区划与网格").first.click()
    page.locator("summary", has_text="菏泽市").click()
    expect(page.locator("summary", has_text="牡丹区")).to_be_visible()
    page.locator("summary", has_text="牡丹区").click()
    expect(page.locator("summary", has_text="东城街道")).to_be_visible()
    _shot(page, "region-tree")


def test_wrong_password_shows_chinese_message(server: str, browser: Browser) -> None:
    page = browser.new_page()
    _login(page, server, "admin", "definitely-wrong")
    expect(page.locator("#login-error")).to_have_text("用户名或密码错误，请重试。")
    _shot(page, "login-failed")


def test_language_switch(server: str, browser: Browser) -> None:
    page = browser.new_page()
    _login(page, server, "admin", DEMO_PASSWORD)
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", name="Heze City Brain · Workbench")).to_be_visible()
