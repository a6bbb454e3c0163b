"""The shell on a phone (390 × 844): the top navigation folds behind 菜单 instead of breaking
into one character per line, and the pages meant for phones (the grid worker's and the handler's
我的工单, the citizen's report form) never scroll sideways. A screenshot per page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import _login, _shot

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"{page.url}: {width}px wide"  # no sideways scrolling


def _nav_is_sane(page: Page) -> None:
    """Every nav link is one line, wider than it is tall (not a column of characters)."""
    boxes = page.eval_on_selector_all(
        "#topnav a", "els => els.map(e => [e.getBoundingClientRect().width, e.offsetHeight])"
    )
    assert boxes, "no navigation links"
    line = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize) * 3")  # + padding
    for w, h in boxes:
        assert w > h and h <= line, boxes


def test_phone_shell_and_pages(server: str, browser: Browser) -> None:
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.goto(f"{server}/report")  # the citizen's form needs no login
    expect(page.locator("form").first).to_be_visible()
    _fits(page)
    _shot(page, "phone_report")
    for user in ("wangge", "chuzhi"):
        _login(page, server, user, "Mudan@Heze2024")
        page.goto(f"{server}/cases/mobile")
        expect(page.locator("h1")).to_have_text("我的工单")
        toggle = page.get_by_role("button", name="菜单")
        expect(toggle).to_be_visible()
        expect(page.locator("#topnav")).to_be_hidden()  # folded: the page starts at the top
        _fits(page)
        _shot(page, f"phone_mobile_{user}")
        toggle.click()
        expect(page.locator("#topnav")).to_be_visible()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        _nav_is_sane(page)
        _fits(page)
        _shot(page, f"phone_nav_{user}")
        page.goto(f"{server}/cases/board" if user == "chuzhi" else f"{server}/")
        _fits(page)
        page.locator("form.logout button").click()
    ctx.close()


def test_desktop_shows_the_nav_without_a_menu_button(server: str, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    _login(page, server, "admin", "Mudan@Heze2024")
    page.goto(f"{server}/indicators")
    expect(page.get_by_role("button", name="菜单")).to_be_hidden()
    expect(page.locator("#topnav")).to_contain_text("运行中心")
    expect(page.locator("#topnav")).to_contain_text("系统管理")
    _nav_is_sane(page)
    expect(page.locator(".target-scaled").first).to_contain_text("按演示规模")
    _shot(page, "desktop_indicators")
