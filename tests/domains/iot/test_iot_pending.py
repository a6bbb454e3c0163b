"""未接入 (pending) terminals: registered in the ledger, not connected; out of the online rate
and the no-data rules until their first reading (HTTP or MQTT) connects them from then."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.core.db import as_utc, make_engine, make_sessionmaker, utcnow
from mudan.domains.iot.models import AlertState, Device, Latest, Rule
from mudan.domains.iot.online import online_rates
from mudan.domains.iot.parse import BEIJING
from mudan.domains.iot.rules import sweep_nodata
from mudan.hooks import collect, make_plugin_manager
from mudan.settings import Settings
from tests.conftest import login_token
from tests.domains.iot.iot_helpers import FakeAlerts
from tests.domains.iot.iot_mqtt_helpers import publisher, running_ingester, unique, wait_for


def _pending(session: Session, device_type: str) -> Device:
    dev = session.scalars(
        select(Device)
        .where(Device.type == device_type, Device.status == "pending")
        .order_by(Device.id.desc())
    ).first()
    assert dev is not None
    return dev


def _city(session: Session, now: datetime) -> tuple[int, float]:
    row = online_rates(session, day=now.astimezone(BEIJING).date(), now=now, by="type")[0]
    return row.devices, row.total_s


def test_the_demo_connects_its_simulated_fleet_and_the_live_rate_is_realistic(
    session: Session,
) -> None:
    counts = dict(
        session.execute(select(Device.status, func.count()).group_by(Device.status)).all()
    )
    assert counts["pending"] > 0 and counts["active"] > 0  # registered, not all connected
    now = utcnow()
    city = online_rates(session, day=now.astimezone(BEIJING).date(), now=now, by="region")[0]
    assert city.devices == counts["active"]  # the rate counts the connected ones only
    assert city.rate is not None and city.rate > 50  # was ~0.1–4 % over the whole ledger


def test_first_http_reading_connects_a_pending_device_from_then(
    client: TestClient, gateway_headers: dict[str, str], session: Session
) -> None:
    dev = _pending(session, "pipe_pressure")
    registered_at = as_utc(dev.installed_at)
    at = utcnow() + timedelta(minutes=1)  # the same "now" before and after: only dev differs
    before = _city(session, at)
    session.rollback()
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    item = {"device_code": dev.code, "ts": t0.isoformat(), "values": {"pressure": 0.3}}
    sent = datetime.now(UTC)
    r = client.post("/api/v1/iot/telemetry", json={"readings": [item]}, headers=gateway_headers)
    assert r.status_code == 200 and r.json()["accepted"] == 1
    session.expire_all()
    dev = session.get(Device, dev.id)  # type: ignore[assignment]
    assert dev.status == "active"
    connected_at = as_utc(dev.installed_at)
    assert connected_at >= sent - timedelta(seconds=1) and connected_at > registered_at
    devices, total = _city(session, at)
    assert devices == before[0] + 1  # counted from its first reading, not from registration
    assert abs(total - before[1] - (at - connected_at).total_seconds()) < 0.01
    later = dict(item, ts=(t0 + timedelta(seconds=30)).isoformat())
    client.post("/api/v1/iot/telemetry", json={"readings": [later]}, headers=gateway_headers)
    session.expire_all()
    assert as_utc(session.get(Device, dev.id).installed_at) == connected_at  # type: ignore[union-attr]


def test_first_mqtt_reading_connects_a_pending_device(settings: Settings, session: Session) -> None:
    dev = _pending(session, "noise")
    prefix, cid = unique("mudan"), unique("ing")
    engine = make_engine(settings.database.url)
    ts = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=30)
    body = json.dumps({"ts": ts.isoformat(), "values": {"laeq": 51.5}})
    with running_ingester(make_sessionmaker(engine), prefix, cid) as ing:
        pub = publisher()
        pub.publish(f"{prefix}/noise/{dev.code}/telemetry", body, qos=1).wait_for_publish()
        wait_for(lambda: ing.stats.accepted >= 1, "the reading")
        pub.loop_stop()
    session.expire_all()
    got = session.get(Device, dev.id)
    assert got is not None and got.status == "active"
    latest = session.get(Latest, dev.id)
    assert latest is not None and latest.v0 == 51.5
    engine.dispose()


def test_nodata_sweep_ignores_pending_devices(
    client: TestClient, alerts: FakeAlerts, session: Session
) -> None:
    session.add(
        Rule(
            name="井盖断线",
            device_type="manhole",
            metric="",
            kind="nodata",
            op=">",
            limit=3,
            level="blue",
            enabled=True,
        )
    )
    session.commit()
    pending = set(
        session.scalars(
            select(Device.code).where(Device.type == "manhole", Device.status == "pending")
        )
    )
    assert pending
    pm = client.app.state.ctx.pm  # type: ignore[attr-defined]
    sweep_nodata(session, now=datetime.now(UTC) + timedelta(days=40), pm=pm)
    session.commit()
    refs = {c.object_ref.removeprefix("iot.device:") for c in alerts.calls}
    assert refs and not refs & pending  # the connected ones fall silent; never-connected don't
    states = session.scalar(
        select(func.count())
        .select_from(AlertState)
        .join(Device, Device.id == AlertState.device_id)
        .where(Device.status == "pending")
    )
    assert states == 0


def test_pages_show_the_ledger_and_the_pending_label(client: TestClient, session: Session) -> None:
    registered = session.scalar(select(func.count()).where(Device.status != "retired"))
    pending = session.scalar(select(func.count()).where(Device.status == "pending"))
    h = {"Authorization": f"Bearer {login_token(client, 'admin')}"}
    ledger = f"登记 {registered} 台 · 接入 {registered - pending} 台 · 未接入 {pending} 台"
    online = client.get("/iot/online", headers=h).text
    assert ledger in online
    page = client.get("/iot/devices?status=pending", headers=h)
    assert page.status_code == 200 and ledger in page.text
    assert '<option value="pending" selected>未接入</option>' in page.text
    assert "<td>未接入</td>" in page.text
    api = client.get("/api/v1/iot/devices?status=pending", headers=h).json()
    assert api["total"] == pending


def test_the_count_indicators_say_registered_and_connected(session: Session) -> None:
    specs = {s.code: s for s in collect(make_plugin_manager().hook.mudan_indicators())}
    assert specs["iot.terminals"].name == "物联感知终端登记数"
    assert specs["iot.connected"].name == "物联感知终端接入数"
    day = datetime.now(BEIJING).date()
    registered = specs["iot.terminals"].compute(session, day)[0]  # type: ignore[misc]
    connected = specs["iot.connected"].compute(session, day)[0]  # type: ignore[misc]
    pending = session.scalar(select(func.count()).where(Device.status == "pending"))
    assert registered.value == connected.value + pending  # type: ignore[operator]
