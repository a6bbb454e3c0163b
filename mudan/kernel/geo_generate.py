"""Deterministic geometry and name generation behind :mod:`mudan.kernel.geo`.

Nothing here knows about regions: ``partition`` splits one polygonal area into Voronoi cells
seeded by stable string keys, and ``child_names`` invents plausible 社区/村 names. Randomness comes
only from :class:`random.Random` seeded with strings, which Python guarantees to be reproducible
across versions and platforms.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from typing import TypeAlias

import numpy as np
import shapely
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import voronoi_diagram

Polygonal: TypeAlias = Polygon | MultiPolygon

_SAMPLE_TRIES = 10_000

COMMUNITY_WORDS = (
    "和平", "幸福", "建设", "光明", "文化", "新华", "民主", "团结", "胜利", "振兴",
    "富民", "兴隆", "安居", "康宁", "花园", "牡丹", "朝阳", "东风", "红旗", "解放",
    "人民", "育才", "长安", "永安", "锦绣", "丹阳", "双河", "青年", "金堤", "中华",
)  # fmt: skip
VILLAGE_SURNAMES = (
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡",
    "郭", "何", "高", "林", "郑", "谢", "罗", "梁", "宋", "唐", "许", "韩", "冯", "邓", "曹",
)  # fmt: skip
VILLAGE_SUFFIXES = (
    "庄", "楼", "集", "屯", "寨", "营", "店", "口", "湾", "堂", "园", "庙", "坊", "堤", "桥",
)  # fmt: skip


def is_rural(street_name: str) -> bool:
    """镇/乡 hold villages (村委会); 街道 hold communities (居委会)."""
    return street_name.endswith(("镇", "乡"))


def child_names(street_name: str, count: int, rng: random.Random) -> list[str]:
    """``count`` distinct names such as 东城街道和平社区 or 沙土镇王楼村."""
    if is_rural(street_name):
        pool = [f"{s}{x}村" for s in VILLAGE_SURNAMES for x in VILLAGE_SUFFIXES]
        fallback = "第{}村"
    else:
        pool = [f"{w}社区" for w in COMMUNITY_WORDS]
        fallback = "第{}社区"
    picked = rng.sample(pool, min(count, len(pool)))
    picked += [fallback.format(i) for i in range(len(picked) + 1, count + 1)]
    return [street_name + p for p in picked]


def polygonal(geom: BaseGeometry) -> Polygonal:
    """The polygon parts of ``geom`` (drops points/lines left by overlay or repair), valid."""
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    flat = shapely.get_parts(geom)
    while any(shapely.get_type_id(flat) >= 4):  # multi-part geometries and collections
        flat = shapely.get_parts(flat)
    parts = [p for p in flat if isinstance(p, Polygon) and not p.is_empty]
    if not parts:
        return Polygon()
    merged = parts[0] if len(parts) == 1 else shapely.union_all(parts)
    if isinstance(merged, Polygon | MultiPolygon) and merged.is_valid:
        return merged
    return polygonal(merged)


def seed_point(
    area: Polygonal,
    key: str,
    taken: set[tuple[float, float]],
    near: tuple[float, float, float] | None = None,
) -> tuple[float, float]:
    """A pseudo-random point strictly inside ``area`` (and the ``near`` disc x, y, r if given),
    reproducible from ``key``."""
    rng = random.Random(key)
    minx, miny, maxx, maxy = area.bounds
    if near is not None:
        cx, cy, r = near
        minx, miny, maxx, maxy = (
            max(minx, cx - r),
            max(miny, cy - r),
            min(maxx, cx + r),
            min(maxy, cy + r),
        )
    for _ in range(_SAMPLE_TRIES):
        x = minx + rng.random() * (maxx - minx)
        y = miny + rng.random() * (maxy - miny)
        if near is not None and (x - near[0]) ** 2 + (y - near[1]) ** 2 > near[2] ** 2:
            continue
        if (x, y) not in taken and shapely.contains_xy(area, x, y):
            return (x, y)
    if near is not None:
        return seed_point(area, key, taken)
    p = area.representative_point()  # pathological slivers only
    return (float(p.x), float(p.y))


def partition(
    area: Polygonal,
    keys: Sequence[str],
    *,
    relax: int = 2,
    hub: tuple[float, float, float] | None = None,
    hub_keys: Collection[str] = (),
) -> list[Polygonal]:
    """Split ``area`` into one Voronoi cell per key (in key order), each clipped to ``area``.

    Seeds are reproducible pseudo-random points inside ``area`` (one per key), then moved
    ``relax`` times towards their cell's centroid (Lloyd relaxation) for evenly sized cells.
    Seeds of ``hub_keys`` are drawn inside the ``hub`` disc (x, y, radius) and never move: that
    is how urban 街道 cluster round a county seat. Every cell contains its seed, so none is
    empty; cells only share boundaries.
    """
    if not keys:
        return []
    if len(keys) == 1:
        return [area]
    shapely.prepare(area)
    taken: set[tuple[float, float]] = set()
    seeds: list[tuple[float, float]] = []
    fixed = [hub is not None and key in hub_keys for key in keys]
    for key, pinned in zip(keys, fixed, strict=True):
        seeds.append(seed_point(area, key, taken, hub if pinned else None))
        taken.add(seeds[-1])
    cells = _cells(area, seeds)
    for _ in range(relax):
        moved = [
            seed if pinned else _inner_point(cell)
            for seed, pinned, cell in zip(seeds, fixed, cells, strict=True)
        ]
        if len(set(moved)) < len(moved):
            break
        seeds, cells = moved, _cells(area, moved)
    return cells


def _inner_point(cell: Polygonal) -> tuple[float, float]:
    c = cell.centroid
    if not cell.contains(c):
        c = cell.representative_point()
    return (float(c.x), float(c.y))


def _cells(area: Polygonal, seeds: Sequence[tuple[float, float]]) -> list[Polygonal]:
    minx, miny, maxx, maxy = area.bounds
    pad = max(maxx - minx, maxy - miny) + 1.0
    frame = shapely.box(minx - pad, miny - pad, maxx + pad, maxy + pad)
    diagram = voronoi_diagram(MultiPoint(seeds), envelope=frame)
    raw = np.asarray(shapely.get_parts(diagram))
    tree = shapely.STRtree(raw)
    points = shapely.points(np.asarray(seeds, dtype=float))
    seed_idx, cell_idx = tree.query(points, predicate="intersects")
    owner = dict(zip(seed_idx.tolist(), cell_idx.tolist(), strict=True))
    ordered = raw[[owner[i] for i in range(len(seeds))]]
    clipped = shapely.intersection(ordered, area)
    return [polygonal(g) for g in clipped]


def disc(center: Point, radius: float) -> Polygon:
    """A 32-gon around ``center`` (used for the synthetic development-zone footprints)."""
    shape = center.buffer(radius, quad_segs=8)
    assert isinstance(shape, Polygon)
    return shape
