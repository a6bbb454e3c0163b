"""HTTP batch ingest for gateways (Role.SYSTEM token) and rule alerts through the hook."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.domains.iot.models import AlertState, Latest, Reading
from mudan.domains.iot.rules import sweep_nodata
from tests.conftest import login_token
from tests.domains.iot.iot_helpers import FakeAlerts, some_device


def _iso(t: datetime) -> str:
    return t.isoformat()


def test_http_batch_needs_ingest_permission_and_is_idempotent(
    client: TestClient, gateway_headers: dict[str, str], session: Session
) -> None:
    dev = some_device(session, "pipe_pressure")
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
    body = {
        "readings": [
            {"device_code": dev.code, "ts": _iso(t0), "values": {"pressure": 0.31}},
            {
                "device_code": dev.code,
                "ts": _iso(t0 + timedelta(minutes=5)),
                "values": {"pressure": 0.3},
            },
            {"device_code": "NOPE-1", "ts": _iso(t0), "values": {"pressure": 0.3}},
            {"device_code": dev.code, "device_type": "air", "ts": _iso(t0), "values": {"pm25": 1}},
        ]
    }
    officer = {"Authorization": f"Bearer {login_token(client, 'dsj')}"}
    assert client.post("/api/v1/iot/telemetry", json=body, headers=officer).status_code == 403
    assert client.post("/api/v1/iot/telemetry", json=body).status_code == 401
    first = client.post("/api/v1/iot/telemetry", json=body, headers=gateway_headers)
    assert first.status_code == 200, first.text
    assert first.json() | {"alerts": 0} == {
        "received": 4, "accepted": 2, "duplicates": 0, "dead_letters": 2, "future": 0, "alerts": 0
    }  # fmt: skip
    again = client.post("/api/v1/iot/telemetry", json=body, headers=gateway_headers).json()
    assert (again["accepted"], again["duplicates"]) == (0, 2)
    rows = session.scalars(
        select(Reading).where(Reading.device_id == dev.id, Reading.ts >= t0)
    ).all()
    assert len(rows) == 2
    latest = session.get(Latest, dev.id)
    assert latest is not None and latest.v0 == 0.3
    dead = client.get("/api/v1/iot/dead-letters", headers=officer).json()
    assert dead["counts"]["unknown_device"] >= 1 and dead["counts"]["type_mismatch"] >= 1
    empty = client.post("/api/v1/iot/telemetry", json={"readings": []}, headers=gateway_headers)
    assert empty.status_code == 422 and empty.json()["error"]["code"] == "request.invalid"


def test_threshold_and_rate_rules_raise_once_per_onset(
    client: TestClient,
    admin_headers: dict[str, str],
    gateway_headers: dict[str, str],
    alerts: FakeAlerts,
    session: Session,
) -> None:
    dev = some_device(session, "water_level")
    r = client.post(
        "/api/v1/iot/rules",
        headers=admin_headers,
        json={"name": "高水位", "device_type": "water_level", "metric": "level",
              "kind": "threshold", "op": ">", "limit": 3.0, "level": "red"},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    rate = client.post(
        "/api/v1/iot/rules",
        headers=admin_headers,
        json={"name": "水位陡涨", "device_type": "water_level", "metric": "level",
              "kind": "rate", "op": ">", "limit": 0.1, "level": "orange"},
    )  # fmt: skip
    assert rate.status_code == 201
    bad = client.post(
        "/api/v1/iot/rules",
        headers=admin_headers,
        json={"name": "x", "device_type": "water_level", "metric": "pm25", "kind": "threshold"},
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "iot.unknown_metric"
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
    levels = [1.0, 3.5, 3.6, 1.0, 3.2]  # over, still over, back, over again
    for i, level in enumerate(levels):
        item = {
            "device_code": dev.code,
            "ts": _iso(t0 + timedelta(minutes=5 * i)),
            "values": {"level": level},
        }
        resp = client.post(
            "/api/v1/iot/telemetry", json={"readings": [item]}, headers=gateway_headers
        )
        assert resp.status_code == 200, resp.text
    threshold = [c for c in alerts.calls if c.source == "iot.threshold"]
    assert len(threshold) == 2  # two onsets, not one per reading over the limit
    assert {c.dedup_key for c in threshold} == {f"iot.threshold:{r.json()['id']}:{dev.code}"}
    first = threshold[0]
    assert first.level == "red" and first.object_ref == f"iot.device:{dev.code}"
    assert first.region_code in (dev.street_code, dev.district_code) and first.lon == dev.lon
    assert first.observed_at == t0 + timedelta(minutes=5)
    assert "高水位" in first.title
    rates = [c for c in alerts.calls if c.source == "iot.rate"]
    # 1.0→3.5 over 5 min = 0.5/min: onset; 3.5→3.6 = 0.02/min: clears; 3.6→1.0: onset again
    assert len(rates) >= 2 and all(c.level == "orange" for c in rates)
    state = session.get(AlertState, first.dedup_key)
    assert state is not None and state.active and state.raised == 2 and state.alert_id == 1


def test_nodata_rule_raises_for_silent_devices_and_clears(
    client: TestClient, gateway_headers: dict[str, str], alerts: FakeAlerts, session: Session
) -> None:
    from mudan.domains.iot.models import Rule

    dev = some_device(session, "noise")
    session.add(
        Rule(
            name="噪声站断线",
            device_type="noise",
            metric="",
            kind="nodata",
            op=">",
            limit=3,
            level="blue",
            enabled=True,
        )
    )
    session.commit()
    pm = client.app.state.ctx.pm  # type: ignore[attr-defined]
    now = datetime.now(UTC)
    raised = sweep_nodata(session, now=now + timedelta(days=40), pm=pm)
    session.commit()
    silent = [c for c in alerts.calls if c.source == "iot.nodata"]
    assert raised == len(silent) > 0 and any(
        c.object_ref == f"iot.device:{dev.code}" for c in silent
    )
    assert (
        sweep_nodata(session, now=now + timedelta(days=40), pm=pm) == 0
    )  # still silent: no repeat
    item = {"device_code": dev.code, "ts": _iso(now), "values": {"laeq": 55.0}}
    client.post("/api/v1/iot/telemetry", json={"readings": [item]}, headers=gateway_headers)
    session.expire_all()
    sweep_nodata(session, now=now + timedelta(minutes=1), pm=pm)
    key = next(c.dedup_key for c in silent if c.object_ref.endswith(dev.code))
    state = session.get(AlertState, key)
    assert state is not None and not state.active
