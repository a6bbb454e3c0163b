"""Heze region geodata (real names/codes, generated partitions) and the point locator."""

from __future__ import annotations

import csv
import io
import itertools
import random
from collections import Counter, defaultdict
from importlib import resources

import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon

from mudan.kernel.geo import (
    LocateResult,
    Locator,
    RegionLevel,
    RegionRef,
    RegionSpec,
    district_features,
    generate_communities_and_grids,
    load_base_regions,
)

TOL = 1e-9  # degrees (~0.1 mm): slack for floating-point overlay noise
EXPECTED_STREETS = {
    "371702": 18,  # 牡丹区
    "371703": 11,  # 定陶区
    "371721": 26,  # 曹县
    "371722": 22,  # 单县
    "371723": 13,  # 成武县
    "371724": 17,  # 巨野县
    "371725": 22,  # 郓城县
    "371726": 17,  # 鄄城县
    "371728": 14,  # 东明县
    "371771": 4,  # 菏泽经济技术开发区
    "371772": 3,  # 菏泽高新技术产业开发区
}
SEED = 3717


@pytest.fixture(scope="module")
def base() -> list[RegionSpec]:
    return load_base_regions()


@pytest.fixture(scope="module")
def by_code(base: list[RegionSpec]) -> dict[str, RegionSpec]:
    return {r.code: r for r in base}


@pytest.fixture(scope="module")
def streets(base: list[RegionSpec]) -> list[RegionSpec]:
    return [r for r in base if r.level == RegionLevel.STREET]


@pytest.fixture(scope="module")
def small(streets: list[RegionSpec]) -> list[RegionSpec]:
    return generate_communities_and_grids(streets, SEED, 3, 2)


@pytest.fixture(scope="module")
def locator(base: list[RegionSpec], small: list[RegionSpec]) -> Locator:
    return Locator([*base, *small])


def _geom(r: RegionSpec) -> Polygon | MultiPolygon:
    assert r.geometry is not None, r.code
    return r.geometry


def test_levels_and_counts(base: list[RegionSpec]) -> None:
    levels = Counter(r.level for r in base)
    assert levels == {"city": 1, "district": 9, "zone": 2, "street": 167}
    per_parent = Counter(r.parent_code for r in base if r.level == RegionLevel.STREET)
    assert per_parent == EXPECTED_STREETS
    assert len({r.code for r in base}) == len(base)


def test_codes_names_and_parents(by_code: dict[str, RegionSpec]) -> None:
    city = by_code["3717"]
    assert (city.name, city.level, city.parent_code) == ("菏泽市", RegionLevel.CITY, None)
    assert by_code["371702"].name == "牡丹区"
    assert by_code["371728"].name == "东明县"
    assert by_code["371771"].name == "菏泽经济技术开发区"
    assert by_code["371772"].name == "菏泽高新技术产业开发区"
    dongcheng = by_code["371702001000"]
    assert (dongcheng.name, dongcheng.level, dongcheng.parent_code) == (
        "东城街道",
        RegionLevel.STREET,
        "371702",
    )
    for r in by_code.values():
        if r.level in (RegionLevel.DISTRICT, RegionLevel.ZONE):
            assert r.parent_code == "3717" and len(r.code) == 6
        if r.level == RegionLevel.STREET:
            assert len(r.code) == 12 and r.code.isdigit()
            assert r.parent_code is not None and r.code.startswith(r.parent_code)


def test_data_files() -> None:
    regions = resources.files("mudan") / "data" / "regions"
    rows = list(csv.DictReader(io.StringIO((regions / "heze_towns.csv").read_text("utf-8"))))
    assert len(rows) == 167
    assert list(rows[0]) == ["code", "name", "parent_code"]
    assert rows[0] == {"code": "371702001000", "name": "东城街道", "parent_code": "371702"}
    assert (regions / "SOURCES.md").is_file()
    features = district_features()
    assert len(features) == 9
    assert {f["properties"]["code"] for f in features} == set(EXPECTED_STREETS) - {
        "371771",
        "371772",
    }
    for f in features:
        lon, lat = f["properties"]["cp"]
        assert 114.5 < lon < 116.6 and 34.4 < lat < 36.0  # plain lon/lat around Heze


def test_all_geometries_valid_and_within_parent(by_code: dict[str, RegionSpec]) -> None:
    for r in by_code.values():
        g = _geom(r)
        assert isinstance(g, Polygon | MultiPolygon), r.code
        assert g.is_valid and not g.is_empty and g.area > 0, r.code
        if r.parent_code is not None:
            assert g.within(_geom(by_code[r.parent_code]).buffer(TOL)), r.code


def test_streets_partition_their_parent(
    by_code: dict[str, RegionSpec], streets: list[RegionSpec]
) -> None:
    zones = shapely.union_all([_geom(by_code["371771"]), _geom(by_code["371772"])])
    children: defaultdict[str, list[RegionSpec]] = defaultdict(list)
    for s in streets:
        assert s.parent_code is not None
        children[s.parent_code].append(s)
    for parent_code, kids in children.items():
        area = _geom(by_code[parent_code])
        if parent_code == "371702":
            area = area.difference(zones)
        union = shapely.union_all([_geom(k) for k in kids])
        assert area.symmetric_difference(union).area < 1e-6 * area.area, parent_code
        for a, b in itertools.combinations(kids, 2):
            assert _geom(a).intersection(_geom(b)).area < 1e-12, (a.code, b.code)
    # no two streets overlap anywhere, zones included
    tree = shapely.STRtree([_geom(s) for s in streets])
    for i, j in zip(*tree.query([_geom(s) for s in streets]), strict=True):
        if i < j:
            assert _geom(streets[i]).intersection(_geom(streets[j])).area < 1e-12


def test_zones_are_disjoint_parts_of_mudan(by_code: dict[str, RegionSpec]) -> None:
    jk, gx = _geom(by_code["371771"]), _geom(by_code["371772"])
    mudan = _geom(by_code["371702"])
    assert jk.within(mudan.buffer(TOL)) and gx.within(mudan.buffer(TOL))
    assert jk.intersection(gx).area == 0
    assert 0.05 < (jk.area + gx.area) / mudan.area < 0.4
    city = _geom(by_code["3717"])
    assert (
        abs(city.area - sum(_geom(d).area for d in by_code.values() if d.level == "district"))
        < 1e-9
    )


def test_centroid_is_inside(base: list[RegionSpec]) -> None:
    for r in base:
        lon, lat = r.centroid
        assert _geom(r).buffer(TOL).contains(shapely.Point(lon, lat)), r.code
    with pytest.raises(ValueError):
        _ = RegionSpec("371702001", "x", RegionLevel.GRID, None).centroid


def test_load_base_regions_returns_a_fresh_list() -> None:
    first = load_base_regions()
    first.clear()
    assert len(load_base_regions()) == 179


def test_generation_is_deterministic(streets: list[RegionSpec], small: list[RegionSpec]) -> None:
    some = streets[:5] + streets[-5:]
    again = generate_communities_and_grids(some, SEED, 3, 2)
    same = [r for r in small if r.code[:9] in {s.code[:9] for s in some}]
    assert [(r.code, r.name, r.level, r.parent_code) for r in again] == [
        (r.code, r.name, r.level, r.parent_code) for r in same
    ]
    assert all(_geom(a).equals_exact(_geom(b), 0) for a, b in zip(again, same, strict=True))
    other = generate_communities_and_grids(some, SEED + 1, 3, 2)
    assert [r.code for r in other] == [r.code for r in again]
    assert any(not _geom(a).equals(_geom(b)) for a, b in zip(again, other, strict=True))


def test_generated_codes_and_names(streets: list[RegionSpec], small: list[RegionSpec]) -> None:
    levels = Counter(r.level for r in small)
    assert levels == {"community": 167 * 3, "grid": 167 * 3 * 2}
    by_code = {r.code: r for r in small}
    assert len(by_code) == len(small)
    assert [
        c.code for c in small if c.parent_code == "371702001000" and c.level == "community"
    ] == [
        "371702001001",
        "371702001002",
        "371702001003",
    ]
    # 镇 holds villages (村委会 serials 201+), 街道 holds communities (居委会 serials 001+)
    shatu = [c for c in small if c.parent_code == "371702100000"]
    assert [c.code for c in shatu] == ["371702100201", "371702100202", "371702100203"]
    assert all(c.name.startswith("沙土镇") and c.name.endswith("村") for c in shatu)
    assert by_code["371702001001"].name.startswith("东城街道")
    assert by_code["371702001001"].name.endswith("社区")
    grid = by_code["371702001001002"]
    assert (grid.level, grid.parent_code) == (RegionLevel.GRID, "371702001001")
    assert grid.name == f"{by_code['371702001001'].name}第2网格"
    siblings: defaultdict[str | None, list[str]] = defaultdict(list)
    for r in small:
        assert len(r.code) == (12 if r.level == RegionLevel.COMMUNITY else 15)
        assert r.parent_code is not None and r.code.startswith(r.parent_code[:9])
        siblings[r.parent_code].append(r.name)
    assert all(len(set(names)) == len(names) for names in siblings.values())
    many = generate_communities_and_grids(streets[:1], 1, 40, 1)
    names = [r.name for r in many if r.level == RegionLevel.COMMUNITY]
    assert len(set(names)) == 40


def test_generated_geometries_partition_parents(
    by_code: dict[str, RegionSpec], small: list[RegionSpec]
) -> None:
    parents = {**by_code, **{r.code: r for r in small}}
    children: defaultdict[str, list[RegionSpec]] = defaultdict(list)
    for r in small:
        g = _geom(r)
        assert g.is_valid and not g.is_empty and g.area > 0, r.code
        assert r.parent_code is not None
        assert g.within(_geom(parents[r.parent_code]).buffer(TOL)), r.code
        children[r.parent_code].append(r)
    for parent_code, kids in children.items():
        parent = _geom(parents[parent_code])
        assert abs(sum(_geom(k).area for k in kids) - parent.area) < 1e-6 * parent.area
        for a, b in itertools.combinations(kids, 2):
            assert _geom(a).intersection(_geom(b)).area < 1e-12, (a.code, b.code)


def test_generate_rejects_bad_arguments(streets: list[RegionSpec]) -> None:
    with pytest.raises(ValueError):
        generate_communities_and_grids(streets[:1], 1, 0, 1)
    with pytest.raises(ValueError):
        generate_communities_and_grids(streets[:1], 1, 200, 1)
    with pytest.raises(ValueError):
        no_geometry = RegionSpec("371702001000", "东城街道", RegionLevel.STREET, "371702")
        generate_communities_and_grids([no_geometry], 1, 1, 1)


def _ref(r: RegionSpec) -> RegionRef:
    return RegionRef(r.code, r.name)


def test_locate_random_grids_gives_full_chain(
    locator: Locator, by_code: dict[str, RegionSpec], small: list[RegionSpec]
) -> None:
    parents = {**by_code, **{r.code: r for r in small}}
    grids = [r for r in small if r.level == RegionLevel.GRID]
    for grid in random.Random(7).sample(grids, 300):
        p = _geom(grid).representative_point()
        community = parents[grid.parent_code or ""]
        street = parents[community.parent_code or ""]
        district = parents[street.parent_code or ""]
        assert locator.locate(p.x, p.y) == LocateResult(
            grid=_ref(grid),
            community=_ref(community),
            street=_ref(street),
            district=_ref(district),
            city=RegionRef("3717", "菏泽市"),
        )


def test_locate_in_a_zone_reports_the_zone(
    locator: Locator, by_code: dict[str, RegionSpec]
) -> None:
    street = by_code["371771001000"]  # 丹阳街道, 菏泽经济技术开发区
    p = _geom(street).representative_point()
    found = locator.locate(p.x, p.y)
    assert found is not None
    assert found.street == RegionRef("371771001000", "丹阳街道")
    assert found.district == RegionRef("371771", "菏泽经济技术开发区")


@pytest.mark.parametrize("lon_lat", [(116.40, 39.90), (0.0, 0.0), (122.5, 35.0), (-73.9, 40.7)])
def test_locate_outside_heze_is_none(locator: Locator, lon_lat: tuple[float, float]) -> None:
    assert locator.locate(*lon_lat) is None


def test_locate_inside_bbox_but_outside_heze_is_none(
    locator: Locator, by_code: dict[str, RegionSpec]
) -> None:
    city = _geom(by_code["3717"])
    minx, miny, maxx, maxy = city.bounds
    for x, y in [(minx, maxy), (maxx, maxy), (minx, miny), (maxx, miny)]:  # bbox corners
        assert not city.intersects(shapely.Point(x, y))
        assert locator.locate(x, y) is None


def test_locate_district_label_points(locator: Locator, base: list[RegionSpec]) -> None:
    base_only = Locator(base)
    for feature in district_features():
        props = feature["properties"]
        lon, lat = props["cp"]
        for loc in (locator, base_only):
            found = loc.locate(lon, lat)
            assert found is not None, props["name"]
            assert found.district == RegionRef(props["code"], props["name"])
            assert found.city == RegionRef("3717", "菏泽市")
            assert found.street is not None and found.street.code.startswith(props["code"])
        # the county seat lies in one of the county's 街道
        assert base_only.locate(lon, lat).street.name.endswith("街道")  # type: ignore[union-attr]


def test_locator_falls_back_to_shallower_levels(by_code: dict[str, RegionSpec]) -> None:
    only_districts = Locator(r for r in by_code.values() if r.level in ("city", "district"))
    found = only_districts.locate(115.417826, 35.252512)
    assert found == LocateResult(
        grid=None,
        community=None,
        street=None,
        district=RegionRef("371702", "牡丹区"),
        city=RegionRef("3717", "菏泽市"),
    )
    assert Locator([]).locate(115.4, 35.2) is None


def test_locator_accepts_plain_string_levels(by_code: dict[str, RegionSpec]) -> None:
    # as rebuilt from database rows, where level is a plain str
    specs = [
        RegionSpec(r.code, r.name, str(r.level), r.parent_code, r.geometry)  # type: ignore[arg-type]
        for r in by_code.values()
    ]
    found = Locator(specs).locate(115.417826, 35.252512)
    assert found is not None and found.district == RegionRef("371702", "牡丹区")
