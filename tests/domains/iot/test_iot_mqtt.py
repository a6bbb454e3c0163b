"""Telemetry through the real Mosquitto: mosquitto_pub and paho in, latest state and lake out;
bad input to the dead letters; duplicates idempotent; clocks in the future flagged."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.core.db import make_engine, make_sessionmaker
from mudan.domains.iot.lakeflush import IDENT, flush
from mudan.domains.iot.models import DeadLetter, Latest, Reading
from mudan.lake.catalog import Lake
from mudan.lake.query import QueryEngine
from mudan.settings import Settings
from tests.domains.iot.iot_helpers import some_device
from tests.domains.iot.iot_mqtt_helpers import publisher, running_ingester, unique, wait_for


def _count(s: Session, stmt: object) -> int:
    s.expire_all()
    return int(s.scalar(stmt) or 0)  # type: ignore[call-overload]


def test_mosquitto_pub_and_paho_reach_latest_state_and_lake(
    settings: Settings, session: Session
) -> None:
    air = some_device(session, "air")
    light = some_device(session, "street_light")
    prefix, cid = unique("mudan"), unique("ing")
    engine = make_engine(settings.database.url)
    sessions = make_sessionmaker(engine)
    ts1 = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    with running_ingester(sessions, prefix, cid) as ing:
        body = json.dumps({"ts": ts1.isoformat(), "values": {"pm25": 42.5, "pm10": 70}})
        subprocess.run(
            ["mosquitto_pub", "-h", "127.0.0.1", "-p", "1883", "-q", "1", "-t",
             f"{prefix}/air/{air.code}/telemetry", "-m", body],
            check=True,
        )  # fmt: skip
        pub = publisher()
        payload = {"ts": int(ts1.timestamp() * 1000), "values": {"on": True, "power": 120.5}}
        pub.publish(f"{prefix}/street_light/{light.code}/telemetry", json.dumps(payload), qos=1)
        wait_for(lambda: ing.stats.accepted >= 2, "two readings")
        pub.loop_stop()
    latest = {lt.device_id: lt for lt in session.scalars(select(Latest))}
    assert (latest[air.id].v0, latest[air.id].v1, latest[air.id].v2) == (42.5, 70.0, None)
    assert (latest[light.id].v0, latest[light.id].v1) == (1.0, 120.5)
    with Lake(db_url=settings.database.url, warehouse=settings.lake.warehouse) as lake:
        result = flush(sessions, lake)
        assert result.readings >= 2
        rows = (
            QueryEngine(lake)
            .query(
                f"SELECT device_code, metric, value, day, ts FROM {IDENT} "
                f"WHERE device_code IN ('{air.code}', '{light.code}') ORDER BY device_code, metric",
                allowed=lambda _t: True,
            )
            .rows.to_pylist()
        )
        again = flush(sessions, lake)  # nothing new: no new snapshot
        assert again.batches == 0
    rows = [r for r in rows if r["ts"] == ts1]  # the demo simulator wrote earlier readings
    got = {(r["device_code"], r["metric"]): r["value"] for r in rows}
    assert got == {
        (air.code, "pm25"): 42.5,
        (air.code, "pm10"): 70.0,
        (light.code, "on"): 1.0,
        (light.code, "power"): 120.5,
    }
    beijing = ts1.astimezone(timezone(timedelta(hours=8))).date()
    assert {r["day"] for r in rows} == {beijing}
    engine.dispose()


def test_bad_input_goes_to_dead_letters_duplicates_and_future(
    settings: Settings, session: Session
) -> None:
    dev = some_device(session, "water_level")
    prefix, cid = unique("mudan"), unique("ing")
    engine = make_engine(settings.database.url)
    ts = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=2)
    good = json.dumps({"ts": ts.isoformat(), "values": {"level": 1.25}, "msg_id": "m1"})
    future = json.dumps(
        {"ts": (datetime.now(UTC) + timedelta(days=2)).isoformat(), "values": {"level": 9.9}}
    )
    topic = f"{prefix}/water_level/{dev.code}/telemetry"
    sent = [
        (topic, good),
        (topic, good),  # duplicate: same device and ts
        (topic, "{oops"),
        (topic, json.dumps({"values": {"level": 1}})),
        (topic, json.dumps({"ts": ts.isoformat(), "values": {"level": "high"}})),
        (topic, json.dumps({"ts": ts.isoformat(), "values": {"speed": 3}})),
        (f"{prefix}/water_level/NO-SUCH-DEVICE/telemetry", good),
        (f"{prefix}/air/{dev.code}/telemetry", good),
        (topic, future),
    ]
    with running_ingester(make_sessionmaker(engine), prefix, cid) as ing:
        pub = publisher()
        for t, body in sent:
            pub.publish(t, body, qos=1).wait_for_publish()
        wait_for(lambda: ing.stats.received >= len(sent), "every message")
        pub.loop_stop()
    assert ing.stats.accepted == 2 and ing.stats.duplicates == 1 and ing.stats.future == 1
    reasons = dict(
        session.execute(
            select(DeadLetter.reason, func.count())
            .where(DeadLetter.topic.startswith(prefix))
            .group_by(DeadLetter.reason)
        ).all()
    )
    assert reasons == {
        "bad_json": 1,
        "bad_ts": 1,
        "bad_value": 1,
        "unknown_metric": 1,
        "unknown_device": 1,
        "type_mismatch": 1,
    }
    readings = session.scalars(select(Reading).where(Reading.device_id == dev.id)).all()
    assert sorted(r.flags for r in readings) == ["", "future"]
    latest = session.get(Latest, dev.id)
    assert latest is not None and latest.v0 == 1.25  # the future reading does not move it
    engine.dispose()
