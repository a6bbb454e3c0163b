"""The org domain: regions, departments and users — their API, pages, map layers, CLI, demo."""

from __future__ import annotations

from mudan.domain import Domain
from mudan.hooks import MapLayer, NavEntry

_GEOJSON = "/api/v1/regions/3717/geojson?level="

DOMAIN = Domain(
    name="org",
    package="mudan.domains.org",
    routers=(
        "mudan.domains.org.views:router",
        "mudan.domains.org.calendar_views:router",
        "mudan.domains.org.pages:router",
    ),
    templates=True,
    nav=(
        NavEntry("admin", "ui.regions", "/admin/regions", "regions.read", 10),
        NavEntry("admin", "ui.departments", "/admin/departments", "org.read", 20),
        NavEntry("admin", "ui.users", "/admin/users", "org.admin", 30),
    ),
    map_layers=(
        MapLayer("districts", "level.district", "polygon", _GEOJSON + "district", "regions.read"),
        MapLayer("streets", "level.street", "polygon", _GEOJSON + "street", "regions.read"),
        MapLayer("grids", "level.grid", "polygon", _GEOJSON + "grid", "regions.read"),
    ),
    cli=(("users", "mudan.domains.org.cli:users"), ("regions", "mudan.domains.org.cli:regions")),
    demo="mudan.domains.org.demo:build_org_world",
    demo_when="first",  # the org world comes first: every other domain builds on it
)
