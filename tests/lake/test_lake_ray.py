"""Scale-out parity: the same aggregates on a local Ray cluster equal DuckDB's."""

from __future__ import annotations

import math
import random
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from mudan.core.errors import InvalidInput
from mudan.lake.catalog import Lake
from mudan.lake.ray_engine import aggregate
from mudan.lake.schema import ColumnSpec, ItemType, TableSpec, arrow_schema
from mudan.settings import Settings

SPEC = TableSpec(
    "d371700007",
    "payments",
    (
        ColumnSpec("qx", ItemType.STRING, "区县"),
        ColumnSpec("kind", ItemType.STRING, "类别"),
        ColumnSpec("n", ItemType.INTEGER, "人数"),
        ColumnSpec("amount", ItemType.FLOAT, "金额"),
    ),
)
METRICS = {
    "rows": ("count", "n"),
    "total": ("sum", "amount"),
    "avg": ("mean", "amount"),
    "least": ("min", "n"),
    "most": ("max", "n"),
}


def make_batch(rng: random.Random, rows: int) -> pa.RecordBatch:
    qx = ["371702", "371703", "371721", "371722", None]
    return pa.record_batch(
        {
            "qx": [rng.choice(qx) for _ in range(rows)],
            "kind": [rng.choice(["养老", "医疗", "失业"]) for _ in range(rows)],
            "n": [rng.randint(0, 50) if rng.random() > 0.05 else None for _ in range(rows)],
            "amount": [round(rng.uniform(0, 5000), 2) for _ in range(rows)],
        },
        schema=arrow_schema(SPEC),
    )


@pytest.fixture
def lake(settings: Settings, tmp_path: Path) -> Iterator[Lake]:
    lk = Lake(db_url=settings.database.url, warehouse=tmp_path / "warehouse")
    lk.ensure_table(SPEC)
    rng = random.Random(3717)
    for i in range(3):  # three snapshots → three files
        lk.load(SPEC, [make_batch(rng, 2000)], batch_id=f"b{i}")
    yield lk
    lk.close()


@pytest.fixture
def local_ray() -> Iterator[None]:
    ray = pytest.importorskip("ray")
    temp = tempfile.mkdtemp(prefix="ray")  # short: Ray's socket paths must fit in 107 bytes
    ray.init(
        num_cpus=1,
        include_dashboard=False,
        log_to_driver=False,
        logging_level="ERROR",
        _temp_dir=temp,
    )
    try:
        yield
    finally:
        ray.shutdown()
        shutil.rmtree(temp, ignore_errors=True)


def assert_same(a: pa.Table, b: pa.Table) -> None:
    assert a.schema == b.schema
    assert a.num_rows == b.num_rows
    for x, y in zip(a.to_pylist(), b.to_pylist(), strict=True):
        for key, value in x.items():
            if isinstance(value, float):
                assert math.isclose(value, y[key], rel_tol=1e-9), key
            else:
                assert value == y[key], key


def test_ray_equals_duckdb(lake: Lake, local_ray: None) -> None:
    by = aggregate(lake, SPEC.ident, group_by=["qx", "kind"], metrics=METRICS, engine="duckdb")
    assert by.num_rows == 15  # 4 districts + null × 3 kinds
    assert sum(by.column("rows").to_pylist()) == lake.row_count(SPEC) - sum(
        1 for b in lake.table(SPEC).scan().to_arrow().column("n").to_pylist() if b is None
    )
    ray_by = aggregate(lake, SPEC.ident, group_by=["qx", "kind"], metrics=METRICS, engine="ray")
    assert_same(by, ray_by)
    total = aggregate(lake, SPEC.ident, group_by=[], metrics=METRICS, engine="duckdb")
    assert_same(total, aggregate(lake, SPEC.ident, group_by=[], metrics=METRICS, engine="ray"))
    assert total.num_rows == 1


def test_bad_metric_is_refused(lake: Lake) -> None:
    with pytest.raises(InvalidInput) as e:
        aggregate(
            lake, SPEC.ident, group_by=["qx"], metrics={"x": ("median", "n")}, engine="duckdb"
        )
    assert e.value.code == "lake.bad_aggregate"
    with pytest.raises(InvalidInput) as e:
        aggregate(lake, SPEC.ident, group_by=["nope"], metrics={}, engine="duckdb")
    assert e.value.code == "lake.unknown_column"
