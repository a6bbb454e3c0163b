"""One-map layers: every domain's ``mudan_map_layers``, point sets cached per process, and the
ops domain's own demo point layer (deterministic points inside the districts of Heze)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from functools import lru_cache
from typing import Any

import numpy as np
import pluggy
import shapely
from shapely.geometry import shape
from sqlalchemy.orm import Session

from mudan.core.errors import Forbidden, InvalidInput, NotFound
from mudan.domains.ops.cluster import PointSet
from mudan.domains.ops.models import OpsSetting
from mudan.hooks import MapLayer, MapPoints, collect
from mudan.kernel.rbac import ALL, Principal

DEMO_KEY = "demo_points"
CITY = "3717"
CACHE_TTL_S = 60.0
CACHE_MAX = 64  # point sets kept per process (one per layer and scope)
_lock = threading.Lock()
CacheKey = tuple[str, tuple[Any, ...]]


def layers(pm: pluggy.PluginManager) -> list[MapLayer]:
    return list(collect(pm.hook.mudan_map_layers()))


def visible_layers(pm: pluggy.PluginManager, principal: Principal) -> list[MapLayer]:
    """The layers whose own permission the principal holds."""
    return [layer for layer in layers(pm) if principal.can(layer.permission)]


def get_layer(pm: pluggy.PluginManager, code: str, principal: Principal) -> MapLayer:
    for layer in layers(pm):
        if layer.code == code:
            if not principal.can(layer.permission):
                raise Forbidden("auth.forbidden", permission=layer.permission)
            return layer
    raise NotFound("ops.layer_not_found", code=code)


def scope_key(principal: Principal) -> tuple[Any, ...]:
    """Principals with equal keys see the same points of every layer (see ``MapLayer``)."""
    if CITY in principal.scope_paths:
        return ("city",)
    return (
        principal.can(ALL),
        tuple(sorted(principal.scope_paths)),
        tuple(sorted(principal.department_ids)),
    )


def point_set(
    extras: dict[str, Any], session: Session, layer: MapLayer, principal: Principal
) -> PointSet:
    """The points of the layer the principal may see, as numpy columns; rebuilt at most once a
    minute per process and scope (at most ``CACHE_MAX`` sets are kept, least recent out)."""
    if layer.points is None:
        raise InvalidInput("ops.not_a_point_layer", code=layer.code)
    if not principal.can(layer.permission):  # get_layer checked; never serve a set unchecked
        raise Forbidden("auth.forbidden", permission=layer.permission)
    cache: OrderedDict[CacheKey, tuple[float, PointSet]] = extras.setdefault(
        "ops.point_sets", OrderedDict()
    )
    key: CacheKey = (layer.code, scope_key(principal) if layer.scoped else ())
    now = time.monotonic()
    with _lock:
        hit = cache.get(key)
        if hit is not None and hit[0] > now:
            cache.move_to_end(key)
            return hit[1]
    ps = PointSet.of(layer.points(session, principal))
    with _lock:
        cache[key] = (time.monotonic() + CACHE_TTL_S, ps)
        cache.move_to_end(key)
        for old in [k for k, (expires, _) in cache.items() if expires <= now]:
            del cache[old]
        while len(cache) > CACHE_MAX:
            cache.popitem(last=False)
    return ps


def forget(extras: dict[str, Any], code: str | None = None) -> None:
    cache: OrderedDict[CacheKey, Any] = extras.get("ops.point_sets", OrderedDict())
    with _lock:
        for key in [k for k in cache if code is None or k[0] == code]:
            del cache[key]


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


def demo_layer_points(session: Session, principal: Principal) -> MapPoints:
    """Synthetic points with no object behind them: the same for everyone (``scoped=False``)."""
    count, seed = demo_config(session)
    return generate_demo_points(count, seed)


@lru_cache(maxsize=2)
def generate_demo_points(count: int, seed: int) -> MapPoints:
    """``count`` points spread over the 9 districts by area, each inside its district."""
    from mudan.kernel.geo import district_features

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
