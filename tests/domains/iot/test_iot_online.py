"""Time-weighted online rate with explicit times (Beijing days, 3 × interval grace)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from mudan.core.db import as_utc
from mudan.domains.iot.models import Device, OnlineDay, Reading
from mudan.domains.iot.online import online_rates, online_seconds, summarise_missing
from mudan.domains.iot.parse import BEIJING, Incoming
from mudan.domains.iot.pipeline import Pipeline
from tests.domains.iot.iot_helpers import some_device


def _feed(session: Session, code: str, times: list[datetime]) -> None:
    msgs = [
        Incoming(
            "http",
            "",
            {"ts": t.isoformat(), "values": {"occupied": 1, "smoke": 0.1}},
            t,
            code,
            None,
        )
        for t in times
    ]
    stats = Pipeline().process(session, msgs)
    assert stats.accepted == len(times)


def test_online_seconds_union_of_windows(session: Session) -> None:
    a = some_device(session, "parking")
    b = some_device(session, "smoke")
    day = (datetime.now(BEIJING) - timedelta(days=1)).date()
    start = datetime.combine(day, time(0), BEIJING)
    minute = timedelta(minutes=1)
    _feed(
        session, a.code, [start, start + 5 * minute, start + 10 * minute, start + 6 * 60 * minute]
    )
    _feed(session, b.code, [start - 5 * minute])  # the day before: covers the first 10 minutes
    session.commit()
    end_of_day = start + timedelta(days=1)
    devices, online, total = online_seconds(session, day=day, now=end_of_day + timedelta(hours=3))
    pos = {d[0]: i for i, d in enumerate(devices)}
    grace_b = 3 * b.interval_s
    assert online[pos[a.id]] == (10 + 15 + 15) * 60  # 00:00–00:25 and 06:00–06:15
    assert online[pos[b.id]] == grace_b - 5 * 60
    assert total[pos[a.id]] == 24 * 3600
    cut = start + timedelta(hours=6, minutes=5)  # "now" in the middle of the day
    devices, online, total = online_seconds(session, day=day, now=cut)
    pos = {d[0]: i for i, d in enumerate(devices)}
    assert online[pos[a.id]] == (25 + 5) * 60 and total[pos[a.id]] == 6 * 3600 + 5 * 60
    rows = {r.key: r for r in online_rates(session, day=day, now=cut, by="type")}
    city, parking = rows["3717"], rows["parking"]
    active = session.scalar(select(func.count()).where(Device.status == "active"))
    assert city.devices == active and len(devices) < active and parking.devices < city.devices
    assert city.total_s == sum(  # every active device was registered the whole window
        min(6 * 3600 + 5 * 60, cut.timestamp() - as_utc(d.installed_at).timestamp())
        for d in session.scalars(select(Device).where(Device.status == "active"))
    )
    assert parking.online_s >= online[pos[a.id]]
    assert parking.rate == round(100 * parking.online_s / parking.total_s, 2)
    by_region = {r.key: r for r in online_rates(session, day=day, now=cut, by="region")}
    assert by_region[a.district_code].online_s >= online[pos[a.id]]
    assert sum(r.devices for k, r in by_region.items() if k != "3717") == city.devices


def test_finished_day_is_summarised_and_survives_pruning(session: Session) -> None:
    a = some_device(session, "parking")
    session.execute(delete(OnlineDay))  # the demo world's month of summaries: start without
    day = (datetime.now(BEIJING) - timedelta(days=1)).date()
    start = datetime.combine(day, time(0), BEIJING)
    _feed(session, a.code, [start + timedelta(hours=h) for h in range(0, 24, 2)])
    session.commit()
    now = start + timedelta(days=1, hours=1)  # 01:00 the next day
    live = {r.key: r for r in online_rates(session, day=day, now=now, by="type")}
    assert summarise_missing(session, now=now) == [day]
    assert summarise_missing(session, now=now) == []  # once per day
    session.commit()
    stored = session.scalars(select(OnlineDay).where(OnlineDay.day == day)).all()
    assert {r.dim for r in stored} == {"type", "department", "region"}
    # the hot readings go (the 48 h retention); the finished day keeps its figures
    session.execute(delete(Reading))
    session.commit()
    later = {r.key: r for r in online_rates(session, day=day, now=now, by="type")}
    assert later["parking"].online_s == live["parking"].online_s > 0
    assert later["3717"].devices == live["3717"].devices
    assert next(iter(later)) == "3717"
    # two days on, an older day without a summary has no figure rather than a wrong one
    older = day - timedelta(days=1)
    assert online_rates(session, day=older, now=now, by="region") == []
    assert online_rates(session, day=day, now=now + timedelta(days=1), by="region")
