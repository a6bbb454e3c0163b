"""Live alerts out of order: an alert whose transaction commits after a later one's still
reaches the screens, exactly once; the cursor gives a hole up after its time-to-live."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.core.db import make_engine, make_sessionmaker, utcnow
from mudan.domains.indicators import service as indicators
from mudan.domains.indicators.models import Alert
from mudan.domains.ops.cursor import MAX_HOLES, AlertCursor
from mudan.domains.ops.live import Hub, Subscriber
from mudan.domains.ops.sources import AlertItem, ServiceSource
from mudan.hooks import make_plugin_manager
from mudan.kernel.rbac import Principal
from mudan.settings import Settings

CITY_WIDE = Principal(user_id=1, username="zhiban", display_name="值班员", scope_paths=("3717",))


def _items(*ids: int) -> list[AlertItem]:
    return [AlertItem(id=i, level="red", title=f"预警 {i}") for i in ids]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_cursor_delivers_a_late_alert_once() -> None:
    cur = AlertCursor(high=10)
    assert [a.id for a in cur.take(_items(11, 13))] == [11, 13]
    assert cur.holes.keys() == {12} and cur.floor == 11
    assert cur.take(_items(11, 13)) == []  # re-read from the floor: nothing twice
    assert [a.id for a in cur.take(_items(11, 12, 13, 14))] == [12, 14]
    assert cur.holes == {} and cur.floor == cur.high == 14


def test_cursor_gives_up_a_hole_after_its_ttl() -> None:
    clock = Clock()
    cur = AlertCursor(high=0, hole_ttl=60, clock=clock)
    cur.take(_items(2))
    assert cur.floor == 0
    clock.now = 61.0  # id 1 was burnt by a rolled-back transaction
    assert cur.take([]) == [] and cur.floor == 2
    assert cur.take(_items(1)) == []  # too late: given up (the screen's reload shows it)


def test_cursor_tracks_at_most_max_holes() -> None:
    cur = AlertCursor(high=0)
    cur.take(_items(10 * MAX_HOLES))
    assert len(cur.holes) == MAX_HOLES and cur.floor == 9 * MAX_HOLES - 1


def _alert(alert_id: int, title: str) -> Alert:
    now = utcnow()
    return Alert(
        id=alert_id,
        kind="signal",
        source="test.order",
        level="orange",
        status="open",
        title=title,
        dedup_key=f"test:order:{alert_id}",
        region_code=None,
        first_seen=now,
        last_seen=now,
        created_at=now,
    )


@pytest.fixture
def hub(settings: Settings) -> Iterator[Hub]:
    engine = make_engine(settings.database.url)
    sessions = make_sessionmaker(engine)
    yield Hub(lambda: sessions, lambda: ServiceSource(indicators), {}, make_plugin_manager())
    engine.dispose()


def _drain(sub: Subscriber) -> list[int]:
    out = []
    while not sub.queue.empty():
        out.append(sub.queue.get_nowait()["id"])
    return out


def test_an_alert_committed_late_reaches_the_stream(hub: Hub, session: Session) -> None:
    top = int(session.scalar(select(func.max(Alert.id))) or 0)
    sub = Subscriber(principal=CITY_WIDE, region_code="3717", codes=(), floor=top)
    hub.subscribers.add(sub)
    # the transaction holding id top+1 is still open when the one holding top+2 commits
    session.add(_alert(top + 2, "后提交的预警"))
    session.commit()
    hub._poll(False)
    assert _drain(sub) == [top + 2]
    session.add(_alert(top + 1, "先分配、晚提交的预警"))
    session.commit()
    hub._poll(False)
    assert _drain(sub) == [top + 1]
    hub._poll(False)  # nothing twice
    assert _drain(sub) == []
    session.add(_alert(top + 3, "之后的预警"))
    session.commit()
    hub._poll(False)
    assert _drain(sub) == [top + 3]
    assert hub.cursor is not None and hub.cursor.holes == {}


def test_sse_ids_never_go_back() -> None:
    sub = Subscriber(principal=CITY_WIDE, region_code="3717", codes=(), floor=10)
    assert sub.wants(12) and not sub.wants(9)
    assert sub.mark_sent(12, settled=10) == "10:12"  # 11 is still a hole: a resume replays it
    assert sub.wants(11) and not sub.wants(12)
    assert sub.mark_sent(11, settled=12) == "12"  # a reconnect resumes after 12, not after 11
