"""The video domain: channels, status and rates (在线率/出图率), pages, map layer, CLI, demo."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mudan.domain import Domain, lazy
from mudan.hooks import MapLayer, NavEntry, hookimpl

if TYPE_CHECKING:
    import typer

DOMAIN = Domain(
    name="video",
    package="mudan.domains.video",
    routers=("mudan.domains.video.views:router", "mudan.domains.video.pages:router"),
    templates=True,
    nav=(
        NavEntry("sense", "video.nav_channels", "/video", "video.read", 20),
        NavEntry("sense", "video.nav_rates", "/video/rates", "video.read", 21),
    ),
    indicators="mudan.domains.video.metrics:indicator_specs",
    map_layers=(
        MapLayer(
            "video.channels",
            "video.layer_channels",
            "point",
            "/api/v1/video/channels",
            "video.read",
            points=lazy("mudan.domains.video.metrics:channel_points"),
            detail_href="/video/channels/{id}",
        ),
    ),
    demo="mudan.domains.video.demo:build_video",
)


@hookimpl(trylast=True)  # after the IoT domain, so ``mudan simulate`` is shared, not replaced
def mudan_cli(app: typer.Typer) -> None:
    from mudan.domains.video.cli import attach

    attach(app)
