"""One-map layers: every domain's ``mudan_map_layers``, point sets cached per process, and the
ops domain's own demo point layer (deterministic points inside the districts of Heze)."""

from __future__ import annotations

import threading
import time
from functools import lru_cache
from typing import Any

import numpy as np
import pluggy
import shapely
from shapely.geometry import shape
from sqlalchemy.orm import Session

from mudan.core.errors import InvalidInput, NotFound
from mudan.domains.ops.cluster import PointSet
from mudan.domains.ops.models import OpsSetting
from mudan.hooks import MapLayer, MapPoints, collect

DEMO_LAYER = "ops.demo"
DEMO_KEY = "demo_points"
CACHE_TTL_S = 60.0
_lock = threading.Lock()


def layers(pm: pluggy.PluginManager) -> list[MapLayer]:
    return list(collect(pm.hook.mudan_map_layers()))


def get_layer(pm: pluggy.PluginManager, code: str) -> MapLayer:
    for layer in layers(pm):
        if layer.code == code:
            return layer
    raise NotFound("ops.layer_not_found", code=code)


def point_set(extras: dict[str, Any], session: Session, layer: MapLayer) -> PointSet:
    """The layer's points as numpy columns, rebuilt at most once a minute per process."""
    if layer.points is None:
        raise InvalidInput("ops.not_a_point_layer", code=layer.code)
    cache: dict[str, tuple[float, PointSet]] = extras.setdefault("ops.point_sets", {})
    with _lock:
        hit = cache.get(layer.code)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    ps = PointSet.of(layer.points(session))
    with _lock:
        cache[layer.code] = (time.monotonic() + CACHE_TTL_S, ps)
    return ps


def forget(extras: dict[str, Any], code: str | None = None) -> None:
    cache: dict[str, Any] = extras.get("ops.point_sets", {})
    with _lock:
        if code is None:
            cache.clear()
        else:
            cache.pop(code, None)


# --- the demo layer ------------------------------------------------------------------------------


def demo_config(session: Session) -> tuple[int, int]:
    """(count, seed) of the demo layer; (0, 0) when the demo world did not ask for one."""
    row = session.get(OpsSetting, DEMO_KEY)
    if row is None:
        return 0, 0
    count, _, seed = row.value.partition(":")
    return int(count), int(seed or 0)


def set_demo_points(session: Session, *, count: int, seed: int) -> None:
    if not 0 <= count <= 5_000_000:
        raise InvalidInput("ops.bad_demo_count", count=count)
    row = session.get(OpsSetting, DEMO_KEY) or OpsSetting(key=DEMO_KEY)
    row.value = f"{count}:{seed}"
    session.add(row)
    session.flush()


def demo_layer_points(session: Session) -> MapPoints:
    count, seed = demo_config(session)
    return generate_demo_points(count, seed)


@lru_cache(maxsize=2)
def generate_demo_points(count: int, seed: int) -> MapPoints:
    """``count`` points spread over the 9 districts by area, each inside its district."""
    from mudan.domains.org.geo import district_features

    if count == 0:
        return MapPoints([], [], [], [])
    rng = np.random.default_rng(seed)
    feats = sorted(district_features(), key=lambda f: f["properties"]["code"])
    geoms = [shape(f["geometry"]) for f in feats]
    areas = np.array([g.area for g in geoms])
    quota = np.floor(areas / areas.sum() * count).astype(int)
    quota[: count - int(quota.sum())] += 1
    lons: list[np.ndarray] = []
    lats: list[np.ndarray] = []
    labels: list[str] = []
    for feat, geom, need in zip(feats, geoms, quota, strict=True):
        shapely.prepare(geom)
        w, s, e, n = geom.bounds
        got_x, got_y, have = [], [], 0
        while have < need:
            xs = rng.uniform(w, e, int(need * 2.5) + 16)
            ys = rng.uniform(s, n, xs.shape[0])
            inside = shapely.contains_xy(geom, xs, ys)
            got_x.append(xs[inside])
            got_y.append(ys[inside])
            have += int(inside.sum())
        lons.append(np.concatenate(got_x)[:need])
        lats.append(np.concatenate(got_y)[:need])
        labels.extend([feat["properties"]["name"]] * int(need))
    ids = [f"P{i:06d}" for i in range(count)]
    names = [f"{district}·{pid}" for district, pid in zip(labels, ids, strict=True)]
    return MapPoints(
        ids,
        np.round(np.concatenate(lons), 6).tolist(),
        np.round(np.concatenate(lats), 6).tolist(),
        names,
    )
