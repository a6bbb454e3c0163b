"""The ops domain: big screen, one-map, layouts, live events, the demo point layer."""

from __future__ import annotations

from mudan.domain import Domain, lazy
from mudan.domains.ops.enums import DEMO_LAYER
from mudan.hooks import MapLayer, NavEntry

DOMAIN = Domain(
    name="ops",
    package="mudan.domains.ops",
    routers=(
        "mudan.domains.ops.views:router",
        "mudan.domains.ops.map_views:router",
        "mudan.domains.ops.pages:router",
    ),
    templates=True,
    nav=(
        NavEntry("ops", "ops.nav_screen", "/ops/screen", "screen.view", 10),
        NavEntry("ops", "ops.nav_map", "/ops/map", "map.view", 20),
        NavEntry("ops", "ops.nav_layouts", "/ops/screens", "indicators.manage", 90),
    ),
    map_layers=(
        MapLayer(
            DEMO_LAYER,
            "ops.layer_demo",
            "point",
            f"/api/v1/ops/map/layers/{DEMO_LAYER}/clusters",
            "map.view",
            points=lazy("mudan.domains.ops.mapdata:demo_layer_points"),
            detail_href=f"/ops/map/points/{DEMO_LAYER}/{{id}}",
            scoped=False,  # synthetic points, no object behind them
        ),
    ),
    cli=(("ops", "mudan.domains.ops.cli:ops"),),
    demo="mudan.domains.ops.demo:build_ops_demo",
)
