"""The demo world's indicator centre: built-ins, actual against target, 暂无数据源 where no
domain provides a metric, vital signs rolled up, the planted AQI episode and the forecast."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.core.db import utcnow
from mudan.domains.catalog import service as catalog
from mudan.domains.indicators import service
from mudan.domains.indicators.builtin import BUILTINS
from mudan.domains.indicators.demo import EPISODE_DISTRICT, RISING_DISTRICT
from mudan.domains.indicators.models import Alert, AlertEvent
from mudan.hooks import collect, make_plugin_manager
from tests.conftest import DEMO_SCALE


def test_builtins_show_actual_against_target_or_say_no_source(session: Session) -> None:
    pm = make_plugin_manager()
    provided = {s.code for s in collect(pm.hook.mudan_indicators())}
    values = {v.code: v for v in service.latest_values(session, pm=pm)}
    assert {b.code for b in BUILTINS} <= set(values)
    catalogs = values["data.catalogs"]
    assert catalogs.status == "ok"
    assert catalogs.value == catalog.count_entries(session)
    # a demo world at --scale S compares its counts with S of Heze's targets and says so
    assert catalogs.target == round(14300 * DEMO_SCALE, 6) and catalogs.target_scale == DEMO_SCALE
    for b in BUILTINS:
        v = values[b.code]
        if b.kind == "metric" and b.formula not in provided:
            assert v.status == "no_source" and v.value is None
            assert v.status_text == "暂无数据源"
    # refreshed after the ingest domain's deferred demo loads ran: the rows really written
    from mudan.domains.ingest.models import IngestJob

    written = session.scalar(
        select(func.sum(IngestJob.rows_written)).where(IngestJob.status == "succeeded")
    )
    assert written and values["data.records"].value == written
    assert values["share.on_time_rate"].target == 99
    assert values["sense.video_online_rate"].target == 95
    aqi = values["env.aqi"]
    assert aqi.status == "ok" and aqi.value is not None and aqi.unit == ""


def test_vital_signs_roll_up_and_keep_history(session: Session) -> None:
    since = utcnow() - timedelta(days=3)
    city = service.series(session, code="env.aqi", region_code="3717", since=since)
    assert len(city.points) >= 70  # hourly history kept
    districts = service.region_values(session, code="env.aqi")
    assert len(districts) == 9
    # the city value is the mean of its districts (declared aggregation: avg)
    latest = service.latest_values(session, codes=["env.aqi"])[0]
    at = latest.period_start
    vals = [
        service.series(session, code="env.aqi", region_code=d.region_code, since=at).points[0]
        for d in districts
    ]
    assert abs(latest.value - sum(p.value for p in vals) / 9) < 1e-6  # type: ignore[operator]
    pop = {v.region_code: v.value for v in service.region_values(session, code="city.population")}
    total = service.latest_values(session, codes=["city.population"])[0].value
    assert total is not None and abs(total - sum(v for v in pop.values() if v)) < 1e-6


def test_planted_episode_raised_then_recovered_and_forecast_warned(session: Session) -> None:
    episode = session.scalar(
        select(Alert).where(Alert.dedup_key == f"indicator:env.aqi:{EPISODE_DISTRICT}")
    )
    assert episode is not None and episode.status == "closed"
    actions = list(
        session.scalars(
            select(AlertEvent.action)
            .where(AlertEvent.alert_id == episode.id)
            .order_by(AlertEvent.id)
        )
    )
    assert actions[0] == "raised" and actions[-1] == "close"
    warned = session.scalar(
        select(func.count())
        .select_from(Alert)
        .where(Alert.dedup_key == f"forecast:env.aqi:{RISING_DISTRICT}")
    )
    assert warned == 1
    ser = service.series(
        session, code="env.aqi", region_code=RISING_DISTRICT, since=utcnow() - timedelta(days=1)
    )
    assert len(ser.forecast) == 24


def test_new_hour_without_readings_keeps_last_known_value_then_takes_new_ones(
    session: Session,
) -> None:
    from mudan.domains.indicators.enums import Frequency
    from mudan.domains.indicators.timeutil import period_of

    pm = make_plugin_manager()
    before = service.latest_values(session, codes=["env.aqi"])[0]
    later = utcnow() + timedelta(hours=3)
    assert service.compute(session, code="env.aqi", at=later, lake=None, pm=pm).status == "no_data"
    still = service.latest_values(session, codes=["env.aqi"])[0]
    assert still.status == "ok" and still.period_start == before.period_start
    start, _ = period_of(Frequency.HOURLY, later)
    rows = [(d, start, 100.0 + i, None) for i, d in enumerate(["371702", "371721"])]
    assert service.record_observations(session, series="aqi", rows=rows) == 2
    assert service.record_observations(session, series="aqi", rows=rows) == 0  # idempotent
    service.compute(session, code="env.aqi", at=later, lake=None, pm=pm)
    now = service.latest_values(session, codes=["env.aqi"])[0]
    assert now.period_start == start and now.value == 100.5
