"""Benchmark: serving 290,000 map points as server-side clusters vs as raw GeoJSON.

    PYTHONPATH=. python bench/map_points.py [--points 290000] [--repeat 5]

A real uvicorn server on 127.0.0.1 serves the one-map API from a migrated SQLite database
holding only what the endpoints need (the region tree, one admin, the demo point layer). For
three zoom levels (city, district, street: 9, 12, 15) it requests the clusters for a
1600×1000-pixel viewport over 牡丹区, ``--repeat`` times each, and compares with downloading the
layer's raw GeoJSON (every point as a Feature, the peer a client-side clustering map would need).
It prints bytes and time per request (p50 over repeats; the cluster cache is warm in both), then
the headline ``map points: <x>x smaller/faster than raw GeoJSON`` where x is the smaller of the
size ratio and the time ratio of a full session (3 zooms vs one raw download).
"""

from __future__ import annotations

import argparse
import logging
import math
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn

from mudan.app import create_app
from mudan.core.db import make_engine, make_sessionmaker, transaction
from mudan.core.migrate import upgrade
from mudan.domains.ops.mapdata import set_demo_points
from mudan.kernel import identity as org
from mudan.kernel.enums import Role
from mudan.kernel.geo import load_base_regions
from mudan.kernel.regions import upsert_regions
from mudan.settings import Settings

PASSWORD = "Peony@Heze2024"
CENTER = (115.47, 35.25)  # 牡丹区
VIEW = (1600, 1000)


def viewport(zoom: int) -> str:
    """The lon/lat box a VIEW-pixel map shows at ``zoom`` around CENTER (Web Mercator)."""
    scale = 256 * 2**zoom
    lon, lat = CENTER
    x = (lon + 180) / 360 * scale
    s = math.sin(math.radians(lat))
    y = (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * scale

    def unproject(px: float, py: float) -> tuple[float, float]:
        lo = px / scale * 360 - 180
        n = math.pi - 2 * math.pi * py / scale
        return lo, math.degrees(math.atan(math.sinh(n)))

    w, n = unproject(x - VIEW[0] / 2, y - VIEW[1] / 2)
    e, s_ = unproject(x + VIEW[0] / 2, y + VIEW[1] / 2)
    return f"{w:.5f},{s_:.5f},{e:.5f},{n:.5f}"


class Server:
    """uvicorn on a free 127.0.0.1 port in a thread."""

    def __init__(self, app: object) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.base = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="error",
            timeout_graceful_shutdown=1,  # type: ignore[arg-type]
        )
        self.srv = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.srv.run, daemon=True)

    def start(self) -> None:
        self.thread.start()
        while not self.srv.started:
            time.sleep(0.02)

    def stop(self) -> None:
        self.srv.should_exit = True
        self.thread.join(timeout=15)


def setup(root: Path, points: int) -> Settings:
    url = f"sqlite:///{root / 'bench.db'}"
    upgrade(url)
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as s:
        upsert_regions(s, load_base_regions())
        org.create_user(
            s, username="bench", display_name="bench", password=PASSWORD, department_code=None,
            bindings=[org.BindingIn(Role.ADMIN, None, "3717")], min_password_length=10,
            actor="bench", actor_role="admin",
        )  # fmt: skip
        set_demo_points(s, count=points, seed=3717)
    engine.dispose()
    return Settings(
        database={"url": url},  # type: ignore[arg-type]
        lake={"warehouse": root / "lake"},  # type: ignore[arg-type]
        var_dir=root,
        log_json=False,
    )


def timed(client: httpx.Client, url: str, repeat: int, **params: object) -> tuple[int, float]:
    sizes, times = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        r = client.get(url, params=params)  # type: ignore[arg-type]
        body = r.content
        times.append(time.perf_counter() - t0)
        assert r.status_code == 200, r.text[:300]
        sizes.append(len(body))
    return sizes[-1], statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, default=290_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = setup(Path(tmp), args.points)
        srv = Server(create_app(settings))
        logging.getLogger("mudan").setLevel(logging.WARNING)  # no per-request lines
        srv.start()
        try:
            token = httpx.post(
                f"{srv.base}/api/v1/auth/tokens", json={"username": "bench", "password": PASSWORD}
            ).json()["token"]
            with httpx.Client(
                base_url=srv.base, headers={"Authorization": f"Bearer {token}"}, timeout=300
            ) as c:
                layer = "/api/v1/ops/map/layers/ops.demo"
                c.get(f"{layer}/clusters", params={"zoom": 3})  # build the point cache
                cl_bytes, cl_time = 0, 0.0
                for zoom in (9, 12, 15):
                    n, t = timed(
                        c, f"{layer}/clusters", args.repeat, zoom=zoom, bbox=viewport(zoom)
                    )
                    count = len(
                        c.get(
                            f"{layer}/clusters", params={"zoom": zoom, "bbox": viewport(zoom)}
                        ).json()["clusters"]["count"]
                    )
                    print(
                        f"clusters z{zoom:<2}: {n / 1024:8.1f} KiB {t * 1e3:8.1f} ms {count} pins"
                    )
                    cl_bytes, cl_time = cl_bytes + n, cl_time + t
                raw_bytes, raw_time = timed(c, f"{layer}/geojson", max(1, args.repeat // 2))
                kib = raw_bytes / 1024
                print(
                    f"raw GeoJSON : {kib:8.1f} KiB {raw_time * 1e3:8.1f} ms  {args.points} features"
                )
        finally:
            srv.stop()
    size_ratio, time_ratio = raw_bytes / cl_bytes, raw_time / cl_time
    print(f"3 cluster views vs 1 raw download: {size_ratio:.1f}x smaller, {time_ratio:.1f}x faster")
    print(f"map points: {min(size_ratio, time_ratio):.1f}x smaller/faster than raw GeoJSON")


if __name__ == "__main__":
    main()
