"""The catalog part of the Heze demo world: ``ctx.scaled(14300)`` entries, ~85% published, and
2,669 of 14,300 published with an open type (无条件/有条件开放), the seed's 开放目录数, so the
portal's datasets follow from the catalog. Bulk-inserted; deterministic for the seed; idempotent."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Table, func, insert, select

from mudan.core.db import utcnow
from mudan.demo.context import DemoContext
from mudan.domains.catalog import demo_vocab as v
from mudan.domains.catalog.codes import CATEGORY_CODES, theme_code
from mudan.domains.catalog.models import CatalogEntry, CatalogItem, CatalogVersion
from mudan.domains.catalog.schemas import EntryOut
from mudan.kernel.models import Department

FULL_ENTRIES, FULL_OPEN = 14300, 2669
DISTRICT_NAMES = {
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


def build_catalog(ctx: DemoContext) -> None:
    session = ctx.session
    if session.scalar(select(func.count()).select_from(CatalogEntry)):
        return  # idempotent: the catalog is built once per world
    depts = [d for d in session.scalars(select(Department).order_by(Department.code))]
    depts = [d for d in depts if d.short_name in v.DEPARTMENT_THEMES]
    if not depts:
        return
    rng = ctx.rng("catalog")
    n = ctx.scaled(FULL_ENTRIES)
    plans = [_plan(rng, depts[i % len(depts)]) for i in range(n)]
    # open catalogs are published ones (a draft or withdrawn entry is not on the portal)
    openable = [
        i
        for i, p in enumerate(plans)
        if p["kind"] not in ("person", "licence") and p["status"] == "published"
    ]
    k = min(len(openable), open_count(n))
    for i in rng.sample(openable, k):
        plans[i]["open"] = True
    seqs: dict[str, int] = {}
    rows = [_entry_row(rng, p, seqs) for p in plans]
    with ctx.progress.task("数据目录", n) as task:
        ids = list(
            session.scalars(
                insert(CatalogEntry).returning(CatalogEntry.id, sort_by_parameter_order=True),
                rows,
            )
        )
        items: list[dict[str, Any]] = []
        versions: list[dict[str, Any]] = []
        for entry_id, row, plan in zip(ids, rows, plans, strict=True):
            entry_items = _items(plan, row)
            items += [{"entry_id": entry_id, **it} for it in entry_items]
            if row["version"]:
                snap = _snapshot(entry_id, row, plan["dept"], entry_items)
                for ver in range(1, row["version"] + 1):
                    versions.append(
                        {
                            "entry_id": entry_id,
                            "version": ver,
                            "snapshot": {**snap, "version": ver, "status": "published"},
                            "published_at": utcnow(),
                            "published_by": "dsj",
                        }
                    )
            task.advance()
        session.execute(insert(_table(CatalogItem)), items)
        if versions:
            session.execute(insert(_table(CatalogVersion)), versions)
    session.flush()
    _register_aggregated(ctx)
    _reindex(ctx)


def open_count(entries: int) -> int:
    """How many of ``entries`` demo entries are open catalogs (2,669 of 14,300 at scale 1)."""
    return round(entries * FULL_OPEN / FULL_ENTRIES)


def _table(model: type[CatalogItem] | type[CatalogVersion]) -> Table:
    """The Core table: a Core executemany is much faster than ORM bulk inserts here."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _plan(rng: random.Random, dept: Department) -> dict[str, Any]:
    theme = rng.choice(v.DEPARTMENT_THEMES[dept.short_name])
    subject, kind = rng.choice(v.SUBJECTS[theme])
    roll = rng.random()
    status = (
        "published"
        if roll < 0.85
        else "withdrawn"
        if roll < 0.88
        else "pending"
        if roll < 0.93
        else "draft"
    )
    return {
        "dept": dept,
        "theme": theme,
        "subject": subject,
        "kind": kind,
        "status": status,
        "open": False,
    }


def _entry_row(rng: random.Random, p: dict[str, Any], seqs: dict[str, int]) -> dict[str, Any]:
    dept: Department = p["dept"]
    kind, theme, subject = p["kind"], p["theme"], p["subject"]
    county = DISTRICT_NAMES.get(dept.region_code, "")
    name = f"菏泽市{county}{subject}{rng.choice(v.SUFFIXES[kind])}"
    category = v.KIND_CATEGORY[kind]
    prefix = f"{dept.code}-{theme_code(theme)}-{CATEGORY_CODES[category]}-"
    seqs[prefix] = seqs.get(prefix, 0) + 1
    status = p["status"]
    version = 0 if status in ("draft", "pending") else (2 if rng.random() < 0.1 else 1)
    share, conditions, basis = _share(rng, kind, p["open"])
    open_type = ("unconditional" if rng.random() < 0.7 else "conditional") if p["open"] else "none"
    grade = (
        "general"
        if p["open"] or kind not in ("person", "licence")
        else ("core" if rng.random() < 0.05 else "important" if rng.random() < 0.6 else "general")
    )
    key = v.KIND_KEYS[kind]
    aggregated = bool(key) and rng.random() < 0.45
    released = date(2019, 1, 1) + timedelta(days=rng.randrange(2860)) if version else None
    return {
        "code": f"{prefix}{seqs[prefix]:04d}",
        "name": name,
        "department_id": dept.id,
        "abstract": f"{dept.name}汇集的{county or '全市'}{subject}{v.KIND_CATEGORY[kind]}，"
        f"包括{'、'.join(c[1] for c in v.KIND_COLUMNS[kind][:4])}等信息项。",
        "category": category,
        "format": rng.choice(v.FORMATS),
        "update_cycle": rng.choice(v.KIND_CYCLES[kind]),
        "release_date": released,
        "related": [],
        "tags": [theme, subject],
        "theme": theme,
        "industry": dept.short_name,
        "region_code": dept.region_code,
        "grade": grade,
        "share_type": share,
        "share_conditions": conditions,
        "share_method": "接口服务" if share != "none" else "",
        "legal_basis": basis,
        "open_type": open_type,
        "open_conditions": rng.choice(v.OPEN_CONDITIONS) if open_type == "conditional" else "",
        "status": status,
        "version": version,
        "aggregated": aggregated,
        "key_columns": [key] if aggregated else [],
        "review_note": "",
        "created_by": "dsj",
        "created_at": utcnow(),
        "updated_at": utcnow(),
    }


def _share(rng: random.Random, kind: str, openable: bool) -> tuple[str, str, str]:
    if openable:
        return "unconditional", "", ""
    roll = rng.random()
    if kind in ("person", "licence"):
        if roll < 0.1:
            return "none", "", rng.choice(v.LEGAL_BASES)
        return "conditional", rng.choice(v.SHARE_CONDITIONS), ""
    if roll < 0.7:
        return "unconditional", "", ""
    return "conditional", rng.choice(v.SHARE_CONDITIONS), ""


def _items(plan: dict[str, Any], row: dict[str, Any]) -> list[dict[str, Any]]:
    columns = v.KIND_COLUMNS[plan["kind"]]
    if plan["open"]:  # open data carries no personal information
        columns = tuple(c for c in columns if c[5] is None)
    out = []
    for pos, (name, label, typ, length, level, personal) in enumerate(columns, start=1):
        share = row["share_type"]
        if level == 4 and share == "unconditional":
            share = "conditional"
        out.append(
            {
                "position": pos,
                "name": name,
                "label": label,
                "type": typ.value,
                "length": length,
                "share_type": share,
                "sensitivity": level,
                "personal_kind": personal,
                "description": "",
            }
        )
    return out


def _snapshot(
    entry_id: int, row: dict[str, Any], dept: Department, items: list[dict[str, Any]]
) -> dict[str, Any]:
    fields = {k: row[k] for k in EntryOut.model_fields if k in row}
    out = EntryOut(
        id=entry_id,
        department_code=dept.code,
        department_name=dept.name,
        items=[{k: it[k] for k in it if k != "position"} for it in items],
        **fields,
    )
    return out.model_dump(mode="json")


def _reindex(ctx: DemoContext) -> None:
    """Make the demo catalog searchable (cheap: one bulk rebuild of the published entries)."""
    from mudan.domains.catalog import indexing

    index = indexing.open_index(ctx.settings)
    try:
        indexing.reindex(index, ctx.session, ctx.progress)
    finally:
        index.close()


def _register_aggregated(ctx: DemoContext) -> None:
    """Published entries marked 需归集 get their lake table registered, as approval does."""
    from sqlalchemy import select

    from mudan.domains.catalog.service import register_for_aggregation

    q = select(CatalogEntry).where(
        CatalogEntry.aggregated.is_(True), CatalogEntry.status == "published"
    )
    entries = list(ctx.session.scalars(q))
    with ctx.progress.task("归集目录登记", len(entries)) as task:
        for entry in entries:
            register_for_aggregation(ctx.session, entry=entry)
            task.advance()
