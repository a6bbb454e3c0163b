"""Resources near a point: the nearest N by great-circle distance, optionally of one kind.

A city's emergency resources number in the hundreds to low thousands, so one vectorised
haversine over the (kind-filtered) coordinates is exact and fast; no spatial index is needed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.errors import InvalidInput
from mudan.domains.emergency.enums import ResourceKind
from mudan.domains.emergency.models import Resource
from mudan.domains.emergency.scope import resource_scope
from mudan.domains.emergency.where import EARTH_RADIUS_M, Actor


@dataclass(frozen=True)
class Nearby:
    resource: Resource
    distance_m: float


def distances_m(lon: float, lat: float, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    p1, p2 = np.radians(lat), np.radians(lats)
    dp, dl = p2 - p1, np.radians(lons - lon)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    out: np.ndarray = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return out


def rank(
    lon: float, lat: float, lons: np.ndarray, lats: np.ndarray, codes: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the ``n`` nearest points (ties broken by code) and all distances in metres."""
    d = distances_m(lon, lat, lons, lats)
    if n < len(d):  # partial selection first; keep every tie of the n-th distance
        cut = d[np.argpartition(d, n - 1)[n - 1]]
        pool = np.flatnonzero(d <= cut)
    else:
        pool = np.arange(len(d))
    return pool[np.lexsort((codes[pool], d[pool]))][:n], d


def nearest(
    session: Session,
    *,
    lon: float,
    lat: float,
    actor: Actor,
    n: int = 10,
    kinds: list[ResourceKind] | None = None,
) -> list[Nearby]:
    """The ``n`` resources ``actor`` sees nearest (lon, lat), nearest first (ties by code)."""
    if not 1 <= n <= 500:
        raise InvalidInput("emergency.bad_n", n=n)
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidInput("emergency.bad_point", lon=lon, lat=lat)
    q = select(Resource.id, Resource.code, Resource.lon, Resource.lat).where(
        resource_scope(session, actor)
    )
    if kinds:
        q = q.where(Resource.kind.in_([k.value for k in kinds]))
    rows = session.execute(q).all()
    if not rows:
        return []
    ids = np.array([r[0] for r in rows])
    codes = np.array([r[1] for r in rows])
    lons, lats = np.array([r[2] for r in rows]), np.array([r[3] for r in rows])
    order, d = rank(lon, lat, lons, lats, codes, n)
    chosen = {
        r.id: r
        for r in session.scalars(select(Resource).where(Resource.id.in_(ids[order].tolist())))
    }
    return [Nearby(chosen[int(ids[i])], round(float(d[i]), 1)) for i in order]
