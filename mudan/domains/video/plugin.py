"""Hooks of the video domain: API and pages, navigation, indicators, map layer, CLI, demo."""

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
    from mudan.domains.video.pages import router as pages
    from mudan.domains.video.views import router as api

    return [api, pages]


@hookimpl
def mudan_template_dirs() -> list[str]:
    return [str(resources.files("mudan.domains.video").joinpath("templates"))]


@hookimpl
def mudan_nav_entries() -> list[NavEntry]:
    return [
        NavEntry("sense", "video.nav_channels", "/video", "video.read", 20),
        NavEntry("sense", "video.nav_rates", "/video/rates", "video.read", 21),
    ]


@hookimpl
def mudan_indicators() -> list[IndicatorSpec]:
    from mudan.domains.video.metrics import indicator_specs

    return indicator_specs()


@hookimpl
def mudan_map_layers() -> list[MapLayer]:
    from mudan.domains.video.metrics import channel_points

    return [
        MapLayer(
            "video.channels",
            "video.layer_channels",
            "point",
            "/api/v1/video/channels",
            "video.read",
            points=channel_points,
            detail_href="/video/channels/{id}",
        )
    ]


@hookimpl(trylast=True)  # after the IoT domain, so ``mudan simulate`` is shared, not replaced
def mudan_cli(app: typer.Typer) -> None:
    from mudan.domains.video.cli import attach

    attach(app)


@hookimpl
def mudan_demo(ctx: DemoContext) -> None:
    from mudan.domains.video.demo import build_video

    build_video(ctx)
