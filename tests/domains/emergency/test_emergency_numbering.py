"""Incident numbers: one per-day counter row taken by an atomic upsert, so concurrent writers
(threads with their own connections, on SQLite and on PostgreSQL) never share a number."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.db import make_engine, make_sessionmaker, transaction
from mudan.domains.emergency import service as es
from mudan.domains.emergency.enums import EventType
from mudan.domains.emergency.models import Incident, IncidentCounter
from mudan.domains.emergency.numbering import next_number
from mudan.domains.emergency.schemas import IncidentIn
from mudan.settings import Settings
from tests.domains.emergency.conftest import principal, street_point

T0 = datetime(2025, 7, 20, 1, 0, tzinfo=UTC)  # 2025-07-20 09:00 China time
THREADS, EACH = 8, 5


def test_concurrent_incidents_get_distinct_dense_numbers(settings: Settings) -> None:
    engine = make_engine(settings.database.url)
    sessions = make_sessionmaker(engine)
    with sessions() as s:
        actor = principal(s, "zhiban")
        lon, lat = street_point(s, "焦园乡")
        locator = es.locator_of(s)
    start = threading.Barrier(THREADS)
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(k: int) -> None:
        try:
            start.wait()
            for i in range(EACH):
                data = IncidentIn(
                    title=f"并发{k}-{i}", event_type=EventType.FLOOD, lon=lon, lat=lat
                )
                with transaction(sessions) as s:
                    change = es.open_incident(s, data=data, actor=actor, locator=locator, now=T0)
                    number = change.incident.number
                with lock:
                    numbers.append(number)
        except BaseException as exc:  # reported below, with the thread's traceback
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    total = THREADS * EACH
    assert len(set(numbers)) == total
    assert sorted(numbers) == [f"YJ20250720{n:03d}" for n in range(1, total + 1)]
    with sessions() as s:
        assert s.get(IncidentCounter, "20250720").last == total  # type: ignore[union-attr]
        stored = s.scalars(select(Incident.number).where(Incident.number.like("YJ20250720%")))
        assert sorted(stored) == sorted(numbers)
    engine.dispose()


def test_numbers_are_per_china_day_and_skip_taken_ones(session: Session) -> None:
    # 2025-07-20 17:00 UTC is already 07-21 in China.
    assert next_number(session, datetime(2025, 7, 20, 17, 0, tzinfo=UTC)) == "YJ20250721001"
    # A number someone stored by hand is skipped, not reused.
    zhiban = principal(session, "zhiban")
    lon, lat = street_point(session, "焦园乡")
    data = IncidentIn(title="手工", event_type=EventType.FIRE, lon=lon, lat=lat)
    first = es.open_incident(
        session, data=data, actor=zhiban, locator=es.locator_of(session), now=T0
    )
    first.incident.number = "YJ20250720002"
    session.flush()
    assert next_number(session, T0) == "YJ20250720003"
    # A rolled-back transaction gives its number back.
    with session.begin_nested() as sp:
        assert next_number(session, T0) == "YJ20250720004"
        sp.rollback()
    assert next_number(session, T0) == "YJ20250720004"
