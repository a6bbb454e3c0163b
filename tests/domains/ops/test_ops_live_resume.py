"""A reconnecting stream resumes from its SSE id: the alerts it missed arrive once, a late lower
id included (one that committed while it was away, or that is still uncommitted), never one
it had; the id stays short and a forged one is not trusted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.core.db import make_engine, make_sessionmaker
from mudan.domains.indicators import service as indicators
from mudan.domains.indicators.models import Alert
from mudan.domains.ops.cursor import MAX_HOLES, MAX_RANGES, decode_position, encode_position
from mudan.domains.ops.live import SETTLED, Hub, Subscriber, fresh_position, replay
from mudan.domains.ops.sources import ServiceSource
from mudan.hooks import make_plugin_manager
from mudan.settings import Settings
from tests.domains.ops.test_ops_live_order import CITY_WIDE, _alert


def test_position_round_trip_and_bounds() -> None:
    assert encode_position(42, set()) == "42"
    assert encode_position(40, {42, 43, 44, 47, 39}) == "40:42-44,47"
    assert decode_position("40:42-44,47") == (40, {42, 43, 44, 47})
    assert decode_position("42") == (42, set())
    for forged in ("", "abc", "-1", "42:", "42:41", "42:50-45", f"0:1-{MAX_HOLES + 1}", "1e3"):
        assert decode_position(forged) is None, forged
    many = ",".join(str(i) for i in range(2, 2 * MAX_RANGES + 4, 2))
    assert decode_position(f"0:{many}") is None  # more runs than a stream ever sends


def test_subscriber_keeps_its_id_short() -> None:
    sub = Subscriber(principal=CITY_WIDE, region_code="3717", codes=(), floor=0)
    for i in range(2, 4 * MAX_RANGES, 2):  # id 1 never commits, every other id is not visible
        sub.mark_sent(i, settled=0)
    got = decode_position(sub.position())
    assert got is not None and len(got[1]) == MAX_RANGES
    assert sub.floor == 4 * MAX_RANGES - 2 - 2 * MAX_RANGES  # the oldest runs count as settled


@pytest.fixture
def hub(settings: Settings) -> Iterator[Hub]:
    engine = make_engine(settings.database.url)
    sessions = make_sessionmaker(engine)
    yield Hub(lambda: sessions, lambda: ServiceSource(indicators), {}, make_plugin_manager())
    engine.dispose()


def _deliver(sub: Subscriber) -> list[tuple[int, str]]:
    """What the stream would send for its queued events: (alert id, SSE id)."""
    out = []
    while not sub.queue.empty():
        event = sub.queue.get_nowait()
        if sub.wants(event["id"]):
            out.append((event["id"], sub.mark_sent(event["id"], event[SETTLED])))
    return out


def test_reconnect_gets_a_late_alert_the_hub_delivered_while_away(
    hub: Hub, session: Session
) -> None:
    top = int(session.scalar(select(func.max(Alert.id))) or 0)
    stays = Subscriber(principal=CITY_WIDE, region_code="3717", codes=(), floor=top)
    away = Subscriber(principal=CITY_WIDE, region_code="3717", codes=(), floor=top)
    hub.subscribers |= {stays, away}
    session.add(_alert(top + 2, "先提交的预警"))  # top+1's transaction is still open
    session.commit()
    hub._poll(False)
    assert _deliver(away) == [(top + 2, f"{top}:{top + 2}")]
    last_event_id = away.position()
    hub.unsubscribe(away)  # the screen's network drops
    session.add(_alert(top + 1, "晚提交的预警"))
    session.add(_alert(top + 3, "断线期间的预警"))
    session.commit()
    hub._poll(False)  # the hub hands top+1 and top+3 on to the streams still open
    assert [i for i, _ in _deliver(stays)] == [top + 2, top + 1, top + 3]

    resumed = decode_position(last_event_id)
    assert resumed == (top, {top + 2})
    back = Subscriber(
        principal=CITY_WIDE, region_code="3717", codes=(), floor=resumed[0], sent=resumed[1]
    )
    hub.subscribers.add(back)
    missed = replay(session, ServiceSource(indicators), hub, back)
    assert [a.id for a in missed.alerts] == [top + 1, top + 3] and missed.skipped == 0
    assert [back.mark_sent(a.id, missed.settled) for a in missed.alerts] == [
        str(top + 2),
        str(top + 3),
    ]
    session.add(_alert(top + 4, "重连之后的预警"))
    session.commit()
    hub._poll(False)
    assert _deliver(back) == [(top + 4, str(top + 4))]  # and nothing twice
    hub._poll(False)
    assert _deliver(back) == [] and _deliver(stays) == [(top + 4, str(top + 4))]


def test_reconnect_before_the_late_alert_commits(hub: Hub, session: Session) -> None:
    top = int(session.scalar(select(func.max(Alert.id))) or 0)
    first = Subscriber(principal=CITY_WIDE, region_code="3717", codes=(), floor=top)
    hub.subscribers.add(first)
    session.add(_alert(top + 2, "先提交的预警"))
    session.commit()
    hub._poll(False)
    _deliver(first)
    hub.unsubscribe(first)
    floor, had = decode_position(first.position()) or (0, set())
    back = Subscriber(principal=CITY_WIDE, region_code="3717", codes=(), floor=floor, sent=had)
    hub.subscribers.add(back)
    assert replay(session, ServiceSource(indicators), hub, back).alerts == []
    session.add(_alert(top + 1, "重连之后才提交的预警"))
    session.commit()
    hub._poll(False)
    assert _deliver(back) == [(top + 1, str(top + 2))]


def test_a_new_stream_still_gets_an_alert_uncommitted_when_it_started(
    hub: Hub, session: Session
) -> None:
    top = int(session.scalar(select(func.max(Alert.id))) or 0)
    watcher = Subscriber(principal=CITY_WIDE, region_code="3717", codes=(), floor=top)
    hub.subscribers.add(watcher)
    session.add(_alert(top + 2, "先提交的预警"))
    session.commit()
    hub._poll(False)
    source = ServiceSource(indicators)
    floor, had = fresh_position(session, source, hub, top + 2)  # a screen opens now
    assert (floor, had) == (top, {top + 2})
    new = Subscriber(principal=CITY_WIDE, region_code="3717", codes=(), floor=floor, sent=had)
    assert new.position() == f"{top}:{top + 2}"
    hub.subscribers.add(new)
    assert replay(session, source, hub, new).alerts == []  # top+2 was on its page already
    session.add(_alert(top + 1, "晚提交的预警"))
    session.commit()
    hub._poll(False)
    assert _deliver(new) == [(top + 1, str(top + 2))]
