"""Region tree service: lookups, scoped children, locate a point, persist generated regions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from mudan.core.errors import InvalidInput, NotFound
from mudan.kernel.geo import LocateResult, Locator, RegionSpec
from mudan.kernel.models import Region, RegionTreeVersion
from mudan.kernel.rbac import Principal


@dataclass(frozen=True)
class RegionNode:
    code: str
    name: str
    level: str
    parent_code: str | None
    child_count: int
    lon: float | None
    lat: float | None
    openable: bool


def get_region(session: Session, *, code: str) -> Region:
    if not code.isdigit() or len(code) not in (4, 6, 9, 12, 15):
        raise InvalidInput("region.bad_code", code=code)
    region = session.get(Region, code)
    if region is None:
        raise NotFound("region.not_found", code=code)
    return region


def children(session: Session, *, principal: Principal, code: str) -> list[RegionNode]:
    """Children of ``code`` that the principal may see (its scope, or ancestors leading to it)."""
    parent = get_region(session, code=code)
    if not (principal.sees_path(parent.path) or principal.sees_ancestor_of(parent.path)):
        raise NotFound("region.not_found", code=code)
    counts = dict(
        session.execute(
            select(Region.parent_code, func.count())
            .where(Region.parent_code.in_(select(Region.code).where(Region.parent_code == code)))
            .group_by(Region.parent_code)
        ).all()
    )
    rows = session.scalars(select(Region).where(Region.parent_code == code).order_by(Region.code))
    nodes = []
    for r in rows:
        if principal.sees_path(r.path) or principal.sees_ancestor_of(r.path):
            nodes.append(
                RegionNode(
                    r.code,
                    r.name,
                    r.level,
                    r.parent_code,
                    int(counts.get(r.code, 0)),
                    r.lon,
                    r.lat,
                    principal.sees_path(r.path),
                )
            )
    return nodes


def descendants_geojson(
    session: Session, *, principal: Principal, code: str, level: str, limit: int = 20000
) -> dict[str, object]:
    """A GeoJSON FeatureCollection of ``code``'s descendants at ``level`` within the scope."""
    from shapely import wkt
    from shapely.geometry import mapping

    if level not in _LEVELS:
        raise InvalidInput("region.bad_level", level=level)
    parent = get_region(session, code=code)
    if not (principal.sees_path(parent.path) or principal.sees_ancestor_of(parent.path)):
        raise NotFound("region.not_found", code=code)
    rows = session.scalars(
        select(Region)
        .where(Region.path.startswith(parent.path + "/"), Region.level == level)
        .order_by(Region.code)
        .limit(limit)
    )
    features = [
        {
            "type": "Feature",
            "id": r.code,
            "properties": {
                "code": r.code,
                "name": r.name,
                "level": r.level,
                "parent_code": r.parent_code,
            },
            "geometry": mapping(wkt.loads(r.geometry_wkt)) if r.geometry_wkt else None,
        }
        for r in rows
        if principal.sees_path(r.path)
    ]
    return {"type": "FeatureCollection", "features": features}


_LEVELS = ("district", "zone", "street", "community", "grid")


def visible_roots(session: Session, *, principal: Principal) -> list[Region]:
    """The top regions of the principal's scope (e.g. the city, or one street)."""
    codes = [p.rsplit("/", 1)[-1] for p in principal.scope_paths]
    return list(session.scalars(select(Region).where(Region.code.in_(codes)).order_by(Region.code)))


def build_locator(session: Session) -> Locator:
    from shapely import wkt

    specs = []
    for r in session.scalars(select(Region).where(Region.geometry_wkt.is_not(None))):
        specs.append(
            RegionSpec(
                code=r.code,
                name=r.name,
                level=r.level,  # type: ignore[arg-type]
                parent_code=r.parent_code,
                geometry=wkt.loads(r.geometry_wkt or ""),
            )
        )
    return Locator(specs)


def locate(locator: Locator, *, lon: float, lat: float) -> LocateResult:
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidInput("region.bad_point", lon=lon, lat=lat)
    found = locator.locate(lon, lat)
    if found is None:
        raise NotFound("region.outside_city", lon=lon, lat=lat)
    return found


def upsert_regions(session: Session, specs: Sequence[RegionSpec]) -> int:
    """Insert or update regions parents-first, computing materialised paths. Idempotent."""
    paths: dict[str, str] = dict(session.execute(select(Region.code, Region.path)).all())
    existing = set(paths)
    changed = 0
    for spec in _parents_first(specs):
        parent_path = paths.get(spec.parent_code or "", "")
        path = f"{parent_path}/{spec.code}" if parent_path else spec.code
        paths[spec.code] = path
        lon, lat = spec.centroid if spec.geometry is not None else (None, None)
        values = dict(
            name=spec.name,
            level=str(spec.level),
            parent_code=spec.parent_code,
            path=path,
            geometry_wkt=spec.geometry.wkt if spec.geometry is not None else None,
            lon=lon,
            lat=lat,
        )
        if spec.code in existing:
            region = session.get(Region, spec.code)
            assert region is not None
            for k, v in values.items():
                setattr(region, k, v)
        else:
            session.add(Region(code=spec.code, **values))
        changed += 1
    session.flush()
    bump_tree_version(session)
    return changed


def bump_tree_version(session: Session) -> None:
    """Mark the region tree as edited; cached locators everywhere rebuild on their next use."""
    done = session.execute(
        update(RegionTreeVersion)
        .where(RegionTreeVersion.id == 1)
        .values(version=RegionTreeVersion.version + 1)
    )
    if not getattr(done, "rowcount", 0):
        session.add(RegionTreeVersion(id=1, version=1))
    session.flush()


def _parents_first(specs: Iterable[RegionSpec]) -> list[RegionSpec]:
    order = {"city": 0, "district": 1, "zone": 1, "street": 2, "community": 3, "grid": 4}
    return sorted(specs, key=lambda s: (order.get(str(s.level), 9), s.code))
