"""The workbench in chromium: each demo role logs in and finds its own pending work (and not
the others') at the top of the home page, with the API's counts; a screenshot per role. An
anonymous visitor is sent to the login page and the workbench API refuses them."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from mudan.domains.org.demo import DEMO_PASSWORD
from tests.e2e.conftest import _login, _shot

pytestmark = pytest.mark.e2e

# role → todos it must see / must not see on the demo world
ROLES: dict[str, tuple[list[str], list[str]]] = {
    "dsj": (
        ["sharing.bureau_review", "catalog.pending", "quality.tickets"],
        ["sharing.provider_review", "indicators.alerts_blue", "cases.overdue"],
    ),
    "gaj": (
        ["sharing.provider_review", "quality.tickets"],
        ["sharing.bureau_review", "catalog.pending", "cases.overdue"],
    ),
    "zhiban": (
        ["indicators.alerts_blue", "cases.manual", "cases.overdue", "emergency.reports_due"],
        ["sharing.provider_review", "quality.tickets", "cases.to_handle"],
    ),
    "wangge": (
        ["cases.overdue", "cases.to_handle"],
        ["cases.manual", "indicators.alerts_blue", "catalog.pending"],
    ),
    "paidan": (
        ["cases.manual", "cases.overdue", "emergency.reports_due"],
        ["indicators.alerts_blue", "sharing.provider_review", "cases.to_handle"],
    ),
    "kaohe": (
        ["sharing.overdue", "cases.overdue", "emergency.open_incidents"],
        ["sharing.provider_review", "cases.manual", "quality.tickets"],
    ),
}


@pytest.mark.parametrize("user", list(ROLES))
def test_each_role_sees_its_own_work(server: str, browser: Browser, user: str) -> None:
    own, others = ROLES[user]
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    _login(page, server, user, DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="我的待办")).to_be_visible()
    api = page.request.get(f"{server}/api/v1/workbench")  # the same session cookie
    assert api.ok
    counts = {t["code"]: t["count"] for t in api.json()["todos"]}
    for code in own:
        card = page.locator(f"#my-todos a.wb-todo[data-code='{code}']")
        expect(card).to_be_visible()
        expect(card.locator(".wb-count")).to_have_text(str(counts[code]))
    for code in others:
        expect(page.locator(f"a.wb-todo[data-code='{code}']")).to_have_count(0)
    expect(page.locator("#my-todos a.wb-todo")).to_have_count(len(counts))
    expect(page.locator(".wb-empty")).to_have_count(0)
    _shot(page, f"workbench-{user}")
    page.close()


def test_a_todo_opens_the_list_of_exactly_those_items(server: str, browser: Browser) -> None:
    page = browser.new_page()
    _login(page, server, "gaj", DEMO_PASSWORD)
    card = page.locator("a.wb-todo[data-code='sharing.provider_review']")
    n = card.locator(".wb-count").inner_text()
    card.click()
    expect(page).to_have_url(f"{server}/share/requests?box=inbox&status=provider_review")
    expect(page.locator("tbody tr")).to_have_count(int(n))
    _shot(page, "workbench-gaj-inbox")


def test_anonymous_gets_the_login_page_and_no_todos(server: str, browser: Browser) -> None:
    page = browser.new_page()
    page.goto(f"{server}/")
    expect(page).to_have_url(f"{server}/login?next=/")
    expect(page.locator("#my-todos")).to_have_count(0)
    r = page.request.get(f"{server}/api/v1/workbench")
    assert r.status == 401 and r.json()["error"]["code"] == "auth.required"
