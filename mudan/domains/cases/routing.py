"""Location → grid → community → street → district (the kernel Locator), then rules → department.

A :class:`Router` holds every rule in memory; the deepest region of the point's chain that has a
rule for the category wins. No chain (outside Heze) or no rule → ``department_code`` is None and
the case waits in the manual dispatch queue.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.domains.cases.models import RoutingRule
from mudan.kernel.geo import CITY_CODE, LocateResult
from mudan.kernel.locator import locator_of
from mudan.kernel.models import Region


@dataclass(frozen=True)
class Placement:
    grid_code: str | None
    community_code: str | None
    street_code: str | None
    district_code: str | None
    region_path: str
    inside: bool

    @classmethod
    def of(cls, found: LocateResult | None, region_path: str | None = None) -> Placement:
        if found is None:
            return cls(None, None, None, None, region_path or CITY_CODE, region_path is not None)
        chain = [r.code for r in (found.district, found.street, found.community, found.grid) if r]
        return cls(
            found.grid.code if found.grid else None,
            found.community.code if found.community else None,
            found.street.code if found.street else None,
            found.district.code if found.district else None,
            "/".join([CITY_CODE, *chain]),
            True,
        )

    def chain_deepest_first(self) -> list[str]:
        return list(reversed(self.region_path.split("/"))) if self.inside else []


class Router:
    """In-memory routing table: (category, region code) → department code."""

    def __init__(self, rules: list[tuple[str, str, str]]) -> None:
        self._table = {(cat, region): dept for cat, region, dept in rules}

    @classmethod
    def load(cls, session: Session) -> Router:
        rows = session.execute(
            select(RoutingRule.category_code, RoutingRule.region_code, RoutingRule.department_code)
        )
        return cls([(c, r, d) for c, r, d in rows])

    def department(self, category_code: str, placement: Placement) -> str | None:
        for code in placement.chain_deepest_first():
            found = self._table.get((category_code, code))
            if found is not None:
                return found
        return None


def region_path_of(session: Session, region_code: str) -> str | None:
    return session.scalar(select(Region.path).where(Region.code == region_code))


def place(
    session: Session, *, lon: float | None, lat: float | None, region_code: str | None
) -> Placement:
    """Where a report is: by point when given, else by a known region code."""
    if lon is not None and lat is not None:
        return Placement.of(locator_of(session).locate(lon, lat))
    path = region_path_of(session, region_code) if region_code else None
    if path is None:
        return Placement.of(None)
    parts = [*path.split("/"), None, None, None, None]
    return Placement(
        grid_code=parts[4],
        community_code=parts[3],
        street_code=parts[2],
        district_code=parts[1],
        region_path=path,
        inside=True,
    )
