"""The org part of the Heze demo world: regions, departments and one demo user per role."""

from __future__ import annotations

from sqlalchemy import select

from mudan.core.ids import gen_uscc
from mudan.demo.context import DemoContext
from mudan.kernel import identity as org
from mudan.kernel.enums import DepartmentLevel, Role
from mudan.kernel.geo import RegionLevel, generate_communities_and_grids, load_base_regions
from mudan.kernel.models import Department, User
from mudan.kernel.regions import upsert_regions

DEMO_PASSWORD = "Mudan@Heze2024"

CITY_DEPARTMENTS = (
    "大数据局",
    "公安局",
    "城市管理局",
    "生态环境局",
    "卫生健康委员会",
    "教育局",
    "民政局",
    "交通运输局",
    "应急管理局",
    "市场监督管理局",
    "住房和城乡建设局",
    "自然资源和规划局",
    "行政审批服务局",
    "人力资源和社会保障局",
    "医疗保障局",
    "文化和旅游局",
    "水务局",
    "农业农村局",
    "发展和改革委员会",
    "财政局",
    "司法局",
    "统计局",
)
COUNTY_BUREAUS = ("大数据中心", "公安分局", "综合行政执法局", "应急管理局", "行政审批服务局")
DISTRICTS = {
    "371702": "牡丹区",
    "371703": "定陶区",
    "371721": "曹县",
    "371722": "单县",
    "371723": "成武县",
    "371724": "巨野县",
    "371725": "郓城县",
    "371726": "鄄城县",
    "371728": "东明县",
}

# username, display name, role, department code, region code
DEMO_USERS = (
    ("admin", "系统管理员", Role.ADMIN, "371700001", None),
    ("dsj", "王敏（大数据局）", Role.BUREAU_OPERATOR, "371700001", None),
    ("gaj", "李强（公安局数据专员）", Role.DATA_OFFICER, "371700002", None),
    ("mudanqu", "张伟（牡丹区节点）", Role.COUNTY_OPERATOR, "371702001", "371702"),
    ("zhiban", "刘洋（运行中心值班）", Role.DUTY_OFFICER, "371700009", None),
    ("wangge", "陈静（东城街道网格员）", Role.GRID_WORKER, None, "371702001000"),
    ("kaohe", "赵磊（考核评价）", Role.EVALUATOR, "371700019", None),
)


def build_org_world(ctx: DemoContext) -> None:
    session = ctx.session
    base = load_base_regions()
    streets = [r for r in base if r.level == RegionLevel.STREET]
    per_street = max(1, round(6 * ctx.scale))
    per_community = max(1, round(4 * ctx.scale))
    with ctx.progress.task("区划：市/区县/街道/社区/网格", None) as task:
        small = generate_communities_and_grids(streets, ctx.seed, per_street, per_community)
        upsert_regions(session, [*base, *small])
        task.advance(len(base) + len(small))
    _departments(ctx)
    with ctx.progress.task("演示用户", len(DEMO_USERS)) as task:
        for username, name, role, dept, region in DEMO_USERS:
            if session.scalar(select(User.id).where(User.username == username)) is None:
                org.create_user(
                    session,
                    username=username,
                    display_name=name,
                    password=DEMO_PASSWORD,
                    department_code=dept,
                    bindings=[org.BindingIn(role, dept, region)],
                )
            task.advance()


def _departments(ctx: DemoContext) -> None:
    rng = ctx.rng("org.departments")
    wanted: list[tuple[str, str, str, str, str]] = []
    for i, name in enumerate(CITY_DEPARTMENTS, start=1):
        wanted.append((f"371700{i:03d}", f"菏泽市{name}", name, DepartmentLevel.CITY, "3717"))
    for code, district in DISTRICTS.items():
        for i, name in enumerate(COUNTY_BUREAUS, start=1):
            wanted.append(
                (f"{code}{i:03d}", f"{district}{name}", name, DepartmentLevel.COUNTY, code)
            )
    existing = set(ctx.session.scalars(select(Department.code)))
    with ctx.progress.task("部门", len(wanted)) as task:
        for code, name, short, level, region in wanted:
            uscc = gen_uscc(rng, region if len(region) == 6 else "371700", dept="1", org_type="1")
            if code not in existing:
                ctx.session.add(
                    Department(
                        code=code,
                        name=name,
                        short_name=short,
                        level=str(level),
                        region_code=region,
                        uscc=uscc,
                    )
                )
            task.advance()
    ctx.session.flush()
