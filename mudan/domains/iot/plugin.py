"""The IoT domain: terminals over MQTT, rules, online rate, SensorThings API, pages."""

from __future__ import annotations

from datetime import timedelta

from mudan.domain import Domain, lazy
from mudan.hooks import MapLayer, NavEntry, PeriodicJob

DOMAIN = Domain(
    name="iot",
    package="mudan.domains.iot",
    routers=(
        "mudan.domains.iot.views:router",
        "mudan.domains.iot.sta:router",
        "mudan.domains.iot.pages:router",
    ),
    templates=True,
    nav=(
        NavEntry("sense", "iot.nav_devices", "/iot/devices", "iot.read", 10),
        NavEntry("sense", "iot.nav_online", "/iot/online", "iot.read", 11),
        NavEntry("sense", "iot.nav_dead", "/iot/dead-letters", "iot.read", 12),
    ),
    permissions={
        "bureau_operator": frozenset({"iot.manage", "iot.read"}),
        "county_operator": frozenset({"iot.read"}),
        "duty_officer": frozenset({"iot.read"}),
        "system": frozenset({"iot.ingest"}),
    },
    indicators="mudan.domains.iot.indicators:indicators",
    map_layers=(
        MapLayer(
            "iot_devices",
            "iot.layer_devices",
            "point",
            "/api/v1/iot/devices",
            "iot.read",
            points=lazy("mudan.domains.iot.indicators:device_points"),
            detail_href="/iot/devices/{id}",
        ),
    ),
    cli=(
        ("iot", "mudan.domains.iot.cli:iot_app"),
        ("simulate", "mudan.domains.iot.cli:simulate_app"),
    ),
    demo="mudan.domains.iot.demo:build_iot_world",
    jobs=(
        PeriodicJob(
            "iot.online_daily",
            "物联在线率日汇总",
            timedelta(hours=1),
            lazy("mudan.domains.iot.jobs:online_daily"),
        ),
        PeriodicJob(
            "iot.sweep_nodata",
            "物联无数据规则",
            timedelta(minutes=5),
            lazy("mudan.domains.iot.jobs:nodata_sweep"),
        ),
        PeriodicJob(
            "iot.flush",
            "遥测写入数据湖",
            timedelta(minutes=15),
            lazy("mudan.domains.iot.jobs:flush_to_lake"),
        ),
    ),
)
