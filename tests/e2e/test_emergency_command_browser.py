"""The incident command page in chromium: raise the level, tick a checklist item, see the
timeline and the duty officer's inbox badge."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Browser, expect

from mudan.domains.org.demo import DEMO_PASSWORD
from tests.e2e.conftest import _login, _shot

pytestmark = pytest.mark.e2e


def test_command_page_raises_level(server: str, browser: Browser) -> None:
    r = httpx.post(
        f"{server}/api/v1/auth/tokens", json={"username": "zhiban", "password": DEMO_PASSWORD}
    )
    h = {"Authorization": f"Bearer {r.json()['token']}"}
    live = httpx.get(f"{server}/api/v1/emergency/incidents?status=open", headers=h).json()[0]
    page = browser.new_page()
    _login(page, server, "zhiban", DEMO_PASSWORD)
    page.goto(f"{server}/emergency/incidents/{live['id']}")
    expect(page.locator("#level")).to_contain_text("Ⅲ级响应")
    page.select_option("select[name=level]", "2")
    page.get_by_role("button", name="调整响应级别").click()
    expect(page.locator("#level")).to_contain_text("Ⅱ级响应")
    expect(page.locator("#timeline")).to_contain_text("提升响应")
    page.get_by_role("button", name="完成").first.click()
    expect(page.locator("#timeline")).to_contain_text("完成职责事项")
    _shot(page, "emergency_command")
    page.goto(f"{server}/emergency/inbox")
    expect(page.locator("#unread")).not_to_contain_text("0 条未读")
    expect(page.get_by_text("东明集镇危化品运输车辆侧翻泄漏").first).to_be_visible()
