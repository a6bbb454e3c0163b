"""Bounded load test of a running ``mudan serve`` (locust): page views, catalog search,
data-service calls, Open311 posts and HTTP telemetry, mixed; not run in CI.

    export MUDAN_VAR_DIR=/tmp/load MUDAN_DATABASE__URL=sqlite:////tmp/load/mudan.db \\
           MUDAN_LAKE__WAREHOUSE=/tmp/load/lake
    mudan demo --scale 0.05
    MUDAN_CASES__REPORT_LIMIT=0 mudan serve --port 8123 &
    python bench/load.py http://127.0.0.1:8123 --users 20 --seconds 60

``MUDAN_CASES__REPORT_LIMIT=0`` on the server is required: Open311 posts are limited per client
address AND per api_key (10 an hour by default), and every simulated citizen posts from
127.0.0.1. Each user waits 0.1–1 s between requests (``--wait``). The setup logs in as the demo
users (``POST /api/v1/auth/tokens``), issues data-service credentials for up to 8 active grants
whose lake table exists (as a bureau operator would) and lists 500 IoT terminals; it writes to
the demo database (cases, telemetry, call logs, grant client accounts). Telemetry goes through
the HTTP batch endpoint (``POST /api/v1/iot/telemetry``, 10 readings a request, a ``system``
token); the MQTT path has its own benchmark (``bench/mqtt_ingest.py``).

Every non-2xx answer or transport error is an error; the goal is 0. The last line is
``load: <req/s> req/s, p95 <ms> ms, <n> errors``. The file is also a plain locustfile
(``locust -f bench/load.py --host http://127.0.0.1:8123`` for locust's web UI).
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import time
from typing import Any, ClassVar

import gevent
from locust import FastHttpUser, between, events, task
from locust.env import Environment

DEMO_PASSWORD = "Mudan@Heze2024"  # mudan.domains.org.demo.DEMO_PASSWORD
WORDS = ("人口", "企业", "交通", "医疗", "教育", "环境", "户籍", "社保", "公交", "水位")
ADMIN_PAGES = ("/", "/catalog", "/ops/screen", "/cases/board", "/iot/devices", "/indicators")
PUBLIC_PAGES = ("/open", "/report", "/login")
METRICS = {  # one metric per device type, with a plausible range
    "air": ("pm25", 5.0, 150.0),
    "water_level": ("level", 0.5, 4.0),
    "manhole": ("tilt", 0.0, 3.0),
    "smoke": ("smoke", 0.0, 2.0),
    "parking": ("occupied", 0.0, 1.0),
    "street_light": ("on", 0.0, 1.0),
    "pipe_pressure": ("pressure", 0.2, 0.6),
    "noise": ("laeq", 35.0, 80.0),
}
POINTS = ((115.48, 35.24), (115.57, 35.08), (115.55, 34.81), (116.08, 34.80), (115.94, 35.39))
GRANTS_WANTED, GRANTS_PROBED = 8, 60


class Fixture:
    """What the users share, filled once by :func:`setup` before any user starts."""

    admin = ""
    hotline = ""
    grants: ClassVar[list[tuple[int, str]]] = []  # (grant id, its client's token)
    devices: ClassVar[list[tuple[str, str]]] = []  # (code, type)
    services: ClassVar[list[str]] = []
    ts = itertools.count(int(time.time() * 1000))  # unique reading times (ms)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def setup(host: str) -> None:
    import requests  # locust's own dependency

    c = requests.Session()

    def get(path: str, token: str = "", **params: Any) -> Any:
        r = c.get(host + path, params=params, headers=_bearer(token) if token else {}, timeout=30)
        r.raise_for_status()
        return r.json()

    def post(path: str, body: dict[str, Any], token: str = "") -> Any:
        r = c.post(host + path, json=body, headers=_bearer(token) if token else {}, timeout=30)
        r.raise_for_status()
        return r.json()

    login = {"password": DEMO_PASSWORD}
    Fixture.admin = post("/api/v1/auth/tokens", {**login, "username": "admin"})["token"]
    Fixture.hotline = post("/api/v1/auth/tokens", {**login, "username": "hotline"})["token"]
    for g in get("/api/v1/share/grants", Fixture.admin, status="active")[:GRANTS_PROBED]:
        token = post(f"/api/v1/share/grants/{g['id']}/credentials", {}, Fixture.admin)["token"]
        probe = c.get(f"{host}/api/v1/share/services/{g['id']}?_size=1", headers=_bearer(token))
        if probe.status_code == 200:  # the granted table is in the lake
            Fixture.grants.append((g["id"], token))
        if len(Fixture.grants) == GRANTS_WANTED:
            break
    devices = get("/api/v1/iot/devices", Fixture.admin, page_size=500)["items"]
    Fixture.devices = [(d["code"], d["type"]) for d in devices]
    Fixture.services = [s["service_code"] for s in get("/open311/v2/services.json")]
    if not (Fixture.grants and Fixture.devices and Fixture.services):
        raise SystemExit("setup: no usable grant, device or Open311 service (run mudan demo)")


@events.test_start.add_listener
def _on_start(environment: Environment, **_: Any) -> None:
    if not Fixture.admin:
        setup(str(environment.host))


class Visitor(FastHttpUser):
    wait_time = between(0.1, 1.0)

    @task(4)
    def page(self) -> None:
        if random.random() < 0.6:
            path = random.choice(ADMIN_PAGES)
            self.client.get(path, headers=_bearer(Fixture.admin), name="page")
        else:
            self.client.get(random.choice(PUBLIC_PAGES), name="page")

    @task(3)
    def search(self) -> None:
        q = random.choice(WORDS)
        if random.random() < 0.5:
            url = f"/api/v1/catalog/entries?q={q}&limit=20"
            self.client.get(url, headers=_bearer(Fixture.admin), name="search")
        elif random.random() < 0.5:
            self.client.get(f"/api/3/action/package_search?q={q}&rows=10", name="search")
        else:
            self.client.get(f"/open?q={q}", name="search")

    @task(2)
    def data_service(self) -> None:
        grant, token = random.choice(Fixture.grants)
        size = random.choice((1, 20, 100))
        url = f"/api/v1/share/services/{grant}?_size={size}"
        self.client.get(url, headers=_bearer(token), name="dataservice")

    @task(1)
    def open311(self) -> None:
        lon, lat = random.choice(POINTS)
        body = {
            "service_code": random.choice(Fixture.services),
            "long": round(lon + random.uniform(-0.02, 0.02), 6),
            "lat": round(lat + random.uniform(-0.02, 0.02), 6),
            "description": "压测：路面有破损，请尽快处理",
        }
        headers = _bearer(Fixture.hotline)
        self.client.post("/open311/v2/requests.json", json=body, headers=headers, name="open311")

    @task(1)
    def telemetry(self) -> None:
        readings = []
        for code, kind in random.sample(Fixture.devices, 10):
            metric, low, high = METRICS[kind]
            value = round(random.uniform(low, high), 2)
            readings.append(
                {"device_code": code, "ts": next(Fixture.ts), "values": {metric: value}}
            )
        token = Fixture.grants[0][1]  # a system account: iot.ingest
        self.client.post(
            "/api/v1/iot/telemetry",
            json={"readings": readings},
            headers=_bearer(token),
            name="telemetry",
        )


def report(env: Environment) -> str:
    rows = [f"{'kind':<12}{'requests':>9}{'errors':>8}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}"]
    for name in ("page", "search", "dataservice", "open311", "telemetry"):
        s = env.stats.entries.get((name, "GET")) or env.stats.entries.get((name, "POST"))
        if s is not None:
            p50, p95 = s.get_response_time_percentile(0.5), s.get_response_time_percentile(0.95)
            rows.append(
                f"{name:<12}{s.num_requests:>9}{s.num_failures:>8}{p50:>8.0f}{p95:>8.0f}"
                f"{s.max_response_time:>8.0f}"
            )
    for err in env.stats.errors.values():
        rows.append(f"error x{err.occurrences}: {err.method} {err.name}: {err.error}"[:300])
    total = env.stats.total
    rows.append(
        f"load: {total.total_rps:.1f} req/s, p95 {total.get_response_time_percentile(0.95):.0f} "
        f"ms, {total.num_failures} errors"
    )
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description="Bounded load test of a running mudan serve.")
    ap.add_argument("url", nargs="?", default="http://127.0.0.1:8000")
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--wait", type=float, nargs=2, default=(0.1, 1.0), metavar=("MIN", "MAX"))
    args = ap.parse_args()
    Visitor.wait_time = between(*args.wait)
    setup(args.url)
    print(
        f"{args.users} users for {args.seconds:.0f} s against {args.url} "
        f"({len(Fixture.grants)} grants, {len(Fixture.devices)} devices)",
        flush=True,
    )
    env = Environment(user_classes=[Visitor], host=args.url, events=events)
    runner = env.create_local_runner()
    runner.start(args.users, spawn_rate=args.users)
    gevent.spawn_later(args.seconds, runner.quit)
    runner.greenlet.join()
    print(report(env), flush=True)
    sys.exit(1 if env.stats.total.num_failures else 0)


if __name__ == "__main__":
    main()
