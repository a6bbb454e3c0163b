"""Heze region tree geodata and a fast point locator (pure: no database, no import-time work).

Levels: city 3717 → 9 districts + 2 development zones → 167 streets/towns (real names and codes,
``mudan/data/regions``) → generated communities → generated grids. District boundaries are real
(low resolution, GCJ-02-ish lon/lat); everything below them is a synthetic but exact partition —
see ``mudan/data/regions/SOURCES.md``.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, shape

from mudan.kernel.geo_generate import Polygonal, child_names, disc, is_rural, partition, polygonal

CITY_CODE = "3717"
CITY_NAME = "菏泽市"
# GB/T 2260 has no county-level entry for these 功能区; the codes are the statistical ones.
ZONES = {"371771": "菏泽经济技术开发区", "371772": "菏泽高新技术产业开发区"}
ZONE_HOST = "371702"  # 牡丹区: the zones' synthetic footprints are carved out of it
# Synthetic zone footprints: (dx, dy, radius) in degrees relative to 牡丹区's centroid.
_ZONE_DISCS = {"371771": (0.03, -0.09, 0.065), "371772": (0.13, 0.03, 0.065)}
# 街道 seeds are drawn within this many degrees of the county seat (the GeoJSON ``cp``).
_SEAT_RADIUS = 0.04


class RegionLevel(StrEnum):
    CITY = "city"
    DISTRICT = "district"
    ZONE = "zone"
    STREET = "street"
    COMMUNITY = "community"
    GRID = "grid"


@dataclass(frozen=True)
class RegionSpec:
    """One node of the region tree; ``geometry`` is a (Multi)Polygon in lon/lat degrees."""

    code: str
    name: str
    level: RegionLevel
    parent_code: str | None
    geometry: Polygon | MultiPolygon | None = None

    @property
    def centroid(self) -> tuple[float, float]:
        """(lon, lat) of the centroid, or of a point inside when the centroid falls outside."""
        if self.geometry is None:
            raise ValueError(f"region {self.code} has no geometry")
        c = self.geometry.centroid
        if not self.geometry.contains(c):
            c = self.geometry.representative_point()
        return (float(c.x), float(c.y))


@dataclass(frozen=True)
class RegionRef:
    code: str
    name: str


@dataclass(frozen=True)
class LocateResult:
    """The chain of regions holding a point; ``district`` is a district or a development zone."""

    grid: RegionRef | None
    community: RegionRef | None
    street: RegionRef | None
    district: RegionRef | None
    city: RegionRef | None


def _data_text(name: str) -> str:
    return (resources.files("mudan") / "data" / "regions" / name).read_text(encoding="utf-8")


def district_features() -> list[dict[str, Any]]:
    """The raw GeoJSON features of ``heze_districts.geojson`` (properties: name, cp, code)."""
    features: list[dict[str, Any]] = json.loads(_data_text("heze_districts.geojson"))["features"]
    return features


def load_base_regions() -> list[RegionSpec]:
    """City, 9 districts, 2 zones and 167 streets, all with geometry (computed once, cached)."""
    return list(_base_regions())


@cache
def _base_regions() -> tuple[RegionSpec, ...]:
    districts: dict[str, RegionSpec] = {}
    seats: dict[str, tuple[float, float, float]] = {}
    for feature in district_features():
        props = feature["properties"]
        geom = _repair(shape(feature["geometry"]))
        seats[props["code"]] = (float(props["cp"][0]), float(props["cp"][1]), _SEAT_RADIUS)
        districts[props["code"]] = RegionSpec(
            props["code"], props["name"], RegionLevel.DISTRICT, CITY_CODE, geom
        )
    host = districts[ZONE_HOST].geometry
    assert host is not None
    zone_geoms: dict[str, Polygonal] = {}
    taken: Polygonal = Polygon()
    for code, (dx, dy, r) in _ZONE_DISCS.items():
        c = host.centroid
        footprint = _repair(disc(Point(c.x + dx, c.y + dy), r).intersection(host).difference(taken))
        zone_geoms[code] = footprint
        taken = _repair(taken.union(footprint))
    zones = [
        RegionSpec(code, ZONES[code], RegionLevel.ZONE, CITY_CODE, zone_geoms[code])
        for code in ZONES
    ]
    parents = {**{d.code: d.geometry for d in districts.values()}, **zone_geoms}
    reader = csv.DictReader(io.StringIO(_data_text("heze_towns.csv")))
    towns: dict[str, list[tuple[str, str]]] = {}
    for row in reader:
        towns.setdefault(row["parent_code"], []).append((row["code"], row["name"]))
    streets: list[RegionSpec] = []
    for parent_code in sorted(towns):
        area = parents[parent_code]
        assert area is not None, parent_code
        if parent_code == ZONE_HOST:
            area = _repair(area.difference(taken))
        rows = sorted(towns[parent_code])
        urban = [code for code, name in rows if name.endswith("街道")]
        cells = partition(
            area, [code for code, _ in rows], hub=seats.get(parent_code), hub_keys=urban
        )
        for (code, name), cell in zip(rows, cells, strict=True):
            streets.append(RegionSpec(code, name, RegionLevel.STREET, parent_code, cell))
    city_geom = _repair(shapely.union_all([d.geometry for d in districts.values()]))
    city = RegionSpec(CITY_CODE, CITY_NAME, RegionLevel.CITY, None, city_geom)
    return (city, *sorted(districts.values(), key=lambda d: d.code), *zones, *streets)


def _repair(geom: Any) -> Polygonal:
    """Valid polygonal geometry: the source rings have zero-width spikes from quantisation."""
    return polygonal(geom)


def generate_communities_and_grids(
    streets: Sequence[RegionSpec], seed: int, communities_per_street: int, grids_per_community: int
) -> list[RegionSpec]:
    """Deterministic communities (社区/村) partitioning each street and grids partitioning those.

    Codes follow GB/T 10114: a street's first 9 digits + a 3-digit serial, 001–199 for
    社区 (居委会) of a 街道, 201–399 for 村 (村委会) of a 镇/乡; grids append a 3-digit serial
    001–999 to the community code. The same arguments always give the same regions.
    """
    if not 1 <= communities_per_street <= 199 or not 1 <= grids_per_community <= 999:
        raise ValueError("need 1-199 communities per street and 1-999 grids per community")
    out: list[RegionSpec] = []
    for street in streets:
        if street.geometry is None or len(street.code) != 12:
            raise ValueError(f"street {street.code} needs a 12-digit code and a geometry")
        rng = random.Random(f"names:{seed}:{street.code}")
        names = child_names(street.name, communities_per_street, rng)
        first = 201 if is_rural(street.name) else 1
        codes = [f"{street.code[:9]}{first + i:03d}" for i in range(communities_per_street)]
        cells = partition(street.geometry, [f"{seed}:{c}" for c in codes])
        for code, name, cell in zip(codes, names, cells, strict=True):
            out.append(RegionSpec(code, name, RegionLevel.COMMUNITY, street.code, cell))
            grid_codes = [f"{code}{j:03d}" for j in range(1, grids_per_community + 1)]
            grid_cells = partition(cell, [f"{seed}:{c}" for c in grid_codes], relax=1)
            for j, (grid_code, grid_cell) in enumerate(zip(grid_codes, grid_cells, strict=True)):
                grid_name = f"{name}第{j + 1}网格"
                out.append(RegionSpec(grid_code, grid_name, RegionLevel.GRID, code, grid_cell))
    return out


# Query order: the deepest level first; a zone wins over the district that surrounds it.
_LOCATE_ORDER = (
    RegionLevel.GRID,
    RegionLevel.COMMUNITY,
    RegionLevel.STREET,
    RegionLevel.ZONE,
    RegionLevel.DISTRICT,
    RegionLevel.CITY,
)
_FIELD = {
    RegionLevel.GRID: "grid",
    RegionLevel.COMMUNITY: "community",
    RegionLevel.STREET: "street",
    RegionLevel.ZONE: "district",
    RegionLevel.DISTRICT: "district",
    RegionLevel.CITY: "city",
}


@dataclass(frozen=True)
class _LevelIndex:
    tree: shapely.STRtree
    geoms: np.ndarray[Any, np.dtype[np.object_]]
    codes: list[str]


class Locator:
    """Point → region chain, via one STRtree (+ prepared geometries) per level.

    The deepest level that contains the point decides; its ancestors come from ``parent_code``
    links, so the chain is always consistent. Points on a shared boundary go to the lower code.
    """

    def __init__(self, regions: Iterable[RegionSpec]) -> None:
        self._regions: dict[str, RegionSpec] = {}
        per_level: dict[RegionLevel, list[RegionSpec]] = {}
        for spec in regions:
            self._regions[spec.code] = spec
            if spec.geometry is not None and not spec.geometry.is_empty:
                per_level.setdefault(RegionLevel(str(spec.level)), []).append(spec)
        self._levels: list[_LevelIndex] = []
        for level in _LOCATE_ORDER:
            specs = per_level.get(level)
            if not specs:
                continue
            geoms = np.array([s.geometry for s in specs], dtype=object)
            shapely.prepare(geoms)
            self._levels.append(_LevelIndex(shapely.STRtree(geoms), geoms, [s.code for s in specs]))
        all_geoms = [s.geometry for group in per_level.values() for s in group]
        self._bounds = tuple(shapely.total_bounds(all_geoms).tolist()) if all_geoms else None
        self._chains: dict[str, LocateResult] = {}

    def locate(self, lon: float, lat: float) -> LocateResult | None:
        """The region chain holding (lon, lat), or None when no indexed region holds it."""
        b = self._bounds
        if b is None or not (b[0] <= lon <= b[2] and b[1] <= lat <= b[3]):
            return None
        point = Point(lon, lat)
        for index in self._levels:
            candidates = index.tree.query(point)
            if len(candidates) == 0:
                continue
            hits = candidates[shapely.intersects_xy(index.geoms[candidates], lon, lat)]
            if len(hits):
                return self._chain(min(index.codes[i] for i in hits.tolist()))
        return None

    def _chain(self, code: str) -> LocateResult:
        found = self._chains.get(code)
        if found is None:
            refs: dict[str, RegionRef | None] = dict.fromkeys(
                ("grid", "community", "street", "district", "city")
            )
            current: str | None = code
            seen: set[str] = set()
            while current is not None and current in self._regions and current not in seen:
                seen.add(current)
                spec = self._regions[current]
                field = _FIELD[RegionLevel(str(spec.level))]
                if refs[field] is None:
                    refs[field] = RegionRef(spec.code, spec.name)
                current = spec.parent_code
            found = self._chains[code] = LocateResult(**refs)
        return found
