"""Browser tests: Playwright driving Debian's chromium against a real uvicorn server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright

from mudan.app import create_app
from mudan.domains.org.demo import DEMO_PASSWORD
from mudan.settings import Settings

pytestmark = pytest.mark.e2e
ARTIFACTS = Path("test-artifacts")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def server(settings: Settings) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="error")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing: run scripts/ensure-chromium.sh")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _login(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


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
