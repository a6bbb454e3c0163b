"""Vectorised point → grid/community/street/district for many devices at once.

The org ``Locator`` answers one point at a time; registering 2,000,000 terminals needs one
``STRtree.query`` over all points. Grids partition communities, streets and districts, so the
grid decides and the rest of the chain follows the ``parent_code`` links (same rule as the org
locator: a point on a shared boundary goes to the lower code).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely import wkt
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.kernel.models import Region

LEVELS = ("grid", "community", "street", "district")


@dataclass(frozen=True)
class Chain:
    grid: str | None
    community: str | None
    street: str | None
    district: str | None


class GridIndex:
    def __init__(self, session: Session) -> None:
        rows = session.execute(
            select(Region.code, Region.level, Region.parent_code, Region.geometry_wkt)
        ).all()
        self.parent = {code: parent for code, _, parent, _ in rows}
        self.level = {code: level for code, level, _, _ in rows}
        for leaf in ("grid", "community", "street"):
            leaves = sorted((c, g) for c, lv, _, g in rows if lv == leaf and g)
            if leaves:
                break
        self.codes = [c for c, _ in leaves]
        geoms = np.array([wkt.loads(g) for _, g in leaves], dtype=object)
        shapely.prepare(geoms)
        self.tree = shapely.STRtree(geoms)
        self._chains: dict[str, Chain] = {}

    def chain(self, code: str) -> Chain:
        found = self._chains.get(code)
        if found is None:
            refs: dict[str, str | None] = dict.fromkeys(LEVELS)
            current: str | None = code
            while current is not None:
                lv = self.level.get(current)
                key = "district" if lv == "zone" else lv
                if key in refs and refs[key] is None:
                    refs[key] = current
                current = self.parent.get(current)
            found = self._chains[code] = Chain(**refs)
        return found

    def locate(self, lons: np.ndarray, lats: np.ndarray) -> list[Chain | None]:
        """One chain per point (None outside every grid)."""
        n = len(lons)
        if n == 0 or not self.codes:
            return [None] * n
        pts = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
        pairs = self.tree.query(pts, predicate="intersects")
        best = np.full(n, -1, dtype=np.int64)
        if pairs.shape[1]:
            order = np.lexsort((pairs[1], pairs[0]))  # by point, then lowest code first
            src, dst = pairs[0][order], pairs[1][order]
            first = np.ones(len(src), dtype=bool)
            first[1:] = src[1:] != src[:-1]
            best[src[first]] = dst[first]
        return [self.chain(self.codes[i]) if i >= 0 else None for i in best.tolist()]
