"""``mudan iot …`` (ingest, flush, import, sweep) and ``mudan simulate iot``."""

from __future__ import annotations

import logging
import random
import signal
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import typer

from mudan.cli.common import console, db_session, handle_errors, runtime, settings
from mudan.core.db import transaction
from mudan.core.runtime import Runtime

iot_app = typer.Typer(help="物联感知 (IoT terminals)", no_args_is_help=True)
simulate_app = typer.Typer(help="模拟器 (simulators)", no_args_is_help=True)
log = logging.getLogger("mudan.iot.cli")


def _flusher(stop: threading.Event, every_s: float, rt: Runtime) -> threading.Thread:
    from mudan.domains.iot.lakeflush import flush

    def run() -> None:
        while True:
            stopping = stop.wait(every_s)
            try:
                flush(rt.sessions, rt.lake)
            except Exception:
                log.exception("lake flush failed (will retry)")
            if stopping:
                break

    t = threading.Thread(target=run, name="mudan-iot-flush")
    t.start()
    return t


@iot_app.command("ingest")
@handle_errors
def ingest(
    prefix: str = typer.Option("mudan", help="topic prefix: {prefix}/{type}/{code}/telemetry"),
    client_id: str = typer.Option("mudan-ingest", help="fixed id: the broker keeps the session"),
    shared: str = typer.Option("", help="shared-subscription group ($share/<group>/…)"),
    batch: int = typer.Option(1000, help="messages per transaction"),
    flush_every: float = typer.Option(10.0, help="seconds between lake flushes (0: never)"),
) -> None:
    """Run the MQTT ingester until SIGTERM/SIGINT (then finish the batch, ack, flush, exit)."""
    from mudan.domains.iot.mqtt import IngestConfig, Ingester

    cfg = settings()
    if not cfg.mqtt.url:
        raise typer.BadParameter("MUDAN_MQTT__URL is not set")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    with runtime(cfg) as rt:
        flusher = _flusher(stop, flush_every, rt) if flush_every > 0 else None
        ingester = Ingester(
            IngestConfig(
                cfg.mqtt.url,
                prefix=prefix,
                client_id=client_id,
                shared_group=shared,
                batch_max=batch,
            ),
            rt.sessions,
            pm=rt.pm,
            on_ready=lambda: print(f"subscribed {prefix}/+/+/telemetry", flush=True),
        )
        console.print(f"ingesting {ingester.cfg.topic} from {cfg.mqtt.url} as {client_id}")
        stats = ingester.run(stop)
        if flusher is not None:
            flusher.join()
    console.print(
        f"received {stats.received}, accepted {stats.accepted}, duplicates {stats.duplicates}, "
        f"dead letters {stats.dead_letters}, future {stats.future}, alerts {stats.alerts}"
    )


@iot_app.command("flush")
@handle_errors
def flush_cmd() -> None:
    """Move hot readings into the lake table iot.telemetry now."""
    from mudan.domains.iot.lakeflush import flush

    with runtime() as rt:
        r = flush(rt.sessions, rt.lake)
    console.print(
        f"{r.batches} batches, {r.readings} readings → {r.rows} lake rows; pruned {r.pruned}"
    )


@iot_app.command("import")
@handle_errors
def import_cmd(path: Path) -> None:
    """Import devices from CSV/XLSX (bad rows are listed, the rest imported)."""
    from mudan.domains.iot.importer import import_devices

    with db_session() as s:
        report = import_devices(s, data=path.read_bytes(), filename=path.name)
    for e in report.errors[:200]:
        console.print(f"row {e.row} {e.code}: {e.reason}")
    console.print(f"imported {report.imported}, rejected {len(report.errors)}")


@iot_app.command("sweep")
@handle_errors
def sweep() -> None:
    """Evaluate the no-data rules now (raises/clears alerts)."""
    from mudan.domains.iot.rules import sweep_nodata

    with runtime() as rt, transaction(rt.sessions) as s:
        n = sweep_nodata(s, now=datetime.now(UTC), pm=rt.pm)
    console.print(f"{n} alerts raised")


@simulate_app.command("iot")
@handle_errors
def simulate_iot(
    devices: int = typer.Option(1000, help="how many registered devices report"),
    interval: float = typer.Option(60.0, help="seconds between two readings of one device"),
    duration: float = typer.Option(0.0, help="stop after this many seconds (0: until Ctrl-C)"),
    prefix: str = typer.Option("mudan"),
    fault: float = typer.Option(0.01, help="share of spikes and garbage payloads"),
    seed: int = typer.Option(3717),
) -> None:
    """Publish realistic readings (QoS 1) for registered devices; some are silent, some faulty."""
    import orjson
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion
    from sqlalchemy import select

    from mudan.domains.iot import simulate
    from mudan.domains.iot.models import Device
    from mudan.domains.iot.mqtt import broker_address

    cfg = settings()
    if not cfg.mqtt.url:
        raise typer.BadParameter("MUDAN_MQTT__URL is not set")
    with db_session(cfg) as s:
        devs = [
            simulate.SimDevice(d.code, d.type, int(interval))
            for d in s.scalars(
                # pending (未接入) ones too: their first message connects them
                select(Device)
                .where(Device.status.in_(("active", "pending")))
                .order_by(Device.id)
                .limit(devices)
            )
        ]
    host, port, user, password = broker_address(cfg.mqtt.url)
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    if user:
        client.username_pw_set(user, password)
    client.connect(host, port)
    client.loop_start()
    rng = random.Random(seed)
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    started, sent = time.monotonic(), 0
    live = [d for d in devs if not simulate.is_silent(d.code)]
    while not stop.is_set() and (not duration or time.monotonic() - started < duration):
        tick = time.monotonic()
        now = datetime.now(UTC)
        for d in live:
            topic = f"{prefix}/{d.type}/{d.code}/telemetry"
            body = (
                simulate.garbage(rng)
                if rng.random() < fault / 5
                else orjson.dumps(simulate.payload(rng, d, now, fault=fault))
            )
            client.publish(topic, body, qos=1)
            sent += 1
        stop.wait(max(0.0, interval - (time.monotonic() - tick)))
    client.loop_stop()
    client.disconnect()
    console.print(f"published {sent} messages for {len(live)} of {len(devs)} devices")
