"""The video part of the Heze demo world: ``ctx.scaled(290000)`` channels on GB/T 28181 codes,
``ctx.scaled(9936)`` of them the 牡丹区 community platform's cameras, placed inside real grids;
devices with keepalive state, last-probe results planted exactly as the camera simulator will
answer (:func:`~mudan.domains.video.simulator.behaviour_for`), the day's rates and 29 days of
rate history. Vectorised (numpy + pandas), bulk-inserted; deterministic for the seed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely import wkt
from sqlalchemy import func, insert, select

from mudan.core.db import utcnow
from mudan.demo.context import DemoContext
from mudan.domains.video.codes import OWNER_CODE_FIELDS
from mudan.domains.video.enums import OwnerUnit, ProbeResult
from mudan.domains.video.models import VideoChannel, VideoDevice, VideoRateDay, table_of
from mudan.domains.video.rates import local_day, store_day_rates
from mudan.domains.video.simulator import Behaviour, behaviour_for, silent_device, snapshot_url
from mudan.domains.video.status import recompute
from mudan.kernel.models import Region

FULL_CHANNELS, FULL_MUDAN_COMMUNITY = 290_000, 9_936
MUDAN = "371702"
SIMULATOR = "http://127.0.0.1:8554"
#: Shares of the channels outside the 牡丹区 community platform.
OWNER_SHARES = {
    OwnerUnit.POLICE_XUELIANG: 0.40,
    OwnerUnit.POLICE_SKYNET: 0.22,
    OwnerUnit.TRAFFIC: 0.12,
    OwnerUnit.URBAN: 0.10,
    OwnerUnit.COMMUNITY: 0.10,
    OwnerUnit.EDUCATION: 0.06,
}
OWNER_LABEL = {
    OwnerUnit.POLICE_XUELIANG: "雪亮",
    OwnerUnit.POLICE_SKYNET: "天网",
    OwnerUnit.TRAFFIC: "交通",
    OwnerUnit.URBAN: "城管",
    OwnerUnit.COMMUNITY: "社区",
    OwnerUnit.EDUCATION: "校园",
}
PROBE_OF = {
    Behaviour.OK: ProbeResult.OK,
    Behaviour.BLACK: ProbeResult.BLACK,
    Behaviour.FROZEN: ProbeResult.FROZEN,
    Behaviour.BLURRED: ProbeResult.BLURRED,
    Behaviour.DOWN: ProbeResult.UNREACHABLE,
    Behaviour.STALL: ProbeResult.TIMEOUT,
}
NVR_SHARE, NVR_CHANNELS = 0.3, 8


def _grids(ctx: DemoContext) -> pd.DataFrame:
    r = Region
    rows = ctx.session.execute(select(r.code, r.name, r.level, r.parent_code, r.geometry_wkt))
    df = pd.DataFrame(rows.all(), columns=["code", "name", "level", "parent", "wkt"])
    parent = dict(zip(df.code, df.parent, strict=True))
    name = dict(zip(df.code, df.name, strict=True))
    grids = df[(df.level == "grid") & df.wkt.notna()].copy()
    grids["community"] = grids.parent
    grids["street"] = grids.community.map(parent)
    grids["district"] = grids.street.map(parent)
    grids["community_name"] = grids.community.map(name)
    return grids.sort_values("code").reset_index(drop=True)


def _sizes(rng: np.random.Generator, channels: int) -> np.ndarray[Any, Any]:
    """Channels per device (IPC 1, NVR 8) summing exactly to ``channels``."""
    sizes = np.where(rng.random(channels) < NVR_SHARE, NVR_CHANNELS, 1)
    cut = int(np.searchsorted(np.cumsum(sizes), channels)) + 1
    sizes = sizes[:cut]
    sizes[-1] -= int(sizes.sum()) - channels
    return sizes


def _points(rng: np.random.Generator, geoms: list[Any], which: np.ndarray[Any, Any]) -> Any:
    """A random point inside grid ``which[i]`` for every i (rejection sampling per grid)."""
    lons, lats = np.empty(len(which)), np.empty(len(which))
    for g in np.unique(which):
        idx = np.flatnonzero(which == g)
        geom = geoms[g]
        x0, y0, x1, y1 = geom.bounds
        got_x: list[np.ndarray[Any, Any]] = []
        got_y: list[np.ndarray[Any, Any]] = []
        need = len(idx)
        for _ in range(50):
            xs = rng.uniform(x0, x1, need * 3 + 8)
            ys = rng.uniform(y0, y1, need * 3 + 8)
            inside = shapely.contains_xy(geom, xs, ys)
            got_x.append(xs[inside])
            got_y.append(ys[inside])
            need -= int(inside.sum())
            if need <= 0:
                break
        px, py = np.concatenate(got_x)[: len(idx)], np.concatenate(got_y)[: len(idx)]
        if len(px) < len(idx):  # a sliver: fall back to a point surely inside
            p = geom.representative_point()
            px = np.concatenate([px, np.full(len(idx) - len(px), p.x)])
            py = np.concatenate([py, np.full(len(idx) - len(py), p.y)])
        lons[idx], lats[idx] = px, py
    return lons, lats


def _plan(ctx: DemoContext, grids: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One row per device: owner, grid index, channel count."""
    total = ctx.scaled(FULL_CHANNELS)
    mudan_comm = min(total, ctx.scaled(FULL_MUDAN_COMMUNITY))
    in_mudan = np.flatnonzero((grids.district == MUDAN).to_numpy())
    outside = np.flatnonzero((grids.district != MUDAN).to_numpy())
    rest = total - mudan_comm
    counts = {o: int(rest * s) for o, s in OWNER_SHARES.items()}
    counts[OwnerUnit.POLICE_XUELIANG] += rest - sum(counts.values())
    parts = []
    for owner, n, pool in [(OwnerUnit.COMMUNITY, mudan_comm, in_mudan)] + [
        (o, n, outside if o == OwnerUnit.COMMUNITY else np.arange(len(grids)))
        for o, n in counts.items()
    ]:
        if n <= 0 or len(pool) == 0:
            continue
        sizes = _sizes(rng, n)
        parts.append(
            pd.DataFrame(
                {"owner": owner.value, "grid": rng.choice(pool, len(sizes)), "size": sizes}
            )
        )
    return pd.concat(parts, ignore_index=True)


def _codes(prefix: pd.Series) -> pd.Series:
    serial = prefix.groupby(prefix).cumcount() + 1
    return prefix + serial.map("{:06d}".format)


def build_video(ctx: DemoContext) -> None:
    session = ctx.session
    if session.scalar(select(func.count()).select_from(VideoChannel)):
        return  # idempotent: built once per world
    grids = _grids(ctx)
    if grids.empty:
        return
    rng = np.random.default_rng(ctx.rng("video").randrange(2**32))
    dev = _plan(ctx, grids, rng)
    geoms = [wkt.loads(w) for w in grids.wkt]
    dev["lon"], dev["lat"] = _points(rng, geoms, dev.grid.to_numpy())
    g = grids.iloc[dev.grid.to_numpy()].reset_index(drop=True)
    fields = dev.owner.map(lambda o: OWNER_CODE_FIELDS[OwnerUnit(o)])
    industry, network = fields.str[0], fields.str[1]
    centre = g.district + "00"
    dev["type"] = np.where(dev["size"] > 1, "118", "132")
    dev["code"] = _codes(centre + industry + dev["type"] + network)
    now = utcnow()
    silent = dev.code.map(silent_device).to_numpy()
    ka = pd.Series(pd.Timestamp(now) - pd.to_timedelta(rng.integers(0, 60, len(dev)), unit="s"))
    ka[silent] = pd.Timestamp(now - timedelta(days=2))
    with ctx.progress.task("视频设备", len(dev)) as task:
        dev_rows = [
            {
                "code": code, "name": f"{cname}{OWNER_LABEL[OwnerUnit(o)]}{t_name}{code[-4:]}",
                "type_code": t, "centre": code[:8], "industry": code[8:10], "network": code[13],
                "owner_unit": o, "district_code": d, "keepalive_interval_s": 60,
                "registered": True, "last_register_at": k - timedelta(hours=6),
                "last_keepalive_at": k, "keepalive_deadline": k + timedelta(seconds=180),
                "online": False, "created_at": now,
            }
            for code, o, t, d, cname, k, t_name in zip(
                dev.code, dev.owner, dev["type"], g.district, g.community_name,
                pd.DatetimeIndex(ka).to_pydatetime(),
                np.where(dev["type"] == "118", "录像机", "摄像机"), strict=True,
            )
        ]  # fmt: skip
        ids = list(
            session.scalars(
                insert(VideoDevice).returning(VideoDevice.id, sort_by_parameter_order=True),
                dev_rows,
            )
        )
        task.advance(len(dev))
    _channels(ctx, rng, dev, g, np.asarray(ids), now)
    _rates(ctx, rng, now)


def _channels(
    ctx: DemoContext,
    rng: np.random.Generator,
    dev: pd.DataFrame,
    g: pd.DataFrame,
    ids: np.ndarray[Any, Any],
    now: datetime,
) -> None:
    rep = np.repeat(np.arange(len(dev)), dev["size"].to_numpy())
    d, gg = dev.iloc[rep].reset_index(drop=True), g.iloc[rep].reset_index(drop=True)
    codes = _codes(d.code.str[:10] + "131" + d.code.str[13])
    number = d.groupby("code").cumcount() + 1
    probe = codes.map(lambda c: PROBE_OF[behaviour_for(c)].value)
    probed = now - pd.to_timedelta(rng.integers(0, 20 * 3600, len(d)), unit="s")
    catalog = np.where(rng.random(len(d)) < 0.005, "OFF", "ON")
    rows = [
        {
            "code": code, "device_id": int(ids[i]), "name": f"{name}-{n}",
            "type_code": "131", "centre": code[:8], "industry": code[8:10], "network": code[13],
            "owner_unit": o, "district_code": dist, "street_code": st, "community_code": cm,
            "grid_code": gr, "lon": float(lon), "lat": float(lat),
            "snapshot_url": snapshot_url(SIMULATOR, code), "rtsp_url": None,
            "catalog_status": cat, "last_probe_at": pa, "last_probe_result": pr,
            "online": False, "retrieved": False, "created_at": now,
        }
        for code, i, name, n, o, dist, st, cm, gr, lon, lat, cat, pa, pr in zip(
            codes, rep, d.code.map(lambda c: f"通道{c[-6:]}"), number, d.owner,
            gg.district, gg.street, gg.community, gg.code, d.lon, d.lat, catalog,
            pd.DatetimeIndex(probed).to_pydatetime(), probe, strict=True,
        )
    ]  # fmt: skip
    with ctx.progress.task("视频通道", len(rows)) as task:
        table = table_of(VideoChannel)
        for lo in range(0, len(rows), 20_000):
            ctx.session.execute(insert(table), rows[lo : lo + 20_000])
            task.advance(len(rows[lo : lo + 20_000]))


def _rates(ctx: DemoContext, rng: np.random.Generator, now: datetime) -> None:
    """Today's status and rates, and 29 earlier days drawn around today's rates."""
    session = ctx.session
    recompute(session, at=now)
    today = local_day(now)
    store_day_rates(session, day=today)
    r = VideoRateDay
    base = session.execute(
        select(r.dim, r.key, r.total, r.online, r.retrieved).where(r.day == today)
    ).all()
    history = []
    for back in range(1, 30):
        day = today - timedelta(days=back)
        jitter_on, jitter_img = rng.normal(0, 0.015), rng.normal(0, 0.02)
        for dim, key, total, online, retrieved in base:
            p_on = float(np.clip(online / total + jitter_on, 0, 1)) if total else 0.0
            on = int(rng.binomial(total, p_on)) if total else 0
            p_img = float(np.clip(retrieved / online + jitter_img, 0, 1)) if online else 0.0
            img = int(rng.binomial(on, p_img)) if on else 0
            history.append(
                {"day": day, "dim": dim, "key": key, "total": total, "online": on,
                 "retrieved": img}
            )  # fmt: skip
    if history:
        session.execute(insert(table_of(r)), history)
    session.flush()
