"""The seed category set: 部件 and 事件 classes in the style of GB/T 30428 (城市管理部件和事件分类).

Codes are ``BJ``/``SJ`` + 2-digit 大类 + 2-digit 小类, following the standard's two-level grouping
(部件: 公用设施, 道路交通, 市容环境, 园林绿化, 其他设施; 事件: 市容环境, 宣传广告, 施工管理,
突发事件, 街面秩序, 其他事件). 矛盾纠纷 (SJ07xx) is this platform's extension for 矛盾纠纷多元化解;
it is not part of GB/T 30428. The codes are not the standard's own numbers, and the time limits
and departments are demo values a city replaces with its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from mudan.domains.cases.enums import CategoryKind, LimitUnit

COUNTY = "{district}"  # a district's own bureau: department code = district code + serial
DISTRICTS = (
    "371702",
    "371703",
    "371721",
    "371722",
    "371723",
    "371724",
    "371725",
    "371726",
    "371728",
)

CITY_URBAN = "371700003"  # 城市管理局
CITY_ECO = "371700004"
CITY_TRAFFIC = "371700008"
CITY_EMERGENCY = "371700009"
CITY_MARKET = "371700010"
CITY_HOUSING = "371700011"
CITY_WATER = "371700017"
CITY_POLICE = "371700002"
CITY_JUSTICE = "371700021"
CITY_DATA = "371700001"
COUNTY_DATA, COUNTY_POLICE, COUNTY_ENFORCE, COUNTY_EMERGENCY = "001", "002", "003", "004"


@dataclass(frozen=True)
class CategorySeed:
    code: str
    name: str
    group: str
    limit: int
    unit: LimitUnit
    city_department: str
    county_suffix: str | None = None  # route inside a district to that district's bureau
    keywords: str = ""

    @property
    def kind(self) -> CategoryKind:
        return CategoryKind.COMPONENT if self.code.startswith("BJ") else CategoryKind.EVENT

    @property
    def is_dispute(self) -> bool:
        return self.code.startswith("SJ07")


H, D = LimitUnit.HOURS, LimitUnit.WORKDAYS
SEEDS: tuple[CategorySeed, ...] = (
    CategorySeed("BJ0101", "上水井盖", "公用设施", 8, H, CITY_WATER, None, "井盖,缺失,破损"),
    CategorySeed("BJ0102", "污水井盖", "公用设施", 8, H, CITY_WATER),
    CategorySeed("BJ0103", "路灯", "公用设施", 3, D, CITY_URBAN, COUNTY_ENFORCE, "不亮"),
    CategorySeed("BJ0104", "消防栓", "公用设施", 2, D, CITY_EMERGENCY, COUNTY_EMERGENCY),
    CategorySeed("BJ0105", "视频监控设施", "公用设施", 3, D, CITY_DATA, COUNTY_DATA, "摄像机"),
    CategorySeed("BJ0201", "交通信号灯", "道路交通", 4, H, CITY_POLICE, COUNTY_POLICE),
    CategorySeed("BJ0202", "交通护栏", "道路交通", 3, D, CITY_TRAFFIC),
    CategorySeed("BJ0203", "道路破损", "道路交通", 5, D, CITY_HOUSING, None, "坑洼"),
    CategorySeed("BJ0301", "公共厕所", "市容环境", 2, D, CITY_URBAN, COUNTY_ENFORCE),
    CategorySeed("BJ0302", "垃圾箱", "市容环境", 1, D, CITY_URBAN, COUNTY_ENFORCE),
    CategorySeed("BJ0401", "行道树", "园林绿化", 3, D, CITY_URBAN, COUNTY_ENFORCE),
    CategorySeed("BJ0402", "绿地护栏", "园林绿化", 3, D, CITY_URBAN, COUNTY_ENFORCE),
    CategorySeed("SJ0101", "私搭乱建", "市容环境", 5, D, CITY_URBAN, COUNTY_ENFORCE, "违建"),
    CategorySeed("SJ0102", "暴露垃圾", "市容环境", 4, H, CITY_URBAN, COUNTY_ENFORCE, "垃圾"),
    CategorySeed("SJ0103", "积存垃圾渣土", "市容环境", 1, D, CITY_URBAN, COUNTY_ENFORCE),
    CategorySeed("SJ0104", "道路不洁", "市容环境", 4, H, CITY_URBAN, COUNTY_ENFORCE),
    CategorySeed("SJ0105", "水域不洁", "市容环境", 2, D, CITY_WATER),
    CategorySeed("SJ0106", "焚烧垃圾树叶", "市容环境", 2, H, CITY_ECO, None, "烟,焚烧"),
    CategorySeed("SJ0201", "违规张贴小广告", "宣传广告", 1, D, CITY_URBAN, COUNTY_ENFORCE),
    CategorySeed("SJ0202", "违规户外广告", "宣传广告", 5, D, CITY_URBAN, COUNTY_ENFORCE),
    CategorySeed("SJ0301", "施工扰民", "施工管理", 8, H, CITY_HOUSING, None, "噪音,夜间施工"),
    CategorySeed("SJ0302", "施工扬尘", "施工管理", 8, H, CITY_ECO),
    CategorySeed("SJ0303", "渣土车遗撒", "施工管理", 4, H, CITY_URBAN, COUNTY_ENFORCE),
    CategorySeed("SJ0401", "道路积水", "突发事件", 2, H, CITY_WATER, None, "内涝"),
    CategorySeed("SJ0402", "燃气泄漏", "突发事件", 1, H, CITY_EMERGENCY, COUNTY_EMERGENCY),
    CategorySeed("SJ0403", "环境污染", "突发事件", 4, H, CITY_ECO, None, "异味,排污"),
    CategorySeed("SJ0501", "店外经营", "街面秩序", 1, D, CITY_URBAN, COUNTY_ENFORCE, "占道"),
    CategorySeed("SJ0502", "无照经营游商", "街面秩序", 1, D, CITY_MARKET),
    CategorySeed("SJ0503", "非法停车", "街面秩序", 4, H, CITY_POLICE, COUNTY_POLICE),
    CategorySeed("SJ0601", "食品安全", "其他事件", 2, D, CITY_MARKET),
    CategorySeed("SJ0699", "其他事件", "其他事件", 5, D, CITY_URBAN),
    CategorySeed("SJ0701", "邻里纠纷", "矛盾纠纷", 10, D, CITY_JUSTICE, None, "调解"),
    CategorySeed("SJ0702", "婚姻家庭纠纷", "矛盾纠纷", 10, D, CITY_JUSTICE),
    CategorySeed("SJ0703", "物业纠纷", "矛盾纠纷", 10, D, CITY_HOUSING),
    CategorySeed("SJ0704", "劳资纠纷", "矛盾纠纷", 10, D, "371700014"),  # 人社局
    CategorySeed("SJ0705", "土地承包纠纷", "矛盾纠纷", 15, D, "371700018"),  # 农业农村局
)

#: Categories without any routing rule (always the manual dispatch queue).
UNROUTED = frozenset({"SJ0699"})


def routing_rules(seed: CategorySeed) -> list[tuple[str, str]]:
    """(region code, department code) rules for one category."""
    if seed.code in UNROUTED:
        return []
    rules = [("3717", seed.city_department)]
    if seed.county_suffix:
        rules += [(d, f"{d}{seed.county_suffix}") for d in DISTRICTS]
    return rules
