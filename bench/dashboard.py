"""Benchmark: the big screen's one payload at ``--scale``, and live alerts over SSE to many clients.

    PYTHONPATH=. python bench/dashboard.py [--scale 1] [--clients 200] [--alerts 10]

1. Builds (once, cached under ``var/bench-dashboard-<scale>``) the Heze demo world at ``--scale``
   and serves it with uvicorn in a separate process on 127.0.0.1.
2. Payload: 60 sequential requests of ``/api/v1/ops/screens/overview/payload`` after a warm-up;
   prints the p50/p95 server round trip. Indicator panels read the indicators service when it is
   installed; otherwise a bench source backed by its own SQLite file answers them (so every panel
   is built) — the line says which.
3. Live: ``--clients`` concurrent EventSource-like streams (httpx) on ``/api/v1/ops/stream``;
   the bench raises ``--alerts`` alerts from its own process (through the indicators domain's
   alert hook into the demo database when it is installed, else into the bench source's file;
   either way the server's poller picks them up: a cross-process path) and measures, per client,
   the time from raising an alert to receiving it. The peer, in the same run: the same number of
   clients polling ``/api/v1/ops/alerts`` once a second.

The last line: ``dashboard: payload p95 … ms at scale …; SSE p95 … ms to N clients (…x … polling)``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Mudan@Heze2024"


class BenchSource:
    """Indicator values and alerts from a small SQLite file any process can write."""

    def __init__(self, path: str) -> None:
        self.path = path

    def _db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def latest_values(self, session: Any, *, codes: list[str], region_code: str) -> dict[str, Any]:
        from mudan.domains.ops.sources import IndicatorValue

        rng = random.Random(region_code)
        return {c: IndicatorValue(code=c, value=round(rng.uniform(50, 99), 1)) for c in codes}

    def series(self, session: Any, *, code: str, region_code: str, since: date) -> list[Any]:
        return [(since.isoformat(), 1.0)]

    def alerts_since(self, session: Any, *, after_id: int, limit: int) -> list[Any]:
        from mudan.domains.ops.sources import AlertItem

        with self._db() as db:
            rows = db.execute(
                "SELECT id, level, title, at FROM alert WHERE id > ? ORDER BY id LIMIT ?",
                (after_id, limit),
            ).fetchall()
        return [
            AlertItem(id=r[0], level=r[1], title=r[2], region_code="3717", at=r[3]) for r in rows
        ]

    def open_alerts(self, session: Any, *, region_code: str) -> list[Any]:
        return self.alerts_since(session, after_id=0, limit=20)


def init_alerts(path: Path) -> None:
    path.unlink(missing_ok=True)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE alert (id INTEGER PRIMARY KEY, level TEXT, title TEXT, at TEXT)")


def raise_alert(path: Path, n: int) -> float:
    sent = time.time()
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO alert (level, title, at) VALUES (?, ?, ?)",
            ("red", f"bench {n} {sent!r}", str(sent)),
        )
    return sent


class Raiser:
    """Raises the bench's alerts where the server reads them: through the indicators domain's
    alert hook into the demo database when it is installed, else into the bench source's file.
    ``raise_one`` returns the id the stream and the polling endpoint will carry."""

    def __init__(self, folder: Path, path: Path) -> None:
        from mudan.domains.ops.sources import source_for

        self.path, self.real = path, source_for({}) is not None
        self.runtime: Any = None
        self.run = uuid.uuid4().hex[:8]
        if self.real:
            from mudan.core.runtime import Runtime

            self.runtime = Runtime(settings(folder))

    def raise_one(self, n: int, mode: str) -> tuple[int, float]:
        """Raise one alert; its id and when it was raised (clients note when it arrives)."""
        sent = time.time()
        if not self.real:
            raise_alert(self.path, n)
            with sqlite3.connect(self.path) as db:
                return int(db.execute("SELECT max(id) FROM alert").fetchone()[0]), sent
        from mudan.core.db import transaction
        from mudan.hooks import AlertSignal

        signal = AlertSignal(
            source="bench",
            level="red",
            title=f"bench {n}",
            dedup_key=f"bench-{self.run}-{mode}-{n}",  # a new alert each time, never a repeat
            observed_at=datetime.fromtimestamp(sent, UTC),
        )
        with transaction(self.runtime.sessions) as s:
            alert_id = self.runtime.pm.hook.mudan_raise_alert(session=s, signal=signal)
        return int(alert_id), sent

    def close(self) -> None:
        if self.runtime is not None:
            self.runtime.close()


def serve(port: int, folder: Path, alerts: Path) -> None:
    """The server process: the demo world's app, with the bench source when indicators is absent."""
    import logging

    import uvicorn

    from mudan.app import create_app
    from mudan.domains.ops import sources

    app = create_app(settings(folder))
    logging.getLogger("mudan").setLevel(logging.WARNING)
    if sources.source_for({}) is None:
        sources.use_source(app.state.ctx.extras, BenchSource(str(alerts)))  # type: ignore[arg-type]
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", backlog=1024)


def settings(folder: Path) -> Any:
    from mudan.settings import Settings

    return Settings(
        database={"url": f"sqlite:///{folder / 'mudan.db'}"},  # type: ignore[arg-type]
        lake={"warehouse": folder / "lake"},  # type: ignore[arg-type]
        var_dir=folder,
        log_json=False,
    )


def build_world(folder: Path, scale: float) -> None:
    from mudan.core.progress import RichReporter
    from mudan.core.runtime import Runtime
    from mudan.demo.world import generate

    if (folder / "done").exists():
        return
    folder.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with RichReporter() as reporter, Runtime(settings(folder)) as rt:
        generate(rt, seed=3717, scale=scale, progress=reporter)
    (folder / "done").write_text(f"{time.perf_counter() - t0:.0f}s")


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def payload_times(base: str, headers: dict[str, str], n: int) -> tuple[list[float], dict]:
    with httpx.Client(base_url=base, headers=headers, timeout=120) as c:
        body = c.get("/api/v1/ops/screens/overview/payload").json()
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            r = c.get("/api/v1/ops/screens/overview/payload")
            times.append(time.perf_counter() - t0)
            assert r.status_code == 200, r.text[:300]
    return times, body


async def sse_client(
    base: str,
    headers: dict[str, str],
    got: dict[int, float],
    ready: asyncio.Event,
    stop: asyncio.Event,
    counter: list[int],
) -> None:
    async with (
        httpx.AsyncClient(base_url=base, headers=headers, timeout=None) as c,
        c.stream("GET", "/api/v1/ops/stream") as r,
    ):
        counter[0] += 1
        if counter[0] >= counter[1]:
            ready.set()
        async for line in r.aiter_lines():
            if line.startswith("data:"):
                data = json.loads(line[5:])
                if data["type"] == "alert":
                    got.setdefault(data["id"], time.time())
            if stop.is_set():
                return


async def poll_client(
    base: str, headers: dict[str, str], got: dict[int, float], stop: asyncio.Event, after: int
) -> None:
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as c:
        await asyncio.sleep(random.random())  # clients are not in phase
        while not stop.is_set():
            r = await c.get("/api/v1/ops/alerts", params={"after": after})
            for a in r.json()["items"]:
                got.setdefault(a["id"], time.time())
                after = max(after, a["id"])
            await asyncio.sleep(1.0)


async def live_run(
    base: str,
    headers: dict[str, str],
    clients: int,
    alerts: int,
    raiser: Raiser,
    mode: str,
    start_id: int,
) -> tuple[list[float], int]:
    stop, ready = asyncio.Event(), asyncio.Event()
    per: list[dict[int, float]] = [{} for _ in range(clients)]
    counter = [0, clients]
    if mode == "sse":
        tasks = [
            asyncio.create_task(sse_client(base, headers, per[i], ready, stop, counter))
            for i in range(clients)
        ]
        await asyncio.wait_for(ready.wait(), 120)
    else:
        tasks = [
            asyncio.create_task(poll_client(base, headers, per[i], stop, start_id))
            for i in range(clients)
        ]
    await asyncio.sleep(2.0)
    sent: dict[int, float] = {}
    for n in range(alerts):
        alert_id, at = raiser.raise_one(n, mode)
        sent[alert_id] = at
        await asyncio.sleep(1.5)
    await asyncio.sleep(3.0)
    stop.set()
    last, _ = raiser.raise_one(-1, mode)  # wakes the streams so they notice the stop
    await asyncio.sleep(1.0)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    lat = [d[i] - at for d in per for i, at in sent.items() if i in d]
    missing = clients * alerts - len(lat)
    if missing:
        print(f"  {mode}: {missing} deliveries missing")
    return lat, last


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--alerts", type=int, default=10)
    ap.add_argument("--requests", type=int, default=60)
    ap.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--folder", help=argparse.SUPPRESS)
    args = ap.parse_args()
    folder = Path(args.folder) if args.folder else ROOT / "var" / f"bench-dashboard-{args.scale:g}"
    alerts = folder / "bench-alerts.db"
    if args.serve:
        serve(args.serve, folder, alerts)
        return
    build_world(folder, args.scale)
    init_alerts(alerts)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, __file__, "--serve", str(port), "--folder", str(folder)]
    proc = subprocess.Popen(cmd, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        token = httpx.post(
            f"{base}/api/v1/auth/tokens", json={"username": "admin", "password": PASSWORD}
        ).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        times, body = payload_times(base, headers, args.requests)
        states = [p["state"] for p in body["panels"]]
        from mudan.domains.ops.sources import source_for

        source = "indicators service" if source_for({}) is not None else "bench source"
        p95 = pct(times, 95) * 1000
        plat = next(p for p in body["panels"] if p["kind"] == "platform")["data"] or {}
        ok = states.count("ok")
        print(f"payload: {len(states)} panels ({ok} ok) via {source}; {plat}")
        p50 = statistics.median(times) * 1000
        print(f"payload p50 {p50:.1f} ms, p95 {p95:.1f} ms ({args.requests} requests)")
        raiser = Raiser(folder, alerts)
        try:
            sse, last = asyncio.run(
                live_run(base, headers, args.clients, args.alerts, raiser, "sse", 0)
            )
            poll, _ = asyncio.run(
                live_run(base, headers, args.clients, args.alerts, raiser, "poll", last)
            )
        finally:
            raiser.close()
        s95, p95p = pct(sse, 95) * 1000, pct(poll, 95) * 1000
        n = args.clients
        m50, q50 = statistics.median(sse) * 1000, statistics.median(poll) * 1000
        print(f"SSE to {n} clients: p50 {m50:.0f} ms, p95 {s95:.0f} ms ({len(sse)} deliveries)")
        print(
            f"1 s polling {n} clients: p50 {q50:.0f} ms, p95 {p95p:.0f} ms ({len(poll)} deliveries)"
        )
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(
        f"dashboard: payload p95 {p95:.0f} ms at scale {args.scale:g}; SSE p95 {s95:.0f} ms to "
        f"{args.clients} clients ({p95p / s95:.1f}x faster than 1 s polling)"
    )


if __name__ == "__main__":
    main()
