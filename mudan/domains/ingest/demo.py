"""Demo loads: real rows for some published 需归集 tables, with planted faults (bad IDs,
duplicate keys, impossible dates, a GBK file, a stale table) so the quality pages show work.

Files are generated deterministically, then loaded through the same runner a department's
upload uses, after the demo transaction has committed."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from mudan.core.db import transaction, utcnow
from mudan.core.ids import corrupt_citizen_id, gen_citizen_id, gen_uscc
from mudan.demo.context import DemoContext
from mudan.domains.ingest.enums import LoadMode, SourceKind
from mudan.domains.ingest.jobs import create_job
from mudan.domains.ingest.models import IngestJob
from mudan.domains.ingest.runner import run_file_job
from mudan.domains.quality import service as quality
from mudan.lake import registry
from mudan.lake.models import LakeTable
from mudan.lake.schema import ColumnSpec, ItemType, TableSpec

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红娥玲芬燕彬辉鑫鹏飞"
    "宇浩然欣怡梓涵子轩"
)
DISTRICTS = [
    "371702",
    "371703",
    "371721",
    "371722",
    "371723",
    "371724",
    "371725",
    "371726",
    "371728",
]
ROADS = ["中华路", "人民路", "长江路", "黄河路", "丹阳路", "牡丹路", "双河路", "八一路"]


def _value(rng: random.Random, col: ColumnSpec, row: int) -> str:
    label = col.label
    if "身份证" in label:
        return gen_citizen_id(
            rng,
            rng.choice(DISTRICTS),
            date(rng.randint(1950, 2015), rng.randint(1, 12), rng.randint(1, 28)),
            rng.choice("MF"),
        )
    if "信用代码" in label:
        return gen_uscc(rng, rng.choice(DISTRICTS))
    if "电话" in label or "手机" in label:
        return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
    if "姓名" in label or label.endswith("人"):
        return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
    if "地址" in label or "住址" in label:
        return f"菏泽市{rng.choice(ROADS)}{rng.randint(1, 999)}号"
    if col.type == ItemType.DATE:
        return (date(2015, 1, 1) + timedelta(days=rng.randrange(3650))).isoformat()
    if col.type == ItemType.TIMESTAMP:
        return (
            f"{date(2024, 1, 1) + timedelta(days=rng.randrange(300))} 08:{rng.randrange(60):02d}:00"
        )
    if col.type == ItemType.INTEGER:
        return str(rng.randint(0, 5000))
    if col.type in (ItemType.DECIMAL, ItemType.FLOAT):
        return f"{rng.uniform(0, 10000):.2f}"
    if col.type == ItemType.BOOLEAN:
        return rng.choice(["是", "否"])
    return f"{label or col.name}{row:05d}"


def _fault(rng: random.Random, col: ColumnSpec, value: str) -> str:
    if "身份证" in col.label:
        return corrupt_citizen_id(rng, value)
    if col.type == ItemType.DATE:
        return "2024-13-45"
    if col.type in (ItemType.INTEGER, ItemType.DECIMAL, ItemType.FLOAT):
        return "不详"
    return value


def write_csv(rng: random.Random, spec: TableSpec, rows: int, path: Path, encoding: str) -> None:
    keys = set(spec.key)
    lines = [",".join(c.label or c.name for c in spec.columns)]
    previous: list[str] = []
    first: list[str] = []
    for i in range(rows):
        values = [_value(rng, c, i) for c in spec.columns]
        if previous and rng.random() < 0.01:  # a duplicate key
            values = [
                p if c.name in keys else v
                for c, p, v in zip(spec.columns, previous, values, strict=True)
            ]
        elif rng.random() < 0.03:  # a bad value in one column
            j = rng.randrange(len(values))
            values[j] = _fault(rng, spec.columns[j], values[j])
        if keys and i == rows - 1 and rows > 1:  # at least one fault per keyed table, whatever
            values = [  # the draws: the last row repeats the first row's key
                f if c.name in keys else v
                for c, f, v in zip(spec.columns, first, values, strict=True)
            ]
        previous = values
        first = first or values
        lines.append(",".join(v.replace(",", "，") for v in values))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))


def _demo_rules(ctx: DemoContext, spec: TableSpec) -> None:
    """A primary-key rule and citizen-ID checks, as a data officer would configure them."""
    if quality.list_rules(ctx.session, table_ref=spec.ident):
        return
    if spec.key:
        quality.create_rule(
            ctx.session,
            table_ref=spec.ident,
            kind="primary_key",
            column=None,
            params={},
            actor="demo",
        )
    for col in spec.columns:
        if "身份证" in col.label:
            quality.create_rule(
                ctx.session,
                table_ref=spec.ident,
                kind="citizen_id",
                column=col.name,
                params={},
                actor="demo",
            )


def plan_demo_loads(ctx: DemoContext) -> None:
    """Idempotent: a table whose demo batch already has a job is not planned again."""
    rng = ctx.rng("ingest")
    tables = list(ctx.session.scalars(select(LakeTable).order_by(LakeTable.table_ref)))
    folder = ctx.settings.var_dir / "demo_sources"
    jobs: list[tuple[str, TableSpec, Path]] = []
    for n, table in enumerate(tables[: ctx.scaled(30, minimum=3)]):
        spec = registry.spec_from_json(table.spec)
        batch_id = f"demo:{ctx.seed}:{spec.ident}"
        if ctx.session.scalar(select(IngestJob.id).where(IngestJob.batch_id == batch_id)):
            continue
        _demo_rules(ctx, spec)
        encoding = "gbk" if n % 4 == 1 else "utf-8"  # some departments still export GBK
        path = folder / f"{spec.namespace}_{spec.name}.csv"
        write_csv(rng, spec, ctx.scaled(2000, minimum=50), path, encoding)
        job = create_job(
            ctx.session,
            table_ref=spec.ident,
            department_code=table.department_code,
            source_kind=SourceKind.FILE,
            source_ref=f"file:{path.name}",
            batch_id=batch_id,
            mode=LoadMode.APPEND,
            created_by="demo",
        )
        jobs.append((job.id, spec, path))
    ctx.after_commit.append(lambda: _run_loads(ctx, jobs))


def _run_loads(ctx: DemoContext, jobs: list[tuple[str, TableSpec, Path]]) -> None:
    sessions, lake = ctx.runtime.sessions, ctx.runtime.lake
    with ctx.progress.task("演示数据加载", len(jobs)) as task:
        for job_id, spec, path in jobs:
            run_file_job(sessions=sessions, lake=lake, spec=spec, job_id=job_id, path=path)
            task.advance()
    if jobs:  # one stale table, so 汇聚率 and freshness show a late department
        with transaction(sessions) as session:
            stale = session.get(LakeTable, jobs[0][1].ident)
            if stale is not None:
                stale.last_success_at = utcnow() - timedelta(days=400)
