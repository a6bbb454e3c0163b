"""Where things are: resolving a point with the kernel's ``Locator`` (``mudan.kernel.locator``),
great-circle distances, and the actor type of the service."""

from __future__ import annotations

import math
from dataclasses import dataclass

from mudan.core.errors import InvalidInput
from mudan.kernel.geo import Locator
from mudan.kernel.rbac import Principal

Actor = Principal
EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class Where:
    district_code: str | None
    street_code: str | None
    region_path: str
    district_name: str = ""
    street_name: str = ""


def locate_point(locator: Locator, lon: float, lat: float) -> Where:
    """Resolve a point inside Heze; a point outside every region is bad input."""
    found = locator.locate(lon, lat)
    if found is None:
        raise InvalidInput("emergency.outside_city", lon=lon, lat=lat)
    chain = [found.city, found.district, found.street, found.community, found.grid]
    return Where(
        district_code=found.district.code if found.district else None,
        street_code=found.street.code if found.street else None,
        region_path="/".join(r.code for r in chain if r is not None),
        district_name=found.district.name if found.district else "",
        street_name=found.street.name if found.street else "",
    )


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def sees(principal: Principal, region_path: str) -> bool:
    return principal.sees_path(region_path)
