"""Hooks of the iot domain."""

from __future__ import annotations

from datetime import timedelta
from importlib import resources
from typing import TYPE_CHECKING

from mudan.hooks import (
    IndicatorSpec,
    JobContext,
    MapLayer,
    NavEntry,
    PeriodicJob,
    hookimpl,
    make_plugin_manager,
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


def _sweep_nodata(ctx: JobContext) -> int:
    from mudan.domains.iot.rules import sweep_nodata

    pm = make_plugin_manager(ctx.settings.plugins_disabled, ctx.settings.plugins)
    return sweep_nodata(ctx.session, now=ctx.now, pm=pm)


def _flush(ctx: JobContext) -> str:
    """Hot readings to the lake (claimed batches, idempotent across crashes)."""
    from mudan.core.db import make_engine, make_sessionmaker
    from mudan.domains.iot.lakeflush import flush
    from mudan.lake.catalog import Lake

    ctx.session.rollback()  # the flush opens its own transactions around the lake commit
    engine = make_engine(ctx.settings.database.url)
    try:
        with Lake(db_url=ctx.settings.database.url, warehouse=ctx.settings.lake.warehouse) as lk:
            r = flush(make_sessionmaker(engine), lk)
    finally:
        engine.dispose()
    return f"{r.readings} readings → {r.rows} lake rows"


def _online_daily(ctx: JobContext) -> str:
    from mudan.domains.iot.online import summarise_missing

    done = summarise_missing(ctx.session, now=ctx.now)
    return ", ".join(d.isoformat() for d in done) or "up to date"


@hookimpl
def mudan_periodic_jobs() -> list[PeriodicJob]:
    return [
        PeriodicJob("iot.online_daily", "物联在线率日汇总", timedelta(hours=1), _online_daily),
        PeriodicJob("iot.sweep_nodata", "物联无数据规则", timedelta(minutes=5), _sweep_nodata),
        PeriodicJob("iot.flush", "遥测写入数据湖", timedelta(minutes=15), _flush),
    ]
