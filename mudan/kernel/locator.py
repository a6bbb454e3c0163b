"""The one point locator of each database, and its one invalidation rule.

Building a ``Locator`` takes seconds for the whole city, so each process keeps one per database
URL. It is rebuilt when the region tree's version changes: the row count (catches inserts and
deletes however they were made) and the counter that every edit through ``upsert_regions``
bumps (``regions.bump_tree_version``: a changed geometry, name or parent, from any process).
"""

from __future__ import annotations

import threading

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.kernel.geo import Locator
from mudan.kernel.models import Region, RegionTreeVersion
from mudan.kernel.regions import build_locator

_lock = threading.Lock()
_cache: dict[str, tuple[tuple[int, int], Locator]] = {}


def tree_version(session: Session) -> tuple[int, int]:
    """(number of regions, edit counter), read in one statement."""
    count = select(func.count()).select_from(Region).scalar_subquery()
    counter = select(RegionTreeVersion.version).where(RegionTreeVersion.id == 1).scalar_subquery()
    row = session.execute(select(count, counter)).one()
    return (int(row[0] or 0), int(row[1] or 0))


def locator_of(session: Session) -> Locator:
    """The point locator for the session's database, rebuilt when the region tree changed."""
    key = session.get_bind().engine.url.render_as_string(hide_password=True)
    version = tree_version(session)
    with _lock:
        cached = _cache.get(key)
        if cached is None or cached[0] != version:
            cached = _cache[key] = (version, build_locator(session))
    return cached[1]
