"""Region scoping for indicator values and alerts."""

from __future__ import annotations

from sqlalchemy.orm import Session

from mudan.core.errors import Forbidden
from mudan.kernel.rbac import Principal
from mudan.kernel.regions import get_region
from mudan.kernel.scope import Scope

CITY = "3717"


def check_region(session: Session, principal: Principal, code: str) -> None:
    """A principal reads values of regions in its scope and of the regions above it."""
    region = get_region(session, code=code)
    if not (principal.sees_path(region.path) or principal.sees_ancestor_of(region.path)):
        raise Forbidden("indicators.region_forbidden", code=code)


def alert_prefixes(principal: Principal) -> list[str] | None:
    """Region-code prefixes of the alerts a principal sees (None: all of them)."""
    scope = Scope.of(None, principal)
    return None if scope.whole_city else [p.rsplit("/", 1)[-1] for p in scope.paths]


def sees_alert_region(principal: Principal, region_code: str | None) -> bool:
    if region_code is None or region_code == CITY:
        return True  # city-wide alerts concern every district
    return Scope.of(None, principal).covers(region_code)
