"""The page shell: Beijing time on every page (stored in UTC) and one top navigation for all."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from mudan.core.i18n import bjdate, bjtime
from mudan.domains.cases import service as cs
from mudan.domains.cases.enums import Channel
from mudan.domains.org.demo import DEMO_PASSWORD
from tests.web.test_login import _login


def test_bjtime_shows_shanghai_wall_time() -> None:
    at = datetime(2026, 3, 1, 17, 30, tzinfo=UTC)
    assert bjtime(at) == "2026-03-02 01:30"
    assert bjtime(at.replace(tzinfo=None)) == "2026-03-02 01:30"  # naive is UTC
    assert bjtime(at, "%H:%M:%S") == "01:30:00"
    assert bjdate(at) == "2026-03-02" and bjdate(date(2026, 3, 1)) == "2026-03-01"
    assert bjtime(None) == ""


def test_case_page_prints_deadline_in_beijing_time(client: TestClient, session: Session) -> None:
    case = cs.intake(
        session,
        data=cs.IntakeIn(
            channel=Channel.HOTLINE,
            category_code="SJ0102",
            title="时区测试",
            region_code="371702001000",
            address="中华路 1 号",
        ),
        actor="t",
    )
    case.due_at = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
    session.commit()
    _login(client, "admin", DEMO_PASSWORD)
    html = client.get(f"/cases/{case.number}").text
    assert "2026-03-02 09:30" in html
    assert "UTC" not in html
    # names, not only codes: the department the case was routed to, its code as the title
    assert 'title="371702003">牡丹区综合行政执法局</span>' in html


def _top_nav(html: str) -> list[str]:
    m = re.search(r'<nav id="topnav"[^>]*>(.*?)</nav>', html, re.S)
    assert m, html[:400]
    return re.findall(r'<a href="([^"]+)">([^<]+)</a>', m.group(1))


def test_every_page_has_the_same_top_navigation(client: TestClient) -> None:
    _login(client, "admin", DEMO_PASSWORD)
    pages = ("/", "/indicators", "/alerts", "/cases/board", "/catalog", "/admin/regions")
    navs = {}
    for path in pages:
        r = client.get(path)
        assert r.status_code == 200, (path, r.status_code)
        navs[path] = _top_nav(r.text)
    home = navs["/"]
    labels = [label.strip() for _, label in home]
    assert "运行中心" in labels and "系统管理" in labels
    assert all(nav == home for nav in navs.values()), navs
