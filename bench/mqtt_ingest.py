"""Benchmark: sustained telemetry through Mosquitto into latest state and the lake.

    python bench/mqtt_ingest.py [--messages 100000] [--devices 20000] [--rate 15000]
                                [--ingesters 1] [--db URL]

A publisher process sends ``--messages`` QoS 1 readings (paced at ``--rate`` msg/s) on
``<prefix>/parking/<code>/telemetry`` to the broker at 127.0.0.1:1883. The peer, in the same
run: a bare paho subscriber (QoS 1, auto-ack) that only counts messages — the broker/client
ceiling on this machine. Ours: ``--ingesters`` ingester processes (a shared subscription
``$share/bench/…`` when more than one), each committing batches (hot readings, latest state) and
acknowledging after the commit, plus the lake flusher (Iceberg ``iot.telemetry``). End-to-end
latency = commit time − publish time (a sample of every 10th message). Throughput = stored
readings / (last commit − first publish). Lost messages (the broker drops past its queue limit)
are counted and printed.

The last line: ``mqtt ingest: <msg/s> msg/s (goal 10,000), p95 <ms> ms``.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing as mp
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import orjson
import paho.mqtt.client as mqtt

BROKER = "127.0.0.1"


def _publish(prefix: str, codes: list[str], n: int, rate: float, go: Any, done: Any) -> None:
    # paho scans its in-flight table on every loop: a small window (20) publishes fastest.
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    c.connect(BROKER, 1883)
    c.loop_start()
    go.wait()
    start = time.time()
    base = 1_700_000_000
    for i in range(n):
        code = codes[i % len(codes)]
        body = orjson.dumps(
            {
                "ts": base + i // len(codes),
                "values": {"occupied": i & 1},
                "msg_id": repr(time.time()),
            }
        )
        c.publish(f"{prefix}/parking/{code}/telemetry", body, qos=1)
        if rate and i % 200 == 0:
            lag = start + i / rate - time.time()
            if lag > 0:
                time.sleep(lag)
    while c.want_write() or len(c._out_messages) > 0:
        time.sleep(0.01)
    c.loop_stop()
    c.disconnect()
    done.set()


PUBLISHERS = 2


def publishers(prefix: str, codes: list[str], n: int, rate: float, go: Any, done: Any) -> list[Any]:
    """PUBLISHERS processes, each with its own devices (distinct (device, ts) keys)."""
    out = []
    for j in range(PUBLISHERS):
        part = codes[j::PUBLISHERS]
        p = mp.Process(
            target=_publish, args=(prefix, part, n // PUBLISHERS, rate / PUBLISHERS, go, done)
        )
        p.start()
        out.append(p)
    return out


def peer(prefix: str, codes: list[str], n: int, rate: float) -> float:
    got = {"n": 0, "first": 0.0, "last": 0.0}
    finished = threading.Event()

    def on_message(_c: Any, _u: Any, _m: Any) -> None:
        now = time.time()
        if not got["n"]:
            got["first"] = now
        got["n"] += 1
        got["last"] = now
        if got["n"] >= n:
            finished.set()

    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    c.on_message = on_message
    c.connect(BROKER, 1883)
    c.subscribe(f"{prefix}/+/+/telemetry", qos=1)
    c.loop_start()
    time.sleep(0.5)
    go, done = mp.Event(), mp.Event()
    pubs = publishers(prefix, codes, n, rate, go, done)
    t0 = time.time()
    go.set()
    finished.wait(timeout=max(120.0, 3 * n / max(rate, 1000.0)))
    for p in pubs:
        p.join()
    c.loop_stop()
    c.disconnect()
    elapsed = (got["last"] or time.time()) - t0
    return got["n"] / elapsed if elapsed > 0 else 0.0


def _ingester(url: str, prefix: str, idx: int, shared: str, stop: Any, out: Any) -> None:
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

    engine = make_engine(url)
    cfg = IngestConfig(f"mqtt://{BROKER}:1883", prefix=prefix, client_id=f"{prefix}-ing{idx}",
                       shared_group=shared, batch_max=1000)  # fmt: skip
    ing = Timed(cfg, make_sessionmaker(engine))
    ev = threading.Event()
    t = threading.Thread(target=ing.run, args=(ev,))
    t.start()
    ing.subscribed.wait(30)
    out.put(("ready", idx))
    stop.wait()
    ev.set()
    t.join()
    out.put(("done", lat, last[0], ing.stats.received))
    engine.dispose()


def setup(url: str, devices: int) -> list[str]:
    from mudan.core.db import make_engine, make_sessionmaker, transaction
    from mudan.core.migrate import upgrade
    from mudan.domains.iot.registry import insert_rows

    upgrade(url)
    codes = [f"B-{uuid.uuid4().hex[:6]}-{i:06d}" for i in range(devices)]
    rows = [
        {"code": c, "type": "parking", "model": "DC-GEO5", "department_code": "371700008",
         "lon": 115.47, "lat": 35.25, "grid_code": None, "community_code": None,
         "street_code": None, "district_code": "371702", "protocol": "mqtt",
         "status": "active", "interval_s": 300, "installed_at": None}
        for c in codes
    ]  # fmt: skip
    from mudan.core.db import utcnow

    now = utcnow()
    for r in rows:
        r["installed_at"] = now
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as s:
        insert_rows(s, rows, update=False)
    engine.dispose()
    return codes


def ours(
    url: str, warehouse: Path, prefix: str, codes: list[str], n: int, rate: float, k: int
) -> dict[str, Any]:
    from sqlalchemy import func, select

    from mudan.core.db import make_engine, make_sessionmaker
    from mudan.domains.iot.lakeflush import IDENT, flush
    from mudan.domains.iot.models import Reading
    from mudan.lake.catalog import Lake

    stop, out = mp.Event(), mp.Queue()
    shared = "bench" if k > 1 else ""
    procs = [
        mp.Process(target=_ingester, args=(url, prefix, i, shared, stop, out)) for i in range(k)
    ]
    for p in procs:
        p.start()
    for _ in procs:
        out.get(timeout=60)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    lake = Lake(db_url=url, warehouse=warehouse)
    flushing = threading.Event()
    lake_rows = [0]

    def flusher() -> None:
        while not flushing.wait(2.0):
            lake_rows[0] += flush(sessions, lake).rows
        lake_rows[0] += flush(sessions, lake).rows

    ft = threading.Thread(target=flusher)
    ft.start()
    go, done = mp.Event(), mp.Event()
    pubs = publishers(prefix, codes, n, rate, go, done)
    t0 = time.time()
    go.set()
    for p in pubs:
        p.join()
    deadline = time.time() + max(120.0, 3 * n / max(rate, 1000.0))
    stored = 0
    while time.time() < deadline:
        with sessions() as s:
            stored = int(s.scalar(select(func.count()).select_from(Reading)) or 0)
        if stored >= n:
            break
        time.sleep(0.5)
    time.sleep(0.5)
    stop.set()
    lat: list[float] = []
    last = 0.0
    received = 0
    for _ in procs:
        _, l_, t_, r_ = out.get(timeout=60)
        lat += l_
        last = max(last, t_)
        received += r_
    for p in procs:
        p.join()
    flushing.set()
    ft.join()
    in_lake = lake.row_count(IDENT)
    lake.close()
    engine.dispose()
    lat.sort()
    p95 = lat[int(0.95 * (len(lat) - 1))] * 1000 if lat else float("nan")
    return {"rate": stored / (last - t0) if last > t0 else 0.0, "p95": p95, "stored": stored,
            "lost": n - stored, "lake": in_lake}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=100_000)
    ap.add_argument("--devices", type=int, default=20_000)
    ap.add_argument("--rate", type=float, default=0, help="msg/s in all (0: as fast as possible)")
    ap.add_argument("--publishers", type=int, default=2)
    ap.add_argument("--ingesters", type=int, default=1)
    ap.add_argument("--db", default="")
    args = ap.parse_args()
    global PUBLISHERS
    PUBLISHERS = args.publishers
    args.messages -= args.messages % PUBLISHERS
    work = Path(tempfile.mkdtemp(prefix="mudan-mqtt-bench-"))
    url = args.db or f"sqlite:///{work / 'bench.db'}"
    codes = setup(url, args.devices)
    prefix = f"bench{uuid.uuid4().hex[:8]}"
    ceiling = peer(prefix + "p", codes, args.messages, args.rate)
    print(f"peer (bare paho subscriber, counting only): {ceiling:,.0f} msg/s")
    r = ours(url, work / "lake", prefix, codes, args.messages, args.rate, args.ingesters)
    print(
        f"ours ({args.ingesters} ingester(s), {url.split(':')[0]}): {r['rate']:,.0f} msg/s, "
        f"stored {r['stored']:,} of {args.messages:,} (lost {r['lost']:,}), lake rows {r['lake']:,}"
    )
    print(f"ratio to the peer: {r['rate'] / ceiling:.2f}x" if ceiling else "peer failed")
    print(f"mqtt ingest: {r['rate']:,.0f} msg/s (goal 10,000), p95 {r['p95']:,.0f} ms")


if __name__ == "__main__":
    main()
