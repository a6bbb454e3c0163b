"""The cases domain's workbench todos on the demo world: counts equal the board API's queues
and the handler's phone page for the same user; a grid worker's or district's figures are
their area's, never the city's."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from mudan.domains.cases import service as cs
from mudan.domains.cases.enums import Channel
from tests.workbench import bearer, todos_of

Q = "/api/v1/cases?limit=500&queue="
USERS = ("zhiban", "kaohe", "mudanqu", "wangge")


def _total(client: TestClient, user: str, queue: str) -> int:
    r = client.get(Q + queue, headers=bearer(client, user))
    assert r.status_code == 200, r.text
    return int(r.json()["total"])


def test_dispatcher_and_area_todos_match_the_board(client: TestClient) -> None:
    paidan, zhiban = todos_of(client, "paidan"), todos_of(client, "zhiban")
    manual = paidan["cases.manual"]
    assert manual["count"] == _total(client, "paidan", "manual") >= 1
    assert manual["href"] == "/cases/board?queue=manual"
    city = zhiban["cases.overdue"]
    assert city["count"] == _total(client, "zhiban", "overdue") >= 1
    assert city["href"] == "/cases/board?queue=overdue"
    # the grid worker (东城街道) and the district node (牡丹区) see their area's only
    for user in ("wangge", "mudanqu"):
        mine = todos_of(client, user)["cases.overdue"]
        assert mine["count"] == _total(client, user, "overdue") >= 1
        assert mine["href"] == "/cases/supervise"  # no board for them: the supervision page
    street = todos_of(client, "wangge")["cases.overdue"]["count"]
    district = todos_of(client, "mudanqu")["cases.overdue"]["count"]
    assert street <= district <= city["count"]
    wangge = todos_of(client, "wangge")
    # the demo dispatches one small case to the grid worker's street office: 我的工单 has work
    assert "cases.manual" not in wangge and wangge["cases.to_handle"]["count"] >= 1


def test_a_case_elsewhere_counts_for_the_city_only(client: TestClient, session: Session) -> None:
    """An overdue case in 曹县 raises the city's figure, not 牡丹区's nor 东城街道's."""
    before = {u: todos_of(client, u)["cases.overdue"]["count"] for u in USERS}
    long_ago = datetime.now(UTC) - timedelta(days=40)
    data = cs.IntakeIn(
        channel=Channel.HOTLINE, category_code="SJ0699", title="曹县超时事件", region_code="371721"
    )
    cs.intake(session, data=data, actor="t", now=long_ago)
    session.commit()
    after = {u: todos_of(client, u)["cases.overdue"]["count"] for u in USERS}
    assert after == {**before, "zhiban": before["zhiban"] + 1, "kaohe": before["kaohe"] + 1}


def test_handler_todo_is_the_phone_page(client: TestClient) -> None:
    for user in ("chuzhi", "chengguan"):
        todo = todos_of(client, user)["cases.to_handle"]
        page = client.get(todo["href"], headers=bearer(client, user)).text
        cards = re.findall(r'class="card case-card" data-number="(\d+)"', page)
        assert todo["count"] == len(cards) >= 1
        assert "cases.manual" not in todos_of(client, user)
    assert todos_of(client, "chuzhi")["cases.to_handle"]["overdue"] == 1  # the demo's 路灯


def test_supervise_page_lists_the_overdue_count(client: TestClient) -> None:
    n = todos_of(client, "wangge")["cases.overdue"]["count"]
    page = client.get("/cases/supervise", headers=bearer(client, "wangge")).text
    assert f"（{n}）" in page
