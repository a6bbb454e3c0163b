"""Demo data: the category set, users for the new roles and a realistic mix of cases.

Cases are spread over the last 30 days before today (midnight UTC, so a run is deterministic
within a day): most closed with a 回访, some in progress, some parked, returned, overdue and
escalated; a few duplicates merged. ``--scale 1`` makes 3,000 cases.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.workcal import WorkCalendar
from mudan.demo.context import DemoContext
from mudan.domains.cases import service as cs
from mudan.domains.cases.enums import Action, CaseState, Channel, Mediation
from mudan.domains.cases.models import Case, CaseCategory
from mudan.domains.cases.routing import Router
from mudan.kernel import identity as org
from mudan.kernel.calendar import load_calendar
from mudan.kernel.enums import Role
from mudan.kernel.models import Region, User
from mudan.kernel.rbac import Principal

DEMO_PASSWORD = "Mudan@Heze2024"
# username, display name, role, department, region
USERS = (
    ("hotline", "孙丽（12345 话务员）", Role.CALL_TAKER, None, None),
    ("paidan", "周斌（派遣员）", Role.DISPATCHER, None, None),
    ("chuzhi", "吴刚（牡丹区综合行政执法局）", Role.HANDLER, "371702003", None),
    ("chengguan", "郑洁（市城市管理局）", Role.HANDLER, "371700003", None),
)
GRID_WORKER, GRID_WORKER_STREET = "wangge", "371702001000"  # 东城街道 (org demo users)
GRID_WORKER_REPORTS = (  # category, title, days before today, department to dispatch to by hand
    ("BJ0103", "路灯不亮", 15, None),  # routed to 牡丹区综合行政执法局 (371702003) at intake
    ("SJ0699", "楼道堆放杂物", 1, None),  # no routing rule: the manual dispatch queue
    ("SJ0699", "共享单车占用盲道", 2, "371700003"),  # 市城市管理局
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚"
STREETS = ("中华路", "人民路", "长江路", "丹阳路", "八一路", "青年路", "双河路", "牡丹路")


def _users(ctx: DemoContext) -> None:
    for username, name, role, dept, region in USERS:
        if ctx.session.scalar(select(User.id).where(User.username == username)) is None:
            org.create_user(
                ctx.session,
                username=username,
                display_name=name,
                password=DEMO_PASSWORD,
                department_code=dept,
                bindings=[org.BindingIn(role, dept, region)],
            )


def build_cases_demo(ctx: DemoContext) -> None:
    session = ctx.session
    cs.seed_categories(session)
    _users(ctx)
    if session.scalar(select(Case.id).limit(1)) is not None:
        return
    rng = ctx.rng("cases")
    grids = (
        session.execute(
            select(Region.lon, Region.lat)
            .where(Region.level == "grid", Region.code.like("371702%"))
            .order_by(Region.code)
        ).all()
        or session.execute(
            select(Region.lon, Region.lat).where(Region.level == "grid").order_by(Region.code)
        ).all()
    )
    cats = list(session.scalars(select(CaseCategory).order_by(CaseCategory.code)))
    cal, router = load_calendar(session), Router.load(session)
    boss = Principal(
        user_id=None,
        username="paidan",
        display_name="派遣员",
        roles=frozenset({Role.ADMIN}),
        via="demo",
    )
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    total = ctx.scaled(3000, minimum=30)
    made: list[Case] = []
    with ctx.progress.task("事件工单", total) as task:
        for i in range(total):
            cat = rng.choice(cats)
            glon, glat = rng.choice(grids)
            lon, lat = float(glon or 0), float(glat or 0)
            lon, lat = lon + rng.uniform(-0.002, 0.002), lat + rng.uniform(-0.002, 0.002)
            if made and rng.random() < 0.05:  # a second caller about the same thing
                prev = made[-1]
                cat = session.get(CaseCategory, prev.category_code) or cat
                lon, lat = (prev.lon or lon) + 0.0001, (prev.lat or lat) + 0.0001
            created = today - timedelta(days=30 * (1 - i / total), minutes=rng.randint(0, 600))
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["", *GIVEN])
            case = cs.intake(
                session,
                data=cs.IntakeIn(
                    channel=rng.choice(list(Channel)[:4]),
                    category_code=cat.code,
                    title=f"{rng.choice(STREETS)}{cat.name}",
                    description=f"群众反映：{cat.name}",
                    lon=lon,
                    lat=lat,
                    address=f"菏泽市{rng.choice(STREETS)}{rng.randint(1, 999)}号",
                    reporter_name=name,
                    reporter_phone=f"13{rng.randint(100000000, 999999999)}",
                ),
                actor="hotline",
                router=router,
                calendar=cal,
                now=created,
            )
            made.append(case)
            roll = rng.random()
            if (today - created).days > 5:  # older cases are mostly done by now
                roll = 0.6 + 0.4 * roll
            _progress(session, case, cat, boss, roll, created, rng)
            task.advance()
    _grid_worker_reports(session, boss, today, cal, router)
    for case in made:
        if case.suggested_merge_id and case.state not in (CaseState.CLOSED, CaseState.MERGED):
            into = session.get(Case, case.suggested_merge_id)
            if into is not None and into.state not in (CaseState.CLOSED, CaseState.MERGED):
                cs.merge(session, case=case, into=into, principal=boss)
    cs.supervise(session, calendar=cal)


def _grid_worker_reports(
    session: Session,
    boss: Principal,
    today: datetime,
    cal: WorkCalendar,
    router: Router,
) -> None:
    """Reports of the demo grid worker in their street, whatever the scale, so every role of the
    loop has work waiting: one dispatched to the district's enforcement bureau and past its limit
    (chuzhi; overdue in wangge's, mudanqu's and the city's area), one waiting for manual dispatch
    (paidan, zhiban) and one dispatched by hand to the city's urban-management bureau
    (chengguan)."""
    points = session.execute(
        select(Region.lon, Region.lat)
        .where(Region.level == "grid", Region.code.like(GRID_WORKER_STREET[:9] + "%"))
        .order_by(Region.code)
    ).all()
    if not points:
        return
    for k, (code, title, days, dispatch_to) in enumerate(GRID_WORKER_REPORTS):
        lon, lat = points[(k * 3) % len(points)]
        case = cs.intake(
            session,
            data=cs.IntakeIn(
                channel=Channel.GRID,
                category_code=code,
                title=title,
                description=f"网格员巡查发现：{title}",
                lon=float(lon or 0),
                lat=float(lat or 0),
                address=f"菏泽市牡丹区东城街道{STREETS[k]}",
                reporter_name="陈静",
                reporter_account=GRID_WORKER,
            ),
            actor=GRID_WORKER,
            router=router,
            calendar=cal,
            now=today - timedelta(days=days) + timedelta(hours=9),
        )
        if dispatch_to:
            at = case.created_at + timedelta(minutes=30)
            for action in (Action.REGISTER, Action.DISPATCH):
                data = cs.ActIn(action=action, department_code=dispatch_to)
                cs.act(session, case=case, data=data, principal=boss, now=at)


def _progress(
    session: Session,
    case: Case,
    cat: CaseCategory,
    boss: Principal,
    roll: float,
    created: datetime,
    rng: random.Random,
) -> None:
    def step(action: Action, minutes: int, **kw: Any) -> None:
        cs.act(
            session,
            case=case,
            data=cs.ActIn(action=action, **kw),
            principal=boss,
            now=created + timedelta(minutes=minutes),
        )

    if case.state == CaseState.RECEIVED:
        if roll < 0.7:
            return  # the manual dispatch queue
        step(Action.REGISTER, 20)
        return
    if roll < 0.15:
        return
    if roll < 0.2:
        step(Action.RETURN, 40, note="非本部门职责")
        return
    step(Action.ACCEPT, 30)
    if roll < 0.3:
        return
    if roll < 0.33:
        step(Action.PARK, 60, note="需协调资金，暂缓处置")
        return
    mediation = rng.choice(list(Mediation)) if cat.is_dispute else None
    minutes = rng.randint(60, 60 * 24 * 4)
    if created + timedelta(minutes=minutes + 60) > datetime.now(UTC):
        return
    step(Action.REPORT, minutes, note="已处置完毕", mediation=mediation)
    if roll < 0.4:
        return
    step(Action.CLOSE, minutes + 60, note="核查属实，予以结案")
    case.satisfaction = rng.choices([5, 4, 3, 2, 1], weights=[60, 25, 8, 4, 3])[0]
