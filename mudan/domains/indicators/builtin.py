"""The built-in indicator definitions, from Heze's published figures and targets (seeds 000/001:
14,300 catalogs, ~14,000 share requests at 99% on time, 2,669 open catalogs at 98% qualified,
445 data scenarios, 290,000 video channels at 95% online / 85% image retrieval, 170 smart
communities, 115 一件事 scenarios) and the city's vital signs.

Platform metrics bind to the ``IndicatorSpec`` code a domain registers; where no installed
domain provides that code the value says 暂无数据源 (never a made-up number).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.domains.indicators import defs
from mudan.domains.indicators.enums import Aggregation, FormulaKind, Frequency, Section
from mudan.domains.indicators.models import IndicatorDef
from mudan.domains.indicators.schemas import IndicatorIn, Thresholds
from mudan.hooks import IndicatorSpec

BUREAU = "371700001"  # 市大数据局 in the demo world
M, S = FormulaKind.METRIC, FormulaKind.SERIES


@dataclass(frozen=True)
class B:
    code: str
    name: str
    section: Section
    unit: str
    kind: FormulaKind
    formula: str
    target: float | None = None
    agg: Aggregation = Aggregation.SUM
    freq: Frequency = Frequency.DAILY
    higher: bool = True
    th: dict[str, float] = field(default_factory=dict)
    persist: int = 0
    hyst: float = 0.0
    cool: int = 0
    definition: str = ""
    level: str = "city"
    sources: tuple[str, ...] = ()


RATE = Aggregation.WEIGHTED
BUILTINS: tuple[B, ...] = (
    B(
        "data.catalogs",
        "数据目录数",
        Section.DATA,
        "个",
        M,
        "catalog.entries",
        14300,
        definition="市一体化大数据平台已编制的政务信息资源目录数",
    ),
    B(
        "data.records",
        "归集数据量",
        Section.DATA,
        "条",
        M,
        "ingest.records",
        12_500_000_000,
        definition="成功归集入湖的数据条数",
    ),
    B(
        "data.aggregation_rate",
        "汇聚率",
        Section.DATA,
        "%",
        M,
        "ingest.aggregation_rate",
        agg=RATE,
        definition="需归集目录中按更新周期按时归集的比例",
    ),
    B(
        "data.scenarios",
        "数据应用场景",
        Section.DATA,
        "个",
        M,
        "services.data_scenarios",
        445,
        definition="已上线的数据创新应用场景数",
    ),
    B(
        "share.requests",
        "共享申请数",
        Section.SHARE,
        "次",
        M,
        "share.requests",
        14000,
        definition="年度共享申请次数",
    ),
    B(
        "share.on_time_rate",
        "及时共享率",
        Section.SHARE,
        "%",
        M,
        "share.on_time_rate",
        99,
        agg=RATE,
        th={"yellow": 97, "orange": 95, "red": 90},
        hyst=0.5,
        definition="在办理时限内答复的共享申请占比",
    ),
    B(
        "open.catalogs",
        "开放目录数",
        Section.OPEN,
        "个",
        M,
        "opendata.open_catalogs",
        2669,
        definition="公共数据开放平台开放目录数",
    ),
    B(
        "open.qualified_rate",
        "开放合格率",
        Section.OPEN,
        "%",
        M,
        "opendata.qualification_rate",
        98,
        agg=RATE,
        th={"yellow": 95, "orange": 90},
        definition="开放数据集合格占比",
    ),
    B(
        "sense.video_channels",
        "视频资源路数",
        Section.SENSE,
        "路",
        M,
        "video.channels",
        290000,
        definition="市视频共享平台汇聚的视频通道数",
    ),
    B(
        "sense.video_online_rate",
        "视频在线率",
        Section.SENSE,
        "%",
        M,
        "video.online_rate",
        95,
        agg=RATE,
        th={"blue": 95, "yellow": 90, "orange": 85, "red": 80},
        hyst=1,
        cool=6,
        definition="重点视频通道在线占比",
    ),
    B(
        "sense.video_image_rate",
        "视频出图率",
        Section.SENSE,
        "%",
        M,
        "video.retrieved_rate",
        85,
        agg=RATE,
        th={"blue": 85, "yellow": 80, "orange": 75},
        hyst=1,
        cool=6,
        definition="抽检可正常取图的视频通道占比",
    ),
    B(
        "sense.iot_online",
        "物联感知终端接入数",
        Section.SENSE,
        "个",
        M,
        "iot.connected",
        definition="已接入平台的物联感知终端数（在线率见 iot.online_rate）",
    ),
    B(
        "govern.cases_on_time_rate",
        "事件按期办结率",
        Section.GOVERN,
        "%",
        M,
        "cases.ontime_rate",
        agg=RATE,
        definition="按工作日时限办结的事件占比",
    ),
    B(
        "service.smart_communities",
        "智慧社区数",
        Section.SERVICE,
        "个",
        M,
        "services.smart_communities",
        170,
        definition="基础型以上智慧社区数",
    ),
    B(
        "service.one_thing",
        "一件事场景数",
        Section.SERVICE,
        "个",
        M,
        "services.one_thing",
        115,
        definition="上线的一件事集成服务场景数",
    ),
    B(
        "env.aqi",
        "空气质量指数",
        Section.ENVIRONMENT,
        "",
        S,
        "aqi",
        100,
        Aggregation.AVG,
        Frequency.HOURLY,
        False,
        {"blue": 100, "yellow": 150, "orange": 200, "red": 300},
        persist=48,
        hyst=20,
        cool=12,
        level="district",
        definition="AQI（HJ 633-2012），区县小时均值；城市为区县平均",
        sources=("air_quality",),
    ),
    B(
        "env.pm25",
        "PM2.5浓度",
        Section.ENVIRONMENT,
        "μg/m³",
        S,
        "pm25",
        35,
        Aggregation.AVG,
        Frequency.HOURLY,
        False,
        {"blue": 75, "yellow": 115, "orange": 150, "red": 250},
        persist=24,
        hyst=10,
        cool=12,
        level="district",
        sources=("air_quality",),
        definition="细颗粒物小时均值（GB 3095-2012 二级年均限值 35）",
    ),
    B(
        "env.water_level",
        "河道水位",
        Section.ENVIRONMENT,
        "m",
        S,
        "water_level",
        None,
        Aggregation.MAX,
        Frequency.HOURLY,
        False,
        {"blue": 3.0, "yellow": 3.5, "orange": 4.0, "red": 4.5},
        persist=2,
        hyst=0.2,
        cool=6,
        level="district",
        sources=("hydrology",),
        definition="主要河道监测站小时最高水位",
    ),
    B(
        "city.population",
        "常住人口",
        Section.GOVERN,
        "万人",
        S,
        "population",
        agg=Aggregation.SUM,
        level="district",
        definition="区县常住人口（日更新）",
    ),
    B(
        "city.enterprises",
        "市场主体数",
        Section.GOVERN,
        "户",
        S,
        "enterprises",
        agg=Aggregation.SUM,
        level="district",
        definition="在册企业数",
    ),
    B(
        "city.parking_occupancy",
        "停车泊位占用率",
        Section.ENVIRONMENT,
        "%",
        S,
        "parking",
        agg=RATE,
        freq=Frequency.HOURLY,
        higher=False,
        th={"yellow": 90, "orange": 95},
        level="street",
        definition="公共停车场泊位占用率，按泊位数加权汇总街道→区县→全市",
    ),
)


def _spec_in(b: B) -> IndicatorIn:
    return IndicatorIn(
        code=b.code,
        name=b.name,
        section=b.section,
        definition=b.definition,
        unit=b.unit,
        kind=b.kind,
        formula=b.formula,
        aggregation=b.agg,
        frequency=b.freq,
        department_code=BUREAU,
        region_level=b.level,
        target=b.target,
        higher_is_better=b.higher,
        thresholds=Thresholds(**b.th),
        persistence_hours=b.persist,
        hysteresis=b.hyst,
        cooldown_hours=b.cool,
        source_datasets=list(b.sources),
        note="内置",
    )


def install(session: Session, *, extra_specs: list[IndicatorSpec] = ()) -> int:  # type: ignore[assignment]
    """Create the built-in definitions that do not exist yet (idempotent), plus one definition
    per domain metric that no definition binds yet. Returns how many were created."""
    have = set(session.scalars(select(IndicatorDef.code)))
    created = 0
    for order, b in enumerate(BUILTINS):
        if b.code not in have:
            defs.create_def(
                session, data=_spec_in(b), actor="system", lake=None, builtin=True, sort_order=order
            )
            created += 1
    bound = {b.formula for b in BUILTINS if b.kind is M}
    for spec in extra_specs:
        if spec.code in bound or spec.code in have:
            continue
        data = IndicatorIn(
            code=spec.code,
            name=spec.name[:100],
            section=Section(spec.section) if spec.section in set(Section) else Section.DATA,
            unit=spec.unit,
            kind=M,
            formula=spec.code,
            aggregation=RATE if spec.unit == "%" else Aggregation.SUM,
            target=spec.target,
            higher_is_better=spec.higher_is_better,
            note="由领域指标自动登记",
        )
        defs.create_def(session, data=data, actor="system", lake=None, sort_order=500)
        have.add(spec.code)
        created += 1
    return created


#: Units of the count indicators whose targets are Heze's real sizes (14,300 catalogs …).
COUNT_UNITS = frozenset({"个", "条", "次", "路"})


def scale_count_targets(session: Session, *, scale: float) -> int:
    """A demo world at ``--scale S`` holds S of Heze's things: compare its counts with the
    target × S and keep S (``target_scale``) so pages say so. Rates keep their targets; a
    target scaled once is left alone (idempotent). Returns how many targets were scaled."""
    if scale == 1:
        return 0
    rows = session.scalars(
        select(IndicatorDef).where(
            IndicatorDef.target.is_not(None), IndicatorDef.target_scale.is_(None)
        )
    )
    scaled = 0
    for ind in rows:
        if ind.unit in COUNT_UNITS and ind.target is not None:
            # unrounded (5 % of 445 is 22.25): the full target stays exact for the label
            ind.target, ind.target_scale = round(ind.target * scale, 6), scale
            scaled += 1
    session.flush()
    return scaled
