"""Rates at explicit times: per day (the day's last recompute), per month (channel-days), by
district/street/owner unit; the indicator specs read them."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from mudan.domains.video.enums import EventKind, OwnerUnit, RateDim
from mudan.domains.video.metrics import indicator_specs
from mudan.domains.video.models import VideoChannel, VideoDevice
from mudan.domains.video.rates import day_rates, local_day, month_rates, store_day_rates, trend
from mudan.domains.video.status import DeviceEvent, apply_events, recompute
from tests.domains.video.video_fixtures import T0, add_device, only_ours


def _keep_alive(session: Session, dev: VideoDevice, at_minutes: float) -> None:
    at = T0 + timedelta(minutes=at_minutes)
    apply_events(
        session,
        events=[DeviceEvent(EventKind.REGISTER, dev.code, at, interval_s=60)],
        now=at,
        misses=3,
    )


def test_day_and_month_rates(session: Session) -> None:
    only_ours(session)
    d1, c1 = add_device(session, channels=4, district="371702", owner=OwnerUnit.COMMUNITY)
    d2, _c2 = add_device(session, channels=2, district="371721", owner=OwnerUnit.POLICE_SKYNET)
    session.execute(
        update(VideoChannel).values(last_probe_result="ok", last_probe_at=T0 - timedelta(hours=1))
    )
    c1[0].last_probe_result = "black"  # online, not retrieved
    _keep_alive(session, d1, 0)
    _keep_alive(session, d2, 0)
    day1 = local_day(T0)
    recompute(session, at=T0 + timedelta(minutes=1))
    store_day_rates(session, day=day1)
    city = day_rates(session, day=day1, dim=RateDim.CITY)
    assert [(r.key, r.total, r.online, r.retrieved) for r in city] == [("3717", 6, 6, 5)]
    assert city[0].online_rate == 100.0 and city[0].retrieved_rate == round(500 / 6, 2)
    districts = day_rates(session, day=day1, dim=RateDim.DISTRICT)
    by_district = {r.key: (r.total, r.online, r.retrieved) for r in districts}
    assert by_district == {"371702": (4, 4, 3), "371721": (2, 2, 2)}
    by_owner = {r.key: r.online for r in day_rates(session, day=day1, dim=RateDim.OWNER)}
    assert by_owner == {"community": 4, "police_skynet": 2}
    streets = day_rates(session, day=day1, dim=RateDim.STREET)
    assert sum(r.total for r in streets) == 6 and all(len(r.key) == 12 for r in streets)

    # next day: 371721's device stopped sending keepalives
    t2 = T0 + timedelta(days=1)
    _keep_alive(session, d1, 24 * 60)
    recompute(session, at=t2)
    day2 = local_day(t2)
    store_day_rates(session, day=day2)
    store_day_rates(session, day=day2)  # recomputing a day replaces it
    city2 = day_rates(session, day=day2, dim=RateDim.CITY)[0]
    assert (city2.total, city2.online) == (6, 4)
    month = month_rates(session, year=day1.year, month=day1.month, dim=RateDim.CITY)[0]
    assert (month.total, month.online, month.retrieved) == (12, 10, 8)
    assert month.online_rate == round(1000 / 12, 2)
    points = trend(session, dim=RateDim.DISTRICT, key="371721", start=day1, end=day2)
    assert [(p.day, p.online_rate) for p in points] == [(day1, 100.0), (day2, 0.0)]

    specs = {s.code: s for s in indicator_specs()}
    assert specs["video.online_rate"].target == 95 and specs["video.retrieved_rate"].target == 85
    online = specs["video.online_rate"].compute
    assert online is not None
    values = {v.region_code: v for v in online(session, day2)}
    assert values["3717"].value == round(400 / 6, 2) and values["3717"].denominator == 6
    assert values["371721"].value == 0.0 and values["371702"].numerator == 4
    nothing = online(session, date(2000, 1, 1))
    assert [(v.region_code, v.value) for v in nothing] == [("3717", None)]
