"""The workbench (home page and ``GET /api/v1/workbench``): each demo role sees its own pending
work and not the others'; anonymous callers get nothing; a broken provider is left out and a
provider is never asked for a principal without its permission."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from mudan.core.db import make_engine, make_sessionmaker, transaction
from mudan.hooks import Todo, TodoProvider, hookimpl
from mudan.kernel.enums import Role
from mudan.kernel.identity import BindingIn, create_user
from mudan.kernel.rbac import ANONYMOUS, Principal
from mudan.settings import Settings
from mudan.web import workbench
from mudan.web.render import SECTIONS
from tests.conftest import login_token
from tests.workbench import bearer, todos_of

# role → todos it must see / must not see (the demo world plants work for each)
EXPECTED: dict[str, tuple[set[str], set[str]]] = {
    "dsj": (
        {"catalog.pending", "sharing.bureau_review", "quality.tickets"},
        {"sharing.provider_review", "cases.overdue", "indicators.alerts_blue"},
    ),
    "gaj": (
        {"sharing.provider_review", "quality.tickets"},
        {"sharing.bureau_review", "catalog.pending", "cases.overdue", "sharing.overdue"},
    ),
    "mudanqu": (
        {"sharing.needs_info", "cases.overdue"},
        {"sharing.provider_review", "indicators.alerts_blue", "emergency.reports_due"},
    ),
    "zhiban": (
        {"indicators.alerts_blue", "cases.manual", "cases.overdue", "emergency.reports_due"},
        {"sharing.provider_review", "quality.tickets", "cases.to_handle"},
    ),
    "wangge": ({"cases.overdue"}, {"cases.manual", "cases.to_handle", "indicators.alerts_blue"}),
    "kaohe": (
        {"sharing.overdue", "cases.overdue", "emergency.open_incidents"},
        {"sharing.provider_review", "quality.tickets", "cases.manual", "emergency.reports_due"},
    ),
    "paidan": (
        {"cases.manual", "cases.overdue", "emergency.reports_due"},
        {"indicators.alerts_blue", "cases.to_handle", "sharing.overdue"},
    ),
    "chuzhi": ({"cases.to_handle"}, {"cases.manual", "emergency.open_incidents"}),
    "chengguan": ({"cases.to_handle"}, {"cases.manual", "sharing.provider_review"}),
}


def test_anonymous_gets_nothing(client: TestClient, session: Session) -> None:
    r = client.get("/api/v1/workbench")
    assert r.status_code == 401 and r.json()["error"]["code"] == "auth.required"
    r = client.get("/", headers={"accept": "text/html"}, follow_redirects=False)
    assert r.status_code in (302, 303) and r.headers["location"].startswith("/login")
    pm = client.app.state.ctx.pm  # type: ignore[attr-defined]
    assert workbench.todos(pm, session, ANONYMOUS) == []
    assert workbench.headline(pm, session, ANONYMOUS) == []
    assert (
        client.get("/api/v1/workbench", headers={"Authorization": "Bearer nope"}).status_code == 401
    )


def test_each_role_sees_its_own_pending_work(client: TestClient) -> None:
    for user, (own, others) in EXPECTED.items():
        todos = todos_of(client, user)
        assert own <= set(todos), (user, sorted(todos))
        assert not others & set(todos), (user, sorted(others & set(todos)))
        for t in todos.values():
            assert t["count"] > 0 and t["href"].startswith("/") and t["text"] != t["label"]
            assert t["severity"] in ("info", "warn", "danger") and 0 <= t["overdue"] <= t["count"]
            page = client.get(t["href"], headers=bearer(client, user))
            assert page.status_code == 200, (user, t["href"])  # the link opens for this user


def test_home_page_shows_the_todos_grouped_with_links(client: TestClient) -> None:
    todos = todos_of(client, "zhiban")
    page = client.get("/", headers=bearer(client, "zhiban")).text
    assert "我的待办" in page and "暂无待办" not in page and "关键指标" in page
    for code, t in todos.items():
        link = f'href="{t["href"].replace("&", "&amp;")}" data-code="{code}"'
        assert link in page
        assert f'<span class="wb-count">{t["count"]}</span>' in page
    groups = re.findall(r'<div class="wb-group" data-section="(\w+)">', page)
    assert groups == sorted(groups, key=SECTIONS.index) == ["govern", "ops"]  # the sections' order
    assert "<script>" not in page and " onclick=" not in page  # the CSP forbids inline code
    english = client.get("/?lang=en", headers=bearer(client, "zhiban")).text
    assert "My pending work" in english and "Blue alerts to handle" in english


def test_empty_state_and_headline_indicators(client: TestClient, settings: Settings) -> None:
    engine = make_engine(settings.database.url)
    with transaction(make_sessionmaker(engine)) as s:
        binding = BindingIn(role=Role.CITIZEN)
        create_user(
            s, username="shimin", display_name="市民", password="Citizen#2024x", bindings=[binding]
        )
    engine.dispose()
    citizen = {"Authorization": f"Bearer {login_token(client, 'shimin', 'Citizen#2024x')}"}
    page = client.get("/", headers=citizen).text
    assert "暂无待办" in page and "wb-todo" not in page and "关键指标" not in page
    body = client.get("/api/v1/workbench", headers=citizen).json()
    assert body == {"todos": [], "indicators": []}
    # headline indicators: the city's for the bureau, 牡丹区's for its node; none for a grid worker
    city = client.get("/api/v1/workbench", headers=bearer(client, "dsj")).json()["indicators"]
    county = client.get("/api/v1/workbench", headers=bearer(client, "mudanqu")).json()["indicators"]
    assert 3 <= len(city) <= 5 and {i["region_code"] for i in city} == {"3717"}
    assert {i["region_code"] for i in county} == {"371702"}
    assert [i["code"] for i in city] == [i["code"] for i in county]
    assert (
        client.get("/api/v1/workbench", headers=bearer(client, "wangge")).json()["indicators"] == []
    )


class _Plugin:
    """A broken provider, a zero count, and one behind a permission the callers lack."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def broken(self, session: Session, who: Principal) -> list[Todo]:
        session.execute(text("SELECT * FROM no_such_table"))  # fails (and on PG aborts)
        return []

    def zero(self, session: Session, who: Principal) -> list[Todo]:
        return [Todo("test.zero", "ui.no_todos", 0, "/")]

    def secret(self, session: Session, who: Principal) -> list[Todo]:
        self.asked.append(who.username)
        return [Todo("test.secret", "ui.no_todos", 1, "/")]

    @hookimpl
    def mudan_todos(self) -> list[TodoProvider]:
        return [
            TodoProvider("test.broken", "data", "catalog.read", self.broken, 1),
            TodoProvider("test.zero", "data", "catalog.read", self.zero, 2),
            TodoProvider("test.secret", "admin", "org.admin", self.secret, 3),
        ]


def test_broken_provider_left_out_and_permissions_respected(client: TestClient) -> None:
    pm = client.app.state.ctx.pm  # type: ignore[attr-defined]
    plugin = _Plugin()
    pm.register(plugin, name="test-workbench")
    try:
        todos: dict[str, Any] = todos_of(client, "dsj")
        assert "catalog.pending" in todos and "sharing.bureau_review" in todos  # after the break
        assert not {"test.broken", "test.zero", "test.secret"} & set(todos)
        assert plugin.asked == []  # never asked for someone without org.admin
        assert client.get("/", headers=bearer(client, "dsj")).status_code == 200
        assert "test.secret" in todos_of(client, "admin") and plugin.asked == ["admin"]
    finally:
        pm.unregister(name="test-workbench")
