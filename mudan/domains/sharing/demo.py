"""Demo share requests: ``ctx.scaled(14000)`` over the past year — ~70% on 无条件 entries
(granted at once), the rest through provider and bureau review with a realistic mix of
approvals, rejections, requests for more information, a few late answers (so 及时共享率
lands near, not at, 99%) and some still open, one or two already overdue; the newest four are
planted so each demo approver has work waiting at any scale (``_plant``). Bulk-inserted
(Core), deterministic for the seed, idempotent. The synthetic history is on each request's
timeline but not in the audit chain (which records what really happened on this install).
County nodes (lake namespaces) are configured for the nine districts."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import Table, func, insert, select

from mudan.core.db import utcnow
from mudan.core.workcal import CHINA_TZ, WorkCalendar
from mudan.demo.context import DemoContext
from mudan.domains.catalog.models import CatalogEntry, CatalogItem
from mudan.domains.sharing.models import ShareEvent, ShareGrant, ShareRequest
from mudan.domains.sharing.returnflow.models import CountyNode
from mudan.domains.sharing.workflow.grants import REGION_COLUMNS
from mudan.kernel.calendar import load_calendar
from mudan.kernel.models import Department

FULL_REQUESTS = 14000
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
PURPOSES = (
    ("一网通办事项办理核验", "《山东省公共数据开放办法》"),
    ("社区网格化服务管理", "《山东省公共数据管理办法》第二十条"),
    ("市场主体信用监管", "《优化营商环境条例》"),
    ("城市运行监测分析", "《菏泽市城市大脑建设方案》"),
    ("应急救援资源调度", "《中华人民共和国突发事件应对法》"),
)
POLICE, COUNTY_NODE, BUREAU = "371700002", "371702001", "371700001"  # gaj, mudanqu, dsj
SYSTEMS = ("一网通办平台", "网格化治理平台", "信用菏泽平台", "城市运行管理平台", "应急指挥平台")


def _table(model: Any) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def build_sharing(ctx: DemoContext) -> None:
    session = ctx.session
    _nodes(ctx)
    if session.scalar(select(func.count()).select_from(ShareRequest)):
        return
    entries: list[Any] = list(
        session.execute(
            select(
                CatalogEntry.id,
                CatalogEntry.department_id,
                CatalogEntry.share_type,
                CatalogEntry.key_columns,
                CatalogEntry.code,
            )
            .where(
                CatalogEntry.version > 0,
                CatalogEntry.status == "published",
                CatalogEntry.share_type != "none",
            )
            .order_by(CatalogEntry.id)
        ).all()
    )
    depts = list(session.scalars(select(Department.id).order_by(Department.id)))
    if not entries or len(depts) < 2:
        return
    items: dict[int, list[tuple[str, str]]] = {}
    for eid, name, share in session.execute(
        select(CatalogItem.entry_id, CatalogItem.name, CatalogItem.share_type).order_by(
            CatalogItem.entry_id, CatalogItem.position
        )
    ):
        items.setdefault(eid, []).append((name, share))
    rng = ctx.rng("sharing")
    cal = load_calendar(session)
    now = utcnow()
    n = ctx.scaled(FULL_REQUESTS, minimum=20)
    plans = [_plan(rng, entries, items, depts, now, i, n) for i in range(n)]
    _plant(session, entries, items, plans, now)
    with ctx.progress.task("共享申请", n) as task:
        rows = [_request_row(cal, p, now) for p in plans]
        ids = list(
            session.scalars(
                insert(ShareRequest).returning(ShareRequest.id, sort_by_parameter_order=True),
                [r for r, _ in rows],
            )
        )
        events: list[dict[str, Any]] = []
        grants: list[dict[str, Any]] = []
        for rid, (row, evs), plan in zip(ids, rows, plans, strict=True):
            events += [{**e, "request_id": rid} for e in evs]
            if row["status"] == "approved":
                grants.append(_grant_row(rid, row, plan))
            task.advance()
        session.execute(insert(_table(ShareEvent)), events)
        if grants:
            session.execute(insert(_table(ShareGrant)), grants)
    session.flush()


def _nodes(ctx: DemoContext) -> None:
    from mudan.kernel.models import Region

    have = set(ctx.session.scalars(select(CountyNode.region_code)))
    for code in DISTRICTS:
        region = ctx.session.get(Region, code)
        if region is not None and code not in have:
            ctx.session.add(
                CountyNode(
                    region_code=code,
                    name=f"{region.name}节点",
                    target_kind="lake",
                    target=f"county_{code}",
                    enabled=True,
                )
            )


def _plan(
    rng: random.Random,
    entries: list[Any],
    items: dict[int, list[tuple[str, str]]],
    depts: list[int],
    now: datetime,
    i: int,
    n: int,
) -> dict[str, Any]:
    eid, provider, share, keys, code = entries[rng.randrange(len(entries))]
    requester = rng.choice([d for d in depts[:60] if d != provider] or depts)
    names = [nm for nm, s in items.get(eid, []) if s != "none"]
    chosen = (
        names
        if rng.random() < 0.6
        else sorted(rng.sample(names, max(1, len(names) // 2)))
        if names
        else []
    )
    conditional = share == "conditional" or any(
        s == "conditional" for nm, s in items.get(eid, []) if nm in chosen
    )
    # spread over the past year; the last few are still open
    created = now - timedelta(days=365 * (n - i) / n, minutes=rng.randrange(600))
    purpose, basis = rng.choice(PURPOSES)
    region_col = next((nm for nm in chosen if nm in REGION_COLUMNS), None)
    regions = [rng.choice(DISTRICTS)] if region_col and rng.random() < 0.3 else []
    roll = rng.random()
    outcome = "approved" if roll < 0.90 else "rejected" if roll < 0.96 else "needs_info"
    return {
        "entry_id": eid,
        "provider": provider,
        "requester": requester,
        "items": chosen,
        "conditional": conditional,
        "created": created,
        "purpose": purpose,
        "basis": basis,
        "regions": regions,
        "region_col": region_col,
        "outcome": outcome,
        "keys": keys,
        "late": rng.random() < 0.012,
        "dept_code": code,
        "system": rng.choice(SYSTEMS),
        "speed": rng.uniform(0.1, 0.9),
    }


def ev(
    at: datetime, kind: str, step: str | None, note: str = "", due: datetime | None = None
) -> dict[str, Any]:
    return {
        "at": at,
        "kind": kind,
        "step": step,
        "actor": "demo",
        "note": note,
        "due_at": due,
        "audit_id": None,
    }


def _due(cal: WorkCalendar, start: datetime, days: int) -> datetime:
    return cal.add_workdays(start.astimezone(CHINA_TZ), days).at.astimezone(UTC)


def _plant(
    session: Any,
    entries: list[Any],
    items: dict[int, list[tuple[str, str]]],
    plans: list[dict[str, Any]],
    now: datetime,
) -> None:
    """Make the newest few requests the open ones every demo approver has waiting, whatever the
    scale: two for the police bureau to review (one past its deadline), one for the big-data
    bureau, and one of the Mudan district node's asked for more information."""
    ids = {code: i for code, i in session.execute(select(Department.code, Department.id))}
    police, county, bureau = ids.get(POLICE), ids.get(COUNTY_NODE), ids.get(BUREAU)
    cond = [e for e in entries if e[2] == "conditional"]
    theirs = [e for e in cond if e[1] == police]
    others = [e for e in cond if e[1] not in (police, county)]
    if not theirs or not others or None in (county, bureau) or len(plans) < 8:
        return
    wanted = (  # kind, entry, requester, created
        ("provider_review", theirs[0], county, now - timedelta(days=30)),
        ("provider_review", theirs[-1], bureau, now - timedelta(hours=2)),
        ("bureau_review", others[0], police, now - timedelta(days=1)),
        ("needs_info", others[-1], county, now - timedelta(days=3)),
    )
    for k, (kind, entry, requester, created) in enumerate(wanted):
        eid, provider, _, keys, code = entry
        names = [nm for nm, share in items.get(eid, []) if share != "none"]
        old = plans[len(plans) - len(wanted) + k]
        old.update(
            entry_id=eid, provider=provider, requester=requester, items=names, keys=keys,
            conditional=True, created=created, regions=[], region_col=None, dept_code=code,
            planted=kind,
        )  # fmt: skip


def _planted_row(
    cal: WorkCalendar, p: dict[str, Any], base: dict[str, Any], now: datetime
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    created: datetime = p["created"]
    events = [ev(created, "submit", "provider")]
    if p["planted"] == "provider_review":
        due = _due(cal, created, 5)
        late = now > due
        base.update(status="provider_review", step="provider", step_started_at=created)
        base.update(due_at=due, overdue=late, answered_at=None)
        return base, [*events, *([ev(due, "overdue", "provider", due=due)] if late else [])]
    done = created + timedelta(hours=2)
    if p["planted"] == "bureau_review":
        base.update(status="bureau_review", step="bureau", step_started_at=done)
        base.update(due_at=_due(cal, done, 3), answered_at=None)
        return base, [*events, ev(done, "approve", "provider")]
    note = "请补充法律依据原文"
    base.update(status="needs_info", info_step="provider", note=note, answered_at=None)
    return base, [*events, ev(done, "ask_info", "provider", note)]


def _request_row(
    cal: WorkCalendar, p: dict[str, Any], now: datetime
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    created: datetime = p["created"]
    base = {
        "entry_id": p["entry_id"],
        "provider_department_id": p["provider"],
        "requester_department_id": p["requester"],
        "requested_by": "demo",
        "items": p["items"],
        "unmasked_items": [],
        "region_codes": p["regions"],
        "purpose": p["purpose"],
        "legal_basis": p["basis"],
        "period_start": created.date(),
        "period_end": (created + timedelta(days=365)).date(),
        "systems": [p["system"]],
        "conditional": p["conditional"],
        "info_step": None,
        "due_provisional": False,
        "reminded_at": None,
        "note": "",
        "created_at": created,
        "step_started_at": None,
        "due_at": None,
        "step": None,
        "overdue": False,
    }
    if p.get("planted"):
        return _planted_row(cal, p, base, now)
    if not p["conditional"]:
        base.update(status="approved", answered_at=created)
        return base, [ev(created, "submit", None), ev(created, "grant", None)]
    events = [ev(created, "submit", "provider")]
    due1 = _due(cal, created, 5)
    span1 = (due1 - created) * (1.4 if p["late"] else p["speed"])
    done1 = created + span1
    if done1 > now:  # still with the provider
        base.update(
            status="provider_review",
            step="provider",
            step_started_at=created,
            due_at=due1,
            overdue=now > due1,
            answered_at=None,
        )
        if now > due1:
            events.append(ev(due1, "overdue", "provider", due=due1))
        return base, events
    late = done1 > due1
    if late:
        events.append(ev(due1, "overdue", "provider", due=due1))
    if p["outcome"] == "rejected":
        base.update(
            status="rejected", answered_at=done1, note="用途与申请部门职责不符", overdue=late
        )
        return base, [*events, ev(done1, "reject", "provider", "用途与申请部门职责不符")]
    if p["outcome"] == "needs_info":
        base.update(
            status="needs_info",
            info_step="provider",
            note="请补充法律依据原文",
            answered_at=None,
            overdue=late,
        )
        return base, [*events, ev(done1, "ask_info", "provider", "请补充法律依据原文")]
    events.append(ev(done1, "approve", "provider"))
    due2 = _due(cal, done1, 3)
    done2 = done1 + (due2 - done1) * p["speed"]
    if done2 > now:
        base.update(
            status="bureau_review",
            step="bureau",
            step_started_at=done1,
            due_at=due2,
            overdue=late,
            answered_at=None,
        )
        return base, events
    base.update(status="approved", answered_at=done2, overdue=late)
    return base, [*events, ev(done2, "approve", "bureau"), ev(done2, "grant", None)]


def _grant_row(rid: int, row: dict[str, Any], p: dict[str, Any]) -> dict[str, Any]:
    end = datetime.combine(row["period_end"], time(23, 59, 59), tzinfo=CHINA_TZ).astimezone(UTC)
    return {
        "request_id": rid,
        "entry_id": p["entry_id"],
        "table_ref": f"d{p['dept_code'].split('-')[0]}.t{p['entry_id']}",
        "consumer_department_id": p["requester"],
        "items": p["items"],
        "unmasked_items": [],
        "region_column": p["region_col"] if p["regions"] else None,
        "region_codes": p["regions"],
        "purpose": p["purpose"],
        "valid_until": end,
        "rate_per_minute": 600,
        "client_user_id": None,
        "status": "active",
        "status_reason": "",
        "status_changed_by": "",
        "status_changed_at": None,
        "created_at": row["answered_at"],
    }
