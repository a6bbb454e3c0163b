"""The portal part of the Heze demo world: every open catalog entry the rule allows becomes a
dataset with a small lake table, plus a few planted problems (no licence, stale data, data
never loaded) so 开放合格率 is realistic rather than 100%.

The catalog demo publishes ``round(entries × 2669 / 14300)`` entries with an open type (and
grade 一般, with open items), so the rule opens all of them: 2,669 datasets at scale 1, the
seed's 开放目录数, 27 at 0.01."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pyarrow as pa
from sqlalchemy import select

from mudan.core.db import transaction, utcnow
from mudan.demo.context import DemoContext
from mudan.domains.catalog import service as catalog
from mudan.domains.opendata import index as portal_index
from mudan.domains.opendata.models import OpenDataset
from mudan.domains.opendata.scoring import ALLOWANCE, compute_scores
from mudan.domains.opendata.sync import refresh_data, sync_datasets
from mudan.lake.results import BATCH_ID_PROPERTY
from mudan.lake.schema import ItemType, TableSpec, arrow_schema

FAULT_SHARE = 0.007  # per kind of planted problem
REGIONS = ("371702", "371703", "371721", "371722", "371723", "371724", "371725", "371726")


def build_portal(ctx: DemoContext) -> None:
    session = ctx.session
    if session.scalar(select(OpenDataset.id).limit(1)) is not None:
        return  # idempotent
    rng = ctx.rng("opendata")
    sync_datasets(session, progress=ctx.progress)
    datasets = list(session.scalars(select(OpenDataset).order_by(OpenDataset.id)))
    if not datasets:
        return
    faults = max(1, round(len(datasets) * FAULT_SHARE))
    picked = rng.sample(datasets, min(len(datasets), 3 * faults))
    no_licence = picked[:faults]
    stale = {d.id for d in picked[faults : 2 * faults]}
    missing = {d.id for d in picked[2 * faults :]}
    for ds in no_licence:
        ds.license_id = ""
    for ds in datasets:
        ds.view_count = rng.randint(20, 5000)
        ds.download_count = rng.randint(0, ds.view_count // 3)
    session.flush()
    plan = [(d.id, d.table_ref, d.name) for d in datasets if d.id not in missing]
    # run after the other after-commit steps (the ingest demo's loads go first)
    ctx.after_commit.append(lambda: ctx.after_commit.append(lambda: _load(ctx, plan, stale)))


def _value(rng: random.Random, label: str, typ: ItemType, row: int) -> object:
    if typ == ItemType.INTEGER:
        return rng.randint(2018, 2024) if "年" in label else rng.randint(0, 5000)
    if typ in (ItemType.FLOAT, ItemType.DECIMAL):
        return round(rng.uniform(0, 1000), 2)
    if typ == ItemType.DATE:
        return date(2018, 1, 1) + timedelta(days=rng.randrange(2400))
    if typ == ItemType.TIMESTAMP:
        return datetime(2024, 1, 1) + timedelta(minutes=rng.randrange(500_000))
    if typ == ItemType.BOOLEAN:
        return rng.random() < 0.5
    if "区划" in label or "区县" in label:
        return rng.choice(REGIONS)
    return f"{label}{row + 1:04d}"


def _batch(spec: TableSpec, rng: random.Random, rows: int) -> pa.RecordBatch:
    schema = arrow_schema(spec)
    data = {c.name: [_value(rng, c.label, c.type, r) for r in range(rows)] for c in spec.columns}
    if spec.key:  # keys must be unique
        for k in spec.key:
            data[k] = [f"K{r + 1:06d}" for r in range(rows)]
    return pa.RecordBatch.from_pydict(data, schema=schema)


def _load(ctx: DemoContext, plan: list[tuple[int, str, str]], stale: set[int]) -> None:
    from mudan.domains.quality import service as quality

    s = ctx.settings
    sessions, lake = ctx.runtime.sessions, ctx.runtime.lake
    rows = ctx.scaled(300, minimum=20)
    with ctx.progress.task("开放数据加载", len(plan)) as task:
        for ds_id, _ref, name in plan:
            with transaction(sessions) as session:
                ds = session.get(OpenDataset, ds_id)
                assert ds is not None
                entry = catalog.get_entry(session, entry_id=ds.entry_id)
                spec = catalog.table_spec_for(entry)
                if not lake.exists(spec):
                    lake.ensure_table(spec)
                    rng = random.Random(f"{ctx.seed}:opendata:{name}")
                    # one plain Iceberg append (the demo's own rows, no quality pass)
                    lake.table(spec).append(
                        pa.Table.from_batches([_batch(spec, rng, rows)]),
                        snapshot_properties={BATCH_ID_PROPERTY: f"open:{name}"},
                    )
                    if _registered(session, spec.ident):
                        quality.record_success(session, table_ref=spec.ident)
            task.advance()
    with transaction(sessions) as session:
        refresh_data(session, lake=lake, progress=ctx.progress)
        for ds in session.scalars(select(OpenDataset).where(OpenDataset.id.in_(stale))):
            late = ALLOWANCE.get(ds.update_cycle, ALLOWANCE["daily"])
            ds.data_updated_at = utcnow() - 2 * late - timedelta(days=1)
        compute_scores(session, lake=lake)
    with sessions() as session:
        index = portal_index.open_index(s)
        try:
            portal_index.rebuild(index, session)
        finally:
            index.close()


def _registered(session: object, ident: str) -> bool:
    from sqlalchemy.orm import Session

    from mudan.core.errors import NotFound
    from mudan.lake import registry

    assert isinstance(session, Session)
    try:
        registry.get_table(session, table_ref=ident)
    except NotFound:
        return False
    return True
