"""The iot part of the Heze demo world: 2,000,000 terminals at ``--scale 1`` (bulk inserts,
one vectorised locate), default rules, and a little telemetry from the in-process simulator."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

import numpy as np
import shapely
from sqlalchemy import func, select

from mudan.core.db import utcnow
from mudan.demo.context import DemoContext
from mudan.domains.iot import registry, simulate
from mudan.domains.iot.enums import OWNER, TYPES, DeviceStatus, DeviceType
from mudan.domains.iot.locate import GridIndex
from mudan.domains.iot.models import Device, Rule
from mudan.domains.iot.parse import BEIJING, Incoming
from mudan.domains.iot.pipeline import Pipeline
from mudan.kernel.models import Region

FULL = 2_000_000
CHUNK = 100_000
SIM_DEVICES = 300
SMALL = 0.05
SIM_HOURS = 2

RULES = (
    ("PM2.5 重度污染", DeviceType.AIR, "pm25", "threshold", ">", 150.0, "orange"),
    ("水位超警戒", DeviceType.WATER_LEVEL, "level", "threshold", ">", 4.0, "red"),
    ("管网压力过低", DeviceType.PIPE_PRESSURE, "pressure", "threshold", "<", 0.12, "yellow"),
    ("井盖倾斜突变", DeviceType.MANHOLE, "tilt", "rate", ">", 2.0, "orange"),
    ("烟雾浓度报警", DeviceType.SMOKE, "smoke", "threshold", ">", 2.5, "red"),
    ("空气站断线", DeviceType.AIR, "", "nodata", ">", 3.0, "blue"),
)


def _points(
    gen: np.random.Generator, centres: np.ndarray, bounds: tuple[float, ...], n: int
) -> tuple[np.ndarray, np.ndarray]:
    urban = int(n * 0.7)
    pick = gen.integers(0, len(centres), urban)
    lon = np.concatenate(
        [
            centres[pick, 0] + gen.normal(0, 0.012, urban),
            gen.uniform(bounds[0], bounds[2], n - urban),
        ]
    )
    lat = np.concatenate(
        [
            centres[pick, 1] + gen.normal(0, 0.010, urban),
            gen.uniform(bounds[1], bounds[3], n - urban),
        ]
    )
    return lon, lat


def _status(draw: float, serial: int) -> str:
    """A few retired or in maintenance; the first ``SIM_DEVICES`` terminals are connected (the
    simulator's fleet), the others registered but not connected yet (未接入: out of the rate)."""
    if draw < 0.01:
        return str(DeviceStatus.RETIRED)
    if draw < 0.03:
        return str(DeviceStatus.MAINTENANCE)
    return str(DeviceStatus.ACTIVE if serial < SIM_DEVICES else DeviceStatus.PENDING)


def build_iot_world(ctx: DemoContext) -> None:
    session = ctx.session
    # Test scale (< 0.05): a tenth of the proportional count, so the world builds in ~1 s.
    n = ctx.scaled(FULL) if ctx.scale >= SMALL else ctx.scaled(FULL // 10)
    rng = ctx.rng("iot")
    gen = np.random.default_rng(rng.getrandbits(63))
    centres = np.array(
        session.execute(
            select(Region.lon, Region.lat).where(Region.level == "street", Region.lon.is_not(None))
        ).all(),
        dtype=float,
    )
    index = GridIndex(session)
    bounds = tuple(shapely.total_bounds(index.tree.geometries).tolist())
    types = list(TYPES)
    shares = np.array([TYPES[t].share for t in types])
    existing = session.scalar(select(func.count()).select_from(Device)) or 0
    with ctx.progress.task("物联感知终端", n) as task:
        done = 0
        while done < n:
            want = min(CHUNK, n - done)
            lon, lat = _points(gen, centres, bounds, int(want * 1.3) + 10)
            chains = index.locate(lon, lat)
            ok = [i for i, c in enumerate(chains) if c is not None][:want]
            kinds = gen.choice(len(types), size=len(ok), p=shares / shares.sum())
            status = gen.random(len(ok))
            rows = []
            for j, i in enumerate(ok):
                chain = chains[i]
                assert chain is not None
                t = types[int(kinds[j])]
                spec = TYPES[t]
                serial = done + j
                district = chain.district or "3717"
                dept = OWNER[t]
                if (
                    t in (DeviceType.MANHOLE, DeviceType.STREET_LIGHT)
                    and serial % 2
                    and len(district) == 6
                    and district < "371770"
                ):
                    dept = f"{district}003"
                rows.append(
                    {
                        "code": f"{spec.abbr}-{district}-{serial:07d}",
                        "type": str(t),
                        "model": spec.models[serial % len(spec.models)],
                        "department_code": dept,
                        "lon": round(float(lon[i]), 6),
                        "lat": round(float(lat[i]), 6),
                        "grid_code": chain.grid,
                        "community_code": chain.community,
                        "street_code": chain.street,
                        "district_code": chain.district,
                        "protocol": ("mqtt", "nb-iot", "lorawan", "mqtt")[serial % 4],
                        "status": _status(float(status[j]), serial),
                        "interval_s": spec.interval_s,
                        "installed_at": utcnow() - timedelta(days=30),
                    }
                )
            if existing < n:
                registry.insert_rows(session, rows, update=False)
            done += len(rows)
            task.advance(len(rows))
    _rules(ctx)
    from mudan.domains.iot.demo_history import build_online_history

    build_online_history(ctx)  # a month of daily online rates: the history a running city has
    if not ctx.settings.mqtt.url:
        _simulate(ctx)


def _rules(ctx: DemoContext) -> None:
    have = set(ctx.session.scalars(select(Rule.name)))
    for name, typ, metric, kind, op, limit, level in RULES:
        if name not in have:
            ctx.session.add(
                Rule(
                    name=name,
                    device_type=str(typ),
                    metric=metric,
                    kind=kind,
                    op=op,
                    limit=limit,
                    level=level,
                    enabled=True,
                )
            )
    ctx.session.flush()


def sim_start(end: datetime) -> datetime:
    """Since (just before) today's Beijing midnight, at least ``SIM_HOURS``: today's live
    online rate is over the whole day so far, so the fleet reports all day, not the last hours."""
    midnight = datetime.combine(end.astimezone(BEIJING).date(), time(0), BEIJING)
    return min(end - timedelta(hours=SIM_HOURS), midnight - timedelta(hours=1))


def _simulate(ctx: DemoContext) -> None:
    """The in-process simulator (no broker configured): today so far, for a few hundred devices."""
    session = ctx.session
    devices = [
        simulate.SimDevice(d.code, d.type, d.interval_s)
        for d in session.scalars(
            select(Device).where(Device.status == "active").order_by(Device.id).limit(SIM_DEVICES)
        )
    ]
    rng = random.Random(f"{ctx.seed}:iot.sim")
    end = utcnow().replace(second=0, microsecond=0)
    plan = simulate.schedule(devices, start=sim_start(end), end=end)
    pipeline = Pipeline()
    msgs = [
        Incoming(
            "mqtt",
            f"mudan/{d.type}/{d.code}/telemetry",
            {**simulate.payload(rng, d, at, fault=0.01)},
            at,
            d.code,
            d.type,
        )
        for at, d in plan
    ]
    with ctx.progress.task("物联感知遥测（进程内模拟）", len(msgs)) as task:
        for start in range(0, len(msgs), 2000):
            pipeline.process(session, msgs[start : start + 2000], now=end)
            task.advance(len(msgs[start : start + 2000]))

    def to_lake() -> None:
        from mudan.domains.iot.lakeflush import flush

        flush(ctx.runtime.sessions, ctx.runtime.lake)

    if ctx.scale >= SMALL:  # tests flush on their own (`mudan iot flush` does it by hand)
        ctx.after_commit.append(to_lake)
