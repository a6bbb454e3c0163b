"""Hooks of the ops domain: big screen, one-map, layouts, live events, the demo point layer."""

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
    from mudan.domains.ops.map_views import router as map_api
    from mudan.domains.ops.pages import router as pages
    from mudan.domains.ops.views import router as api

    return [api, map_api, pages]


@hookimpl
def mudan_template_dirs() -> list[str]:
    return [str(resources.files("mudan.domains.ops").joinpath("templates"))]


@hookimpl
def mudan_nav_entries() -> list[NavEntry]:
    return [
        NavEntry("ops", "ops.nav_screen", "/ops/screen", "screen.view", 10),
        NavEntry("ops", "ops.nav_map", "/ops/map", "map.view", 20),
        NavEntry("ops", "ops.nav_layouts", "/ops/screens", "indicators.manage", 90),
    ]


@hookimpl
def mudan_map_layers() -> list[MapLayer]:
    from mudan.domains.ops.mapdata import DEMO_LAYER, demo_layer_points

    return [
        MapLayer(
            DEMO_LAYER,
            "ops.layer_demo",
            "point",
            f"/api/v1/ops/map/layers/{DEMO_LAYER}/clusters",
            "map.view",
            points=demo_layer_points,
            detail_href=f"/ops/map/points/{DEMO_LAYER}/{{id}}",
            scoped=False,  # synthetic points, no object behind them
        )
    ]


@hookimpl
def mudan_cli(app: typer.Typer) -> None:
    from mudan.domains.ops.cli import ops

    app.add_typer(ops, name="ops")


@hookimpl
def mudan_demo(ctx: DemoContext) -> None:
    from mudan.domains.ops.layouts import seed_defaults
    from mudan.domains.ops.mapdata import set_demo_points

    seed_defaults(ctx.session)
    set_demo_points(ctx.session, count=ctx.scaled(290_000), seed=ctx.seed)
