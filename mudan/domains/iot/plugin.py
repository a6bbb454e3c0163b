"""Hooks of the iot domain."""

from __future__ import annotations

from datetime import timedelta
from importlib import resources
from typing import TYPE_CHECKING

from mudan.hooks import (
    IndicatorSpec,
    MapLayer,
    NavEntry,
    PeriodicJob,
    hookimpl,
)

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
            "iot.read",
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


@hookimpl
def mudan_periodic_jobs() -> list[PeriodicJob]:
    from mudan.domains.iot import jobs

    return [
        PeriodicJob("iot.online_daily", "物联在线率日汇总", timedelta(hours=1), jobs.online_daily),
        PeriodicJob("iot.sweep_nodata", "物联无数据规则", timedelta(minutes=5), jobs.nodata_sweep),
        PeriodicJob("iot.flush", "遥测写入数据湖", timedelta(minutes=15), jobs.flush_to_lake),
    ]
