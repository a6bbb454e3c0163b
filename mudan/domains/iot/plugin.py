"""Hooks of the iot domain."""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

from mudan.hooks import IndicatorSpec, MapLayer, NavEntry, hookimpl

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter

    from mudan.demo.context import DemoContext


@hookimpl
def mudan_routers() -> list[APIRouter]:
    from mudan.domains.iot.pages import router as pages
    from mudan.domains.iot.sta import router as sta
    from mudan.domains.iot.views import router as api

    return [api, sta, pages]


@hookimpl
def mudan_template_dirs() -> list[str]:
    return [str(resources.files("mudan.domains.iot").joinpath("templates"))]


@hookimpl
def mudan_nav_entries() -> list[NavEntry]:
    return [
        NavEntry("sense", "iot.nav_devices", "/iot/devices", "iot.read", 10),
        NavEntry("sense", "iot.nav_online", "/iot/online", "iot.read", 11),
        NavEntry("sense", "iot.nav_dead", "/iot/dead-letters", "iot.read", 12),
    ]


@hookimpl
def mudan_indicators() -> list[IndicatorSpec]:
    from mudan.domains.iot.indicators import indicators

    return indicators()


@hookimpl
def mudan_map_layers() -> list[MapLayer]:
    from mudan.domains.iot.indicators import device_points

    return [
        MapLayer(
            "iot_devices",
            "iot.layer_devices",
            "point",
            "/api/v1/iot/devices",
            points=device_points,
            detail_href="/iot/devices/{id}",
        )
    ]


@hookimpl
def mudan_cli(app: typer.Typer) -> None:
    from mudan.domains.iot.cli import iot_app, simulate_app

    app.add_typer(iot_app, name="iot")
    app.add_typer(simulate_app, name="simulate")


@hookimpl
def mudan_demo(ctx: DemoContext) -> None:
    from mudan.domains.iot.demo import build_iot_world

    build_iot_world(ctx)
