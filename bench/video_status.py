"""Benchmark: recompute status and rates of every video channel, set-based SQL vs a naive
per-channel Python loop (the peer, same data, same run), and the probe pool's throughput
against the camera simulator (a separate process: ``mudan simulate video``).

    PYTHONPATH=. python bench/video_status.py [--scale 1] [--db URL] [--probes 5000]

Builds the demo world's org regions and video channels at ``--scale`` (1 = 290,000 channels)
in a fresh SQLite file unless ``--db`` names an empty database. Both status computations start
from the same stale state (every channel marked offline) and must agree on every count. The
probe run fetches and checks ``--probes`` snapshots and stores the results (history rows,
latest probe fields, snapshots, status recompute of the devices touched).

The last line is ``video status: <n> channels in <t> s (<x>x per-channel loop), probes <r>/s``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mudan.core.db import as_utc, make_engine, make_sessionmaker, transaction, utcnow
from mudan.core.progress import NullReporter
from mudan.core.runtime import Runtime
from mudan.demo.world import generate
from mudan.domains.video.enums import DOWN, RETRIEVED, CatalogStatus
from mudan.domains.video.models import VideoChannel, VideoDevice, VideoRateDay
from mudan.domains.video.rates import local_day, store_day_rates
from mudan.domains.video.service import probe_channels
from mudan.domains.video.simulator import free_socket
from mudan.domains.video.status import PROBE_WINDOW, recompute
from mudan.settings import Settings, VideoSettings

KEEP = ("mudan.web.plugin", "mudan.domains.org.plugin", "mudan.domains.video.plugin")


def log(msg: str) -> None:
    print(msg, flush=True)


def build(url: str, root: Path, scale: float) -> Settings:
    from mudan.hooks import BUILTIN_PLUGINS

    settings = Settings(
        database={"url": url},  # type: ignore[arg-type]
        lake={"warehouse": root / "lake"},  # type: ignore[arg-type]
        var_dir=root,
        plugins_disabled=[p for p in BUILTIN_PLUGINS if p not in KEEP],
    )
    t = time.perf_counter()
    with Runtime(settings) as rt:
        generate(rt, seed=3717, scale=scale, progress=NullReporter())
    log(f"world built in {time.perf_counter() - t:.1f} s")
    return settings


def stale(session: Session) -> None:
    session.execute(update(VideoChannel).values(online=False, retrieved=False))
    session.execute(update(VideoDevice).values(online=False))


def naive(session: Session, at_: object) -> tuple[int, int, int]:
    """The peer: load every device and channel as objects, decide in Python, count in dicts,
    write back through the ORM unit of work, insert the rate rows one by one."""
    at = as_utc(at_)  # type: ignore[arg-type]
    devices = {d.id: d for d in session.scalars(select(VideoDevice))}
    for d in devices.values():
        deadline = as_utc(d.keepalive_deadline) if d.keepalive_deadline else None
        d.online = bool(d.registered and deadline is not None and deadline >= at)
    counts: dict[tuple[str, str], list[int]] = {}
    since = at - PROBE_WINDOW
    for c in session.scalars(select(VideoChannel)):
        probe_at = as_utc(c.last_probe_at) if c.last_probe_at else None
        fresh = probe_at is not None and probe_at >= since
        down = fresh and c.last_probe_result in {r.value for r in DOWN}
        online = devices[c.device_id].online and c.catalog_status == CatalogStatus.ON and not down
        good = fresh and c.last_probe_result in {r.value for r in RETRIEVED}
        c.online, c.retrieved = online, bool(online and good)
        c.status_at = at
        for key in (
            ("city", "3717"),
            ("district", c.district_code or ""),
            ("street", c.street_code or ""),
            ("owner", c.owner_unit),
        ):
            row = counts.setdefault(key, [0, 0, 0])
            row[0] += 1
            row[1] += c.online
            row[2] += c.retrieved
    day = local_day(at)
    for old in session.scalars(select(VideoRateDay).where(VideoRateDay.day == day)):
        session.delete(old)
    session.flush()
    for (dim, key), (total, on, img) in counts.items():
        session.add(VideoRateDay(day=day, dim=dim, key=key, total=total, online=on, retrieved=img))
    session.flush()
    city = counts[("city", "3717")]
    return city[0], city[1], city[2]


def fresh_keepalives(session: Session, at: datetime) -> None:
    """A keepalive round just arrived from every device that was sending them when the world
    was built (building 290,000 channels takes longer than the 3-minute keepalive window)."""
    d = VideoDevice
    session.execute(
        update(d)
        .where(d.keepalive_deadline > at - timedelta(hours=1))
        .values(last_keepalive_at=at, keepalive_deadline=at + timedelta(minutes=3))
    )


def status_bench(settings: Settings) -> tuple[int, float, float]:
    engine = make_engine(settings.database.url)
    sessions = make_sessionmaker(engine)
    at = utcnow()
    with transaction(sessions) as s:
        fresh_keepalives(s, at)
        stale(s)
    s = sessions()
    t = time.perf_counter()
    peer = naive(s, at)
    t_naive = time.perf_counter() - t
    s.rollback()
    s.close()
    log(f"per-channel loop: {t_naive:.2f} s → {peer}")
    with transaction(sessions) as s:
        t = time.perf_counter()
        summary = recompute(s, at=at)
        store_day_rates(s, day=local_day(at))
        s.flush()
        t_set = time.perf_counter() - t
    ours = (summary.total, summary.online, summary.retrieved)
    log(f"set-based:        {t_set:.2f} s → {ours}")
    engine.dispose()
    if ours != peer:
        raise SystemExit(f"results differ: set-based {ours} vs loop {peer}")
    return summary.total, t_set, t_naive


def probe_bench(settings: Settings, n: int, concurrency: int) -> float:
    sock = free_socket()
    port = sock.getsockname()[1]
    sock.close()
    env = {**os.environ, "MUDAN_DATABASE__URL": settings.database.url}
    sim = subprocess.Popen(
        [sys.executable, "-m", "mudan", "simulate", "video", "--port", str(port), "--stall-s", "3"],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        engine = make_engine(settings.database.url)
        sessions = make_sessionmaker(engine)
        with transaction(sessions) as s:
            ids = list(s.scalars(select(VideoChannel.id).order_by(VideoChannel.id).limit(n)))
            s.execute(
                update(VideoChannel)
                .where(VideoChannel.id.in_(ids))
                .values(snapshot_url=base + "/snap/" + VideoChannel.code + ".jpg")
            )
            s.execute(
                update(VideoDevice).values(
                    registered=True, keepalive_deadline=utcnow() + timedelta(hours=1)
                )
            )
        config = VideoSettings(probe_concurrency=concurrency, probe_timeout_s=1.0)
        t, cpu = time.perf_counter(), time.process_time()
        out = probe_channels(sessions, channel_ids=ids, config=config)
        elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
        engine.dispose()
    finally:
        sim.terminate()
        sim.wait(10)
    results = Counter(o.result.value for o in out)
    log(f"probes: {len(out)} in {elapsed:.2f} s, {dict(results)}")
    log(
        f"probe pool CPU: {1000 * cpu / len(out):.2f} ms/probe in this process "
        f"(≈{len(out) / cpu:.0f} probes/s per free core; load average {os.getloadavg()[0]:.1f})"
    )
    return len(out) / elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--db", default="")
    ap.add_argument("--probes", type=int, default=5000)
    ap.add_argument("--concurrency", type=int, default=64)
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="video-bench-"))
    url = args.db or f"sqlite:///{root / 'bench.db'}"
    try:
        settings = build(url, root, args.scale)
        channels, t_set, t_naive = status_bench(settings)
        rate = probe_bench(settings, args.probes, args.concurrency)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    log(
        f"video status: {channels:,} channels in {t_set:.1f} s "
        f"({t_naive / t_set:.1f}x per-channel loop), probes {rate:.0f}/s"
    )


if __name__ == "__main__":
    main()
