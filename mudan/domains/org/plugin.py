"""The org domain's hooks: routes, pages, navigation, CLI and demo data."""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

from mudan.hooks import MapLayer, NavEntry, hookimpl

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter

    from mudan.demo.context import DemoContext


@hookimpl
def mudan_routers() -> list[APIRouter]:
    from mudan.domains.org.calendar_views import router as calendar
    from mudan.domains.org.pages import router as pages
    from mudan.domains.org.views import router as api

    return [api, calendar, pages]


@hookimpl
def mudan_template_dirs() -> list[str]:
    return [str(resources.files("mudan.domains.org").joinpath("templates"))]


@hookimpl
def mudan_nav_entries() -> list[NavEntry]:
    return [
        NavEntry("admin", "ui.regions", "/admin/regions", "regions.read", 10),
        NavEntry("admin", "ui.departments", "/admin/departments", "org.read", 20),
        NavEntry("admin", "ui.users", "/admin/users", "org.admin", 30),
    ]


@hookimpl
def mudan_map_layers() -> list[MapLayer]:
    base = "/api/v1/regions/3717/geojson?level="
    return [
        MapLayer("districts", "level.district", "polygon", base + "district", "regions.read"),
        MapLayer("streets", "level.street", "polygon", base + "street", "regions.read"),
        MapLayer("grids", "level.grid", "polygon", base + "grid", "regions.read"),
    ]


@hookimpl
def mudan_cli(app: typer.Typer) -> None:
    from mudan.domains.org.cli import regions, users

    app.add_typer(users, name="users")
    app.add_typer(regions, name="regions")


@hookimpl(tryfirst=True)  # the org world comes first: every other domain builds on it
def mudan_demo(ctx: DemoContext) -> None:
    from mudan.domains.org.demo import build_org_world

    build_org_world(ctx)
