"""Benchmark: sustained telemetry through Mosquitto into latest state and the lake.

    python bench/mqtt_ingest.py [--messages 100000] [--devices 20000] [--rate 0]
                                [--publishers 1] [--ingesters 1] [--db URL]

Load: ``--publishers`` processes of the light load generator ``mqtt_load.py`` (MQTT 3.1.1
QoS 1, ~6 µs of CPU per message instead of ~70 µs for paho) send ``--messages`` readings on
``<prefix>/parking/<code>/telemetry`` to the broker at 127.0.0.1:1883, paced at ``--rate``
msg/s, or (``--rate 0``) in a closed loop that keeps at most WINDOW messages beyond what the
consumer has acknowledged, so Mosquitto's default queue limit never drops any. The peer, in the
same run: a bare paho subscriber (QoS 1, auto-ack, the same receive maximum) that only counts
— the broker/client ceiling on this machine. Ours: ``--ingesters`` ingester processes (a
shared subscription ``$share/bench/…`` when more than one), each committing batches (hot
readings, latest state) and acknowledging after the commit, plus the lake flusher (Iceberg
``iot.telemetry``, every 2 s). End-to-end latency = commit time − publish time (every 10th
message). Throughput = stored readings / (last commit − first publish). Lost (sent and
acknowledged by the broker but never received or stored) and never-sent messages are printed;
a consumer that stops making progress ends the run early instead of at its time bound.

The last line: ``mqtt ingest: <msg/s> msg/s (goal 10,000), p95 <ms> ms``.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing as mp
import resource
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import orjson
import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

BROKER = "127.0.0.1"


def _publisher(
    prefix: str, codes: list[str], n: int, rate: float, window: int, progress: Any,
    share: float, go: Any, out: Any,
) -> None:  # fmt: skip
    from mqtt_load import publish

    base = 1_700_000_000  # distinct (device, ts) keys: each publisher has its own devices
    msgs = [(f"{prefix}/parking/{codes[i % len(codes)]}/telemetry", base + i // len(codes))
            for i in range(n)]  # fmt: skip
    out.put(publish(BROKER, 1883, msgs, rate=rate, window=window, progress=progress,
                    share=share, go=go))  # fmt: skip


PUBLISHERS = 1
# Closed loop (unpaced runs): at most this many messages beyond what the consumers have
# acknowledged. Mosquitto holds a subscriber's ``receive_maximum`` (2,000, peer and ours) in
# flight plus 1,000 queued (max_queued_messages) and drops the rest (counted as lost); acks
# written but not yet read by a CPU-starved broker need a margin: 2,000 + 1,000 − 1,500.
WINDOW = 1500
RECEIVE_MAXIMUM = 2000


class Load:
    """The publisher processes of one run and the sent/acknowledged count they report."""

    def __init__(self, prefix: str, codes: list[str], n: int, rate: float, progress: Any) -> None:
        self.go, self.out = mp.Event(), mp.Queue()
        window = 0 if rate else WINDOW
        self.procs = []
        for j in range(PUBLISHERS):
            args = (prefix, codes[j::PUBLISHERS], n // PUBLISHERS, rate / PUBLISHERS, window,
                    progress, 1 / PUBLISHERS, self.go, self.out)  # fmt: skip
            self.procs.append(mp.Process(target=_publisher, args=args))
        for p in self.procs:
            p.start()
        self.sent = 0

    def start(self) -> float:
        time.sleep(0.3)  # connected
        self.go.set()
        return time.time()

    def done(self) -> bool:
        return not any(p.is_alive() for p in self.procs)

    def join(self) -> int:
        for p in self.procs:
            p.join()
        self.sent = sum(self.out.get(timeout=10) for _ in self.procs)
        return self.sent


STALL_S = 10.0


def wait_until(count: Any, n: int, load: Load, bound_s: float) -> int:
    """Poll ``count()`` until it reaches ``n``, or stops moving for STALL_S once the load has
    finished (messages were lost), or the time bound passes; return the last count."""
    deadline = time.time() + bound_s
    last, since = -1, time.time()
    while True:
        got = int(count())
        if got >= n or time.time() > deadline:
            return got
        if got != last:
            last, since = got, time.time()
        elif load.done() and time.time() - since > STALL_S:
            return got
        time.sleep(0.2)


def peer(prefix: str, codes: list[str], n: int, rate: float) -> dict[str, Any]:
    progress = mp.RawArray("q", 1)
    got = {"n": 0, "first": 0.0, "last": 0.0}

    def on_message(_c: Any, _u: Any, _m: Any) -> None:
        now = time.time()
        if not got["n"]:
            got["first"] = now
        got["n"] += 1
        got["last"] = now
        progress[0] = got["n"]

    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    c.on_message = on_message
    props = Properties(PacketTypes.CONNECT)  # as ours; Mosquitto's default in flight is 20
    props.ReceiveMaximum = RECEIVE_MAXIMUM
    c.connect(BROKER, 1883, properties=props)
    c.subscribe(f"{prefix}/+/+/telemetry", qos=1)
    c.loop_start()
    time.sleep(0.5)
    load = Load(prefix, codes, n, rate, progress)
    cpu0 = cpu_s()
    t0 = load.start()
    received = wait_until(lambda: got["n"], n, load, bound_s(n, rate))
    cpu = cpu_s() - cpu0
    sent = load.join()
    c.loop_stop()
    c.disconnect()
    elapsed = (got["last"] or time.time()) - t0
    return {"rate": received / elapsed if elapsed > 0 else 0.0, "received": received,
            "sent": sent, "lost": sent - received,
            "cpu_us": 1e6 * cpu / max(received, 1)}  # fmt: skip


def cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def bound_s(n: int, rate: float) -> float:
    """The run's time bound: 120 s, or 3× the time at 1,000 msg/s (or at ``rate``)."""
    return max(120.0, 3 * n / max(rate, 1000.0))


def _ingester(
    url: str, prefix: str, idx: int, shared: str, stop: Any, out: Any, progress: Any
) -> None:
    from mudan.core.db import make_engine, make_sessionmaker
    from mudan.domains.iot.mqtt import IngestConfig, Ingester

    lat: list[float] = []
    last = [0.0]

    class Timed(Ingester):
        def _ack(self, batch: list[Any]) -> None:
            now = time.time()
            last[0] = now
            for m in batch[::10]:
                with contextlib.suppress(Exception):
                    lat.append(now - float(orjson.loads(m.incoming.payload)["msg_id"]))
            super()._ack(batch)
            # counted once paho has written the PUBACKs: the broker frees the slots only then
            deadline = time.time() + 1.0
            while self._client._out_packet and time.time() < deadline:
                time.sleep(0.0005)
            progress[idx] += len(batch)

    engine = make_engine(url)
    cfg = IngestConfig(f"mqtt://{BROKER}:1883", prefix=prefix, client_id=f"{prefix}-ing{idx}",
                       shared_group=shared, batch_max=1000,
                       receive_maximum=RECEIVE_MAXIMUM)  # fmt: skip
    ing = Timed(cfg, make_sessionmaker(engine))
    ev = threading.Event()
    t = threading.Thread(target=ing.run, args=(ev,))
    t.start()
    ing.subscribed.wait(30)
    cpu0 = cpu_s()
    out.put(("ready", idx))
    stop.wait()
    ev.set()
    t.join()
    out.put(("done", lat, last[0], cpu_s() - cpu0))
    engine.dispose()


def setup(url: str, tag: str, devices: int) -> list[str]:
    from mudan.core.db import make_engine, make_sessionmaker, transaction, utcnow
    from mudan.core.migrate import upgrade
    from mudan.domains.iot.registry import insert_rows

    upgrade(url)
    codes = [f"{tag}-{i:06d}" for i in range(devices)]
    now = utcnow()
    rows = [
        {"code": c, "type": "parking", "model": "DC-GEO5", "department_code": "371700008",
         "lon": 115.47, "lat": 35.25, "grid_code": None, "community_code": None,
         "street_code": None, "district_code": "371702", "protocol": "mqtt",
         "status": "active", "interval_s": 300, "installed_at": now}
        for c in codes
    ]  # fmt: skip
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as s:
        insert_rows(s, rows, update=False)
    engine.dispose()
    return codes


def ours(
    url: str, warehouse: Path, tag: str, codes: list[str], n: int, rate: float, k: int
) -> dict[str, Any]:
    from sqlalchemy import func, select

    from mudan.core.db import make_engine, make_sessionmaker
    from mudan.domains.iot.lakeflush import IDENT, flush
    from mudan.domains.iot.models import Device, Reading
    from mudan.lake.catalog import Lake

    prefix = f"{tag}o"
    stop, out, progress = mp.Event(), mp.Queue(), mp.RawArray("q", k)
    shared = "bench" if k > 1 else ""
    procs = [
        mp.Process(target=_ingester, args=(url, prefix, i, shared, stop, out, progress))
        for i in range(k)
    ]
    for p in procs:
        p.start()
    for _ in procs:
        out.get(timeout=60)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    lake = Lake(db_url=url, warehouse=warehouse)
    flushing = threading.Event()

    flush_cpu = [0.0]

    def flusher() -> None:
        t = time.thread_time()
        while not flushing.wait(2.0):
            flush(sessions, lake)
        flush(sessions, lake)
        flush_cpu[0] = time.thread_time() - t

    ft = threading.Thread(target=flusher)
    ft.start()
    load = Load(prefix, codes, n, rate, progress)
    t0 = load.start()
    wait_until(lambda: sum(progress), n, load, bound_s(n, rate))
    sent = load.join()
    stop.set()
    lat: list[float] = []
    last = ing_cpu = 0.0
    for _ in procs:
        _, l_, t_, c_ = out.get(timeout=60)
        lat += l_
        last = max(last, t_)
        ing_cpu += c_
    for p in procs:
        p.join()
    flushing.set()
    ft.join()
    with sessions() as s:
        q = select(func.count()).select_from(Reading).join(Device, Device.id == Reading.device_id)
        stored = int(s.scalar(q.where(Device.code.like(f"{tag}-%"))) or 0)
    in_lake = lake.row_count(IDENT)
    lake.close()
    engine.dispose()
    lat.sort()
    p95 = lat[int(0.95 * (len(lat) - 1))] * 1000 if lat else float("nan")
    return {"rate": stored / (last - t0) if last > t0 else 0.0, "p95": p95, "stored": stored,
            "sent": sent, "lost": sent - stored, "lake": in_lake,
            "cpu_us": 1e6 * ing_cpu / max(stored, 1),
            "flush_us": 1e6 * flush_cpu[0] / max(stored, 1)}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=100_000)
    ap.add_argument("--devices", type=int, default=20_000)
    ap.add_argument("--rate", type=float, default=0, help="msg/s in all (0: closed loop)")
    ap.add_argument("--publishers", type=int, default=1)
    ap.add_argument("--ingesters", type=int, default=1)
    ap.add_argument("--db", default="")
    args = ap.parse_args()
    global PUBLISHERS
    PUBLISHERS = args.publishers
    n = args.messages - args.messages % PUBLISHERS
    work = Path(tempfile.mkdtemp(prefix="mudan-mqtt-bench-"))
    url = args.db or f"sqlite:///{work / 'bench.db'}"
    tag = f"B{uuid.uuid4().hex[:8]}"
    codes = setup(url, tag, args.devices)
    load = f"{PUBLISHERS} publisher(s), " + (f"{args.rate:,.0f} msg/s" if args.rate else
                                              f"closed loop, window {WINDOW:,}")  # fmt: skip
    print(f"load: {n:,} QoS 1 messages, {args.devices:,} devices, {load}")
    p = peer(f"{tag}p", codes, n, args.rate)
    print(
        f"peer (bare paho subscriber, counting only): {p['rate']:,.0f} msg/s, "
        f"received {p['received']:,} of {p['sent']:,} sent (lost {p['lost']:,})"
    )
    r = ours(url, work / "lake", tag, codes, n, args.rate, args.ingesters)
    print(
        f"ours ({args.ingesters} ingester(s), {url.split(':')[0]}): {r['rate']:,.0f} msg/s, "
        f"stored {r['stored']:,} of {r['sent']:,} sent (lost {r['lost']:,}), "
        f"lake rows {r['lake']:,}"
    )
    if r["sent"] < n or p["sent"] < n:
        print(f"NOT SENT: ours {n - r['sent']:,}, peer {n - p['sent']:,} (the consumer stalled)")
    print(
        f"CPU per message: ours {r['cpu_us'] + r['flush_us']:.0f} µs "
        f"(ingester {r['cpu_us']:.0f} + lake flush {r['flush_us']:.0f}), peer {p['cpu_us']:.0f} µs"
    )
    print(f"ratio to the peer: {r['rate'] / p['rate']:.2f}x" if p["rate"] else "peer failed")
    print(f"mqtt ingest: {r['rate']:,.0f} msg/s (goal 10,000), p95 {r['p95']:,.0f} ms")


if __name__ == "__main__":
    main()
