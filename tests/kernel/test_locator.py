"""The one point locator: cached per database, rebuilt when a region is edited, by every user."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from shapely.geometry import Polygon, box
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from mudan.core.db import make_engine, make_sessionmaker, transaction
from mudan.domains.cases.routing import place
from mudan.domains.emergency import service as es
from mudan.domains.emergency.where import locate_point
from mudan.kernel import regions as reg
from mudan.kernel.geo import RegionLevel, RegionRef, RegionSpec
from mudan.kernel.locator import locator_of, tree_version
from mudan.kernel.models import Region
from mudan.kernel.regions import bump_tree_version, upsert_regions

WEST, EAST = box(115.0, 35.0, 115.5, 35.5), box(115.5, 35.0, 116.0, 35.5)


def _tree(a: Polygon, b: Polygon) -> list[RegionSpec]:
    return [
        RegionSpec("3717", "菏泽市", RegionLevel.CITY, None, box(115.0, 35.0, 116.0, 35.5)),
        RegionSpec("371702", "牡丹区", RegionLevel.DISTRICT, "3717", a),
        RegionSpec("371703", "定陶区", RegionLevel.DISTRICT, "3717", b),
    ]


@pytest.fixture
def sessions(empty_db_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(empty_db_url)
    maker = make_sessionmaker(engine)
    with transaction(maker) as s:
        upsert_regions(s, _tree(WEST, EAST))
    yield maker
    engine.dispose()


def _district(session: Session) -> str | None:
    found = locator_of(session).locate(115.25, 35.25)
    return found.district.code if found and found.district else None


def _every_user(session: Session) -> set[str | None]:
    """The district each user of the locator finds for a point in the west half."""
    return {
        _district(session),
        place(session, lon=115.25, lat=35.25, region_code=None).district_code,
        locate_point(es.locator_of(session), 115.25, 35.25).district_code,
        _code(reg.locate(locator_of(session), lon=115.25, lat=35.25).district),
    }


def _code(ref: RegionRef | None) -> str | None:
    return ref.code if ref else None


def test_a_changed_geometry_is_seen_by_the_next_locate(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as s:
        assert _every_user(s) == {"371702"}
        before = tree_version(s)
        cached = locator_of(s)
        assert locator_of(s) is cached  # no edit, no rebuild
        upsert_regions(s, _tree(EAST, WEST))  # same number of regions, swapped geometry
        assert tree_version(s) != before
        assert _every_user(s) == {"371703"}


def test_an_edit_from_elsewhere_counts_once_it_bumps_the_version(
    sessions: sessionmaker[Session],
) -> None:
    with transaction(sessions) as s:
        assert _district(s) == "371702"
        s.execute(update(Region).where(Region.code == "371702").values(geometry_wkt=EAST.wkt))
        s.execute(update(Region).where(Region.code == "371703").values(geometry_wkt=WEST.wkt))
        bump_tree_version(s)
        assert _district(s) == "371703"
