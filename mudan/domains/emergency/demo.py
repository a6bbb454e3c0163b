"""The emergency part of the Heze demo world: plans with roles and holders, resources in every
district (shelters, Yellow River flood materials in 东明县/鄄城县, fire and rescue teams,
vehicles), a duty roster around today, and two incidents (one closed and reviewed)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from mudan.core.workcal import CHINA_TZ
from mudan.demo.context import DemoContext
from mudan.domains.emergency import demo_data as D
from mudan.domains.emergency import service as es
from mudan.domains.emergency.enums import DutyPost, EventType, ResourceKind, Shift
from mudan.domains.emergency.models import DutyShift, Incident, Plan, Resource
from mudan.domains.emergency.schemas import (
    DutyIn,
    HolderIn,
    IncidentIn,
    PlanIn,
    PlanLevelIn,
    PlanRoleIn,
    ReportRuleIn,
    ResourceIn,
    ReviewIn,
)
from mudan.kernel.enums import Role
from mudan.kernel.models import Region
from mudan.kernel.rbac import Principal

DEMO_ACTOR = Principal(
    user_id=None, username="demo", display_name="demo", roles=frozenset({Role.ADMIN}),
    scope_paths=("3717",), via="demo",
)  # fmt: skip


def _person(rng: random.Random) -> tuple[str, str]:
    name = rng.choice(D.SURNAMES) + "".join(rng.choices(D.GIVEN, k=rng.choice((1, 2))))
    phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
    return name, phone


def build_emergency_world(ctx: DemoContext) -> None:
    rng = ctx.rng("emergency")
    with ctx.progress.task("应急：预案/资源/值班/事件", None) as task:
        _plans(ctx, rng)
        _resources(ctx, rng)
        _duty(ctx, rng)
        _incidents(ctx)
        task.advance(1)


def _plans(ctx: DemoContext, rng: random.Random) -> None:
    existing = set(ctx.session.scalars(select(Plan.code)))
    for code, name, kind, dept, summary in D.PLANS:
        holders = {role: [_person(rng) for _ in range(2)] for role, *_ in D.ROLES}
        if code in existing:
            continue
        roles = []
        for rcode, rname, rdept, lists in D.ROLES:
            people = [HolderIn(name=n, phone=p, channels=["sms"]) for n, p in holders[rcode]]
            if rcode == "commander":
                people[0].channels = ["sms", "voice"]
            if rcode == "duty":  # the operations centre's duty officer gets them in-app too
                people.append(HolderIn(name="刘洋", username="zhiban", channels=[]))
            roles.append(
                PlanRoleIn(
                    code=rcode, name=rname, department_code=dept if rdept == "lead" else rdept,
                    checklists={lv: list(items) for lv, items in lists.items()}, holders=people,
                )
            )  # fmt: skip
        levels = [
            PlanLevelIn(
                level=lv, criteria=D.CRITERIA[lv],
                reports=[ReportRuleIn(title=t, minutes=m) for t, m in D.REPORTS[lv]],
            )
            for lv in (1, 2, 3, 4)
        ]  # fmt: skip
        data = PlanIn(
            code=code, name=name, event_type=EventType(kind), department_code=dept,
            summary=summary, levels=levels, roles=roles,
        )  # fmt: skip
        es.create_plan(ctx.session, data=data, actor=DEMO_ACTOR)


def _resources(ctx: DemoContext, rng: random.Random) -> None:
    s = ctx.session
    streets = list(s.scalars(select(Region).where(Region.level == "street").order_by(Region.code)))
    districts = {
        r.code: r.name for r in s.scalars(select(Region).where(Region.level == "district"))
    }
    by_district: dict[str, list[Region]] = {}
    for st in streets:
        by_district.setdefault(st.parent_code or "", []).append(st)
    wanted: list[ResourceIn] = []
    for dcode in sorted(districts):
        towns = by_district.get(dcode, [])
        dname, owner = districts[dcode], f"{dcode}004"
        for i, st in enumerate(towns[: max(1, round(len(towns) * ctx.scale))]):
            wanted.append(ResourceIn(
                code=f"BN-{st.code}", name=f"{st.name}{rng.choice(D.SHELTER_KINDS)}应急避难场所",
                kind=ResourceKind.SHELTER, lon=st.lon or 0, lat=st.lat or 0,
                capacity=rng.randrange(20, 200) * 100, unit="人", owner_department_code=owner,
                contact=_person(rng)[0], note=f"{dname}第{i + 1}处",
            ))  # fmt: skip
        seat = towns[0]
        wanted.append(ResourceIn(
            code=f"XF-{dcode}", name=f"{dname}消防救援大队", kind=ResourceKind.TEAM,
            lon=seat.lon or 0, lat=seat.lat or 0, capacity=rng.randrange(30, 80), unit="人",
            owner_department_code="371700009", contact=_person(rng)[0],
        ))  # fmt: skip
        wanted.append(ResourceIn(
            code=f"CL-{dcode}", name=f"{dname}{rng.choice(D.VEHICLES)}", kind=ResourceKind.VEHICLE,
            lon=towns[-1].lon or 0, lat=towns[-1].lat or 0, capacity=rng.randrange(1, 6),
            unit="辆", owner_department_code=owner, contact=_person(rng)[0],
        ))  # fmt: skip
    for dcode, names in D.RIVER_TOWNS.items():
        for st in (x for x in by_district.get(dcode, []) if x.name in names):
            stock = "、".join(rng.sample(D.MATERIALS, 3))
            wanted.append(ResourceIn(
                code=f"WZ-{st.code}", name=f"黄河{st.name}防汛物资仓库", kind=ResourceKind.MATERIAL,
                lon=st.lon or 0, lat=st.lat or 0, capacity=rng.randrange(5, 50) * 1000, unit="件",
                owner_department_code=f"{dcode}004", contact=_person(rng)[0], note=stock,
            ))  # fmt: skip
    wanted.append(ResourceIn(
        code="WH-371728", name="东明石化园区危化品应急救援队", kind=ResourceKind.TEAM,
        lon=by_district["371728"][0].lon or 0, lat=by_district["371728"][0].lat or 0,
        capacity=45, unit="人", owner_department_code="371728004", contact=_person(rng)[0],
    ))  # fmt: skip
    have = set(s.scalars(select(Resource.code)))
    locator = es.locator_of(s)
    for item in wanted:
        if item.code not in have:
            es.create_resource(s, data=item, actor=DEMO_ACTOR, locator=locator)


def _duty(ctx: DemoContext, rng: random.Random) -> None:
    """Two weeks around today; who is on which shift depends only on the date."""
    pool = [_person(rng) for _ in range(12)]
    leaders = [_person(rng) for _ in range(5)]
    today = datetime.now(UTC).astimezone(CHINA_TZ).date()
    rows = ctx.session.execute(select(DutyShift.day, DutyShift.shift, DutyShift.post)).all()
    have = {tuple(r) for r in rows}
    for offset in range(-2, 12):
        day = today + timedelta(days=offset)
        n = day.toordinal()
        for k, shift in enumerate((Shift.DAY, Shift.NIGHT)):
            people: list[tuple[DutyPost, tuple[str, str], str | None]] = [
                (DutyPost.LEADER, leaders[n % len(leaders)], None),
                (DutyPost.OFFICER, pool[(2 * n + k) % len(pool)], None),
            ]
            if (n + k) % 3 == 0:
                people[1] = (DutyPost.OFFICER, ("刘洋", ""), "zhiban")
            for post, (name, phone), user in people:
                if (day, shift.value, post.value) in have:
                    continue
                data = DutyIn(day=day, shift=shift, post=post, name=name, username=user,
                              phone=phone, department_code="371700009")  # fmt: skip
                es.assign_duty(ctx.session, data=data, actor=DEMO_ACTOR)


def _incidents(ctx: DemoContext) -> None:
    s = ctx.session
    if s.scalar(select(Incident.id).where(Incident.source == "demo")) is not None:
        return
    _live_incident(ctx)
    river = s.scalar(select(Region).where(Region.name == "焦园乡"))
    if river is None or river.lon is None or river.lat is None:
        return
    t0 = datetime(2024, 7, 12, 6, 40, tzinfo=CHINA_TZ)
    data = IncidentIn(
        title="黄河东明段焦园乡滩区漫滩险情", event_type=EventType.FLOOD, lon=river.lon,
        lat=river.lat, description="黄河来水流量持续上涨，焦园乡滩区局部漫滩，需转移群众。",
    )  # fmt: skip
    locator = es.locator_of(s)
    inc = es.open_incident(s, data=data, actor=DEMO_ACTOR, locator=locator, now=t0,
                           source="demo", source_ref="demo:2024-flood").incident  # fmt: skip
    es.change_level(
        s, incident_id=inc.id, level=4, actor=DEMO_ACTOR, now=t0 + timedelta(minutes=12)
    )
    es.submit_report(s, incident_id=inc.id, content="首报：漫滩面积约 3 平方公里。",
                     actor=DEMO_ACTOR, now=t0 + timedelta(minutes=70))  # fmt: skip
    es.change_level(s, incident_id=inc.id, level=3, actor=DEMO_ACTOR,
                    reason="流量超 5000 立方米每秒", now=t0 + timedelta(hours=3))  # fmt: skip
    es.add_action(s, incident_id=inc.id, text="转移滩区群众 1260 人至县城避难场所",
                  actor=DEMO_ACTOR, now=t0 + timedelta(hours=4))  # fmt: skip
    es.submit_report(s, incident_id=inc.id, content="首报（Ⅲ级）：已转移群众 1260 人。",
                     actor=DEMO_ACTOR, now=t0 + timedelta(hours=3, minutes=50))  # fmt: skip
    es.close_incident(s, incident_id=inc.id, note="水位回落，群众返迁。", actor=DEMO_ACTOR,
                      now=t0 + timedelta(days=2))  # fmt: skip
    es.save_review(
        s, incident_id=inc.id, actor=DEMO_ACTOR, now=t0 + timedelta(days=5),
        data=ReviewIn(summary="滩区漫滩，Ⅳ级升至Ⅲ级响应，转移群众 1260 人，无人员伤亡。",
                      lessons="Ⅲ级续报晚于时限；滩区预警信息到户时间偏长。",
                      follow_ups=["滩区应急广播全覆盖", "续报提醒纳入值班系统"]),
    )  # fmt: skip


def _live_incident(ctx: DemoContext) -> None:
    """An open hazardous-chemicals incident from the top of the last hour, at Ⅲ级."""
    s = ctx.session
    town = s.scalar(select(Region).where(Region.name == "东明集镇"))
    if town is None or town.lon is None or town.lat is None:
        return
    t0 = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    data = IncidentIn(
        title="东明集镇危化品运输车辆侧翻泄漏", event_type=EventType.HAZCHEM, lon=town.lon,
        lat=town.lat, description="一辆液化石油气槽罐车侧翻，罐体轻微泄漏，周边 500 米需疏散。",
        level=3,
    )  # fmt: skip
    inc = es.open_incident(s, data=data, actor=DEMO_ACTOR, locator=es.locator_of(s), now=t0,
                           source="demo", source_ref="demo:live-hazchem").incident  # fmt: skip
    es.add_action(s, incident_id=inc.id, text="划定 500 米警戒区，疏散群众 320 人",
                  actor=DEMO_ACTOR, now=t0 + timedelta(minutes=25))  # fmt: skip
