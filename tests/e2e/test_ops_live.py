"""Live updates over SSE against a real uvicorn server: alerts arrive, carry ids, resume with
Last-Event-ID after a restart, respect the principal's region, and values events follow real
catalog changes."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import httpx
import pytest

from mudan.app import create_app
from mudan.domains.ops.sources import use_source
from mudan.domains.org.demo import DEMO_PASSWORD
from mudan.settings import Settings
from tests.domains.ops.ops_fakes import FakeSource, LiveServer, sse_events

pytestmark = pytest.mark.e2e
TIMEOUT = httpx.Timeout(20.0)


@pytest.fixture
def fake() -> FakeSource:
    return FakeSource()


@pytest.fixture
def live(settings: Settings, fake: FakeSource) -> Iterator[LiveServer]:
    srv = LiveServer(lambda: create_app(settings))
    app = srv.start()
    use_source(app.state.ctx.extras, fake)
    yield srv
    srv.stop()


def _auth(base: str, user: str) -> dict[str, str]:
    r = httpx.post(f"{base}/api/v1/auth/tokens", json={"username": user, "password": DEMO_PASSWORD})
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _alerts(base: str, headers: dict[str, str], want: int, **params: object) -> list[dict]:
    """Open the stream, collect ``want`` alert events (with their SSE ids), close."""
    got: list[dict] = []
    with httpx.stream(
        "GET", f"{base}/api/v1/ops/stream", headers=headers, params=params, timeout=TIMEOUT
    ) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        for ev in sse_events(r.iter_lines()):
            data = json.loads(ev["data"])
            if data["type"] == "hello":
                assert ev["retry"] == "1500"
            if data["type"] == "alert":
                assert ev["id"] == str(data["id"])
                got.append(data)
                if len(got) == want:
                    break
    return got


def test_alert_raised_while_streaming_arrives(live: LiveServer, fake: FakeSource) -> None:
    h = _auth(live.base, "zhiban")
    timer = threading.Timer(1.0, fake.raise_alert, ("orange", "东明县 黄河水位超警戒", "371728"))
    timer.start()
    try:
        (alert,) = _alerts(live.base, h, 1)
    finally:
        timer.cancel()
    assert alert == {
        "type": "alert",
        "id": 1,
        "level": "orange",
        "title": "东明县 黄河水位超警戒",
        "region_code": "371728",
        "at": "2026-05-01T08:00:00",
    }


def test_resume_after_a_restart_with_last_event_id(live: LiveServer, fake: FakeSource) -> None:
    h = _auth(live.base, "zhiban")
    for i in range(3):
        fake.raise_alert("yellow", f"预警 {i}")
    first = _alerts(live.base, h, 2, after=0)
    assert [a["id"] for a in first] == [1, 2]
    live.stop()
    fake.raise_alert("red", "重启期间的预警")
    app = live.start()  # a new process image on the same port
    use_source(app.state.ctx.extras, fake)
    resumed = _alerts(live.base, h | {"Last-Event-ID": "2"}, 2)
    assert [a["id"] for a in resumed] == [3, 4]
    assert resumed[1]["title"] == "重启期间的预警"


def _stream(
    base: str, headers: dict[str, str], want: int, then: object = None, **params: object
) -> tuple[str, list[tuple[str, dict]]]:
    """Open the stream, collect ``want`` alerts as (SSE id, event), close; returns the hello's
    SSE id too. ``then`` is called when all but the last alert arrived (the replay is over)."""
    got: list[tuple[str, dict]] = []
    hello = ""
    with httpx.stream(
        "GET", f"{base}/api/v1/ops/stream", headers=headers, params=params, timeout=TIMEOUT
    ) as r:
        assert r.status_code == 200, r.read()
        for ev in sse_events(r.iter_lines()):
            data = json.loads(ev["data"])
            if data["type"] == "hello":
                hello = ev["id"]
            elif data["type"] == "alert":
                got.append((ev["id"], data))
                if len(got) == want:
                    break
            if len(got) == want - 1 and callable(then):
                then()
                then = None
    return hello, got


def test_reconnect_delivers_the_missed_alerts_exactly_once(
    live: LiveServer, fake: FakeSource
) -> None:
    h = _auth(live.base, "mudanqu")  # sees 牡丹区 and city-wide alerts, not 曹县
    fake.raise_alert("red", "牡丹区 一", "371702")  # 1
    late = fake.reserve()  # 2: its transaction is still open
    fake.raise_alert("red", "曹县 一", "371721")  # 3, not for this screen
    fake.raise_alert("orange", "牡丹区 二", "371702001000")  # 4
    hello, first = _stream(live.base, h, 2, after=0)
    assert hello == "0"
    assert [(i, a["id"]) for i, a in first] == [("1", 1), ("1:4", 4)]  # 2 may still come
    # the screen is disconnected: 2 commits, more alerts are raised
    fake.raise_alert("yellow", "牡丹区 晚提交", "371702", alert_id=late)
    fake.raise_alert("blue", "全市 断线期间", None)  # 5
    fake.raise_alert("red", "曹县 断线期间", "371721")  # 6
    last_event_id = first[-1][0]

    def raise_live() -> None:
        fake.raise_alert("red", "牡丹区 重连之后", "371702")  # 7

    hello, resumed = _stream(live.base, h | {"Last-Event-ID": last_event_id}, 3, raise_live)
    assert hello == last_event_id
    assert [(i, a["id"], a["title"]) for i, a in resumed] == [
        ("2:4", 2, "牡丹区 晚提交"),
        ("5", 5, "全市 断线期间"),
        ("7", 7, "牡丹区 重连之后"),
    ]
    # the page's own new stream (another screen) resumes the same way, with nothing twice
    fake.raise_alert("orange", "牡丹区 换屏期间", "371702")  # 8
    _, again = _stream(live.base, h, 1, screen="data", resume=resumed[-1][0])
    assert [(i, a["id"]) for i, a in again] == [("8", 8)]
    _, junk = _stream(live.base, h | {"Last-Event-ID": "0:1-99999999"}, 1, raise_live)
    assert [a["id"] for _, a in junk] == [9]  # a forged id is ignored: the stream starts fresh


def test_region_scoped_streams(live: LiveServer, fake: FakeSource) -> None:
    fake.raise_alert("red", "曹县 预警", "371721")
    fake.raise_alert("red", "牡丹区 预警", "371702001000")
    fake.raise_alert("blue", "全市 预警", None)
    mudanqu = _alerts(live.base, _auth(live.base, "mudanqu"), 2, after=0)
    assert [a["title"] for a in mudanqu] == ["牡丹区 预警", "全市 预警"]
    r = httpx.get(f"{live.base}/api/v1/ops/alerts", headers=_auth(live.base, "mudanqu"))
    assert [a["id"] for a in r.json()["items"]] == [2, 3]


def test_values_event_follows_the_catalog(live: LiveServer, fake: FakeSource) -> None:
    fake.set("env.aqi", "3717", 88.0)
    gaj = _auth(live.base, "gaj")
    entry = {
        "name": "菏泽市实时测试表",
        "department_code": "371700002",
        "abstract": "测试",
        "theme": "交通",
        "category": "业务信息",
        "update_cycle": "daily",
        "share_type": "unconditional",
        "grade": "general",
        "items": [{"name": "hphm", "label": "号牌号码"}],
    }
    seen: list[dict] = []
    with httpx.stream(
        "GET", f"{live.base}/api/v1/ops/stream", headers=_auth(live.base, "admin"), timeout=TIMEOUT
    ) as r:
        for ev in sse_events(r.iter_lines()):
            data = json.loads(ev["data"])
            if data["type"] != "values":
                continue
            assert "id" not in ev  # values never move the resume cursor
            seen.append(data)
            if len(seen) == 1:
                assert data["values"]["env.aqi"] == 88.0
                r2 = httpx.post(f"{live.base}/api/v1/catalog/entries", headers=gaj, json=entry)
                assert r2.status_code == 201, r2.text
            else:
                break
    before, after = seen[0]["platform"], seen[1]["platform"]
    assert after["catalog_entries"] == before["catalog_entries"] + 1


def test_stream_without_the_indicator_centre(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("mudan.domains.ops.sources._load_service", lambda: None)
    srv = LiveServer(lambda: create_app(settings))
    srv.start()
    try:
        with httpx.stream(
            "GET",
            f"{srv.base}/api/v1/ops/stream",
            headers=_auth(srv.base, "admin"),
            timeout=TIMEOUT,
        ) as r:
            kinds = []
            for ev in sse_events(r.iter_lines()):
                data = json.loads(ev["data"])
                kinds.append(data["type"])
                if data["type"] == "values":
                    assert data["values"] == {} and data["platform"]["catalog_entries"] > 0
                    break
        assert kinds == ["hello", "values"]
    finally:
        srv.stop()
