"""Kill the ingester (SIGKILL, a real subprocess) mid-stream, restart it: nothing is lost,
nothing is doubled, in the hot store or in the lake."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.domains.iot.lakeflush import IDENT
from mudan.domains.iot.models import Device, Reading
from mudan.lake.catalog import Lake
from mudan.lake.query import QueryEngine
from mudan.settings import Settings
from tests.domains.iot.iot_mqtt_helpers import BROKER, publisher, unique, wait_for

ROOT = Path(__file__).resolve().parents[3]
N_PER_DEVICE = 150


class Proc:
    """The ingester subprocess with its output collected by a thread."""

    def __init__(self, settings: Settings, prefix: str, cid: str) -> None:
        self.p = _ingester(settings, prefix, cid)
        self.out: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.p.stdout is not None
        for line in self.p.stdout:
            self.out.append(line.decode(errors="replace"))
        self.p.stdout.close()

    def ready(self) -> bool:
        return any(line.startswith("subscribed") for line in self.out)

    def stop(self, sig: int) -> int:
        self.p.send_signal(sig)
        code = self.p.wait(timeout=60)
        self.reader.join(timeout=10)
        return code


def _ingester(settings: Settings, prefix: str, cid: str) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        MUDAN_DATABASE__URL=settings.database.url,
        MUDAN_LAKE__WAREHOUSE=str(settings.lake.warehouse),
        MUDAN_MQTT__URL=BROKER,
        MUDAN_LOG_JSON="false",
    )
    cmd = [sys.executable, "-m", "mudan", "iot", "ingest", "--prefix", prefix,
           "--client-id", cid, "--batch", "50", "--flush-every", "0.5"]  # fmt: skip
    return subprocess.Popen(
        cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


def test_sigkill_mid_stream_loses_nothing(settings: Settings, session: Session) -> None:
    devices = session.scalars(
        select(Device).where(Device.type == "parking", Device.status == "active").limit(4)
    ).all()
    ids = [d.id for d in devices]
    prefix, cid = unique("mudan"), unique("ing")
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(
        hours=30
    )  # before the demo's readings
    messages = [
        (f"{prefix}/parking/{d.code}/telemetry",
         json.dumps({"ts": (start + timedelta(seconds=i)).isoformat(),
                     "values": {"occupied": i % 2}}))
        for i in range(N_PER_DEVICE) for d in devices
    ]  # fmt: skip
    total = len(messages)
    end = start + timedelta(seconds=N_PER_DEVICE)

    def stored() -> int:
        session.expire_all()
        q = (
            select(func.count())
            .select_from(Reading)
            .where(Reading.device_id.in_(ids), Reading.ts >= start, Reading.ts < end)
        )
        return int(session.scalar(q) or 0)

    proc = Proc(settings, prefix, cid)
    pub = publisher()
    try:
        wait_for(proc.ready, "the ingester to subscribe")
        half = total // 2
        for topic, body in messages[:half]:
            pub.publish(topic, body, qos=1)
        wait_for(lambda: stored() > 50, "the first readings")
        proc.stop(signal.SIGKILL)
        killed_at = stored()
        for topic, body in messages[half:]:
            pub.publish(topic, body, qos=1).wait_for_publish()
        proc = Proc(settings, prefix, cid)
        wait_for(lambda: stored() == total, f"all {total} readings (had {killed_at} at the kill)")
    finally:
        pub.loop_stop()
        code = proc.stop(signal.SIGTERM)  # graceful: finish, ack, final lake flush
    assert code == 0, "".join(proc.out)
    assert killed_at < total
    with Lake(db_url=settings.database.url, warehouse=settings.lake.warehouse) as lake:
        codes = ", ".join(f"'{d.code}'" for d in devices)
        row = (
            QueryEngine(lake)
            .query(
                f"SELECT count(*) AS n, count(DISTINCT (device_code, ts)) AS k FROM {IDENT} "
                f"WHERE device_code IN ({codes}) AND ts >= TIMESTAMPTZ '{start.isoformat()}' "
                f"AND ts < TIMESTAMPTZ '{end.isoformat()}'",
                allowed=lambda _t: True,
            )
            .rows.to_pylist()[0]
        )
    assert row == {"n": total, "k": total}
