"""The built-in topic screens (used until an admin saves their own layout)."""

from __future__ import annotations

from typing import Any

from mudan.domains.ops.enums import PanelKind as K
from mudan.domains.ops.enums import Section as S
from mudan.domains.ops.schemas import PanelIn, ScreenIn


def _p(
    kind: K, title: str, section: S, codes: list[str], box: tuple[int, int, int, int], **opt: Any
) -> PanelIn:
    x, y, w, h = box
    return PanelIn(
        kind=kind, title=title, section=section, codes=codes, x=x, y=y, w=w, h=h, options=opt
    )


def default_screens() -> list[ScreenIn]:
    overview = ScreenIn(
        code="overview",
        title="一屏观全市",
        position=0,
        panels=[
            _p(K.PLATFORM, "数据中台", S.DATA, [], (0, 0, 6, 4)),
            _p(
                K.KPI,
                "城市感知",
                S.SENSE,
                ["sense.video_online_rate", "sense.video_image_rate", "sense.iot_online"],
                (0, 4, 6, 4),
            ),
            _p(
                K.KPI,
                "城市治理",
                S.GOVERN,
                ["govern.cases_on_time_rate", "share.on_time_rate"],
                (0, 8, 6, 4),
            ),
            _p(K.MAP, "菏泽市", S.OPS, ["env.aqi"], (6, 0, 12, 8)),
            _p(K.ALERTS, "预警", S.OPS, [], (6, 8, 12, 4)),
            _p(
                K.KPI,
                "惠民服务",
                S.SERVICE,
                ["service.one_thing", "service.smart_communities"],
                (18, 0, 6, 4),
            ),
            _p(K.RANKING, "空气质量（AQI）", S.ENVIRONMENT, ["env.aqi"], (18, 4, 6, 4)),
            _p(K.TREND, "PM2.5 趋势", S.ENVIRONMENT, ["env.pm25"], (18, 8, 6, 4), days=30),
        ],
    )
    data = ScreenIn(
        code="data",
        title="数据中台",
        position=1,
        panels=[
            _p(K.PLATFORM, "目录与归集", S.DATA, [], (0, 0, 8, 6)),
            _p(
                K.KPI,
                "共享与开放",
                S.DATA,
                ["share.requests", "share.on_time_rate", "open.catalogs", "open.qualified_rate"],
                (8, 0, 8, 6),
            ),
            _p(
                K.KPI,
                "数据资源",
                S.DATA,
                ["data.catalogs", "data.records", "data.scenarios"],
                (16, 0, 8, 6),
            ),
            _p(K.TREND, "及时共享率", S.DATA, ["share.on_time_rate"], (0, 6, 12, 6), days=90),
            _p(K.ALERTS, "预警", S.OPS, [], (12, 6, 12, 6)),
        ],
    )
    environment = ScreenIn(
        code="environment",
        title="生态环境",
        position=2,
        panels=[
            _p(K.MAP, "PM2.5 分布", S.ENVIRONMENT, ["env.pm25"], (0, 0, 14, 12)),
            _p(
                K.KPI,
                "城市体征",
                S.ENVIRONMENT,
                ["env.aqi", "env.pm25", "env.water_level", "city.parking_occupancy"],
                (14, 0, 10, 4),
            ),
            _p(K.RANKING, "各区县 PM2.5", S.ENVIRONMENT, ["env.pm25"], (14, 4, 10, 4)),
            _p(K.TREND, "AQI 趋势", S.ENVIRONMENT, ["env.aqi"], (14, 8, 10, 4), days=30),
        ],
    )
    return [overview, data, environment]
