"""The orphan sweep removes what a killed load staged, and nothing any snapshot reads."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from mudan.lake.catalog import Lake
from mudan.lake.load import StagedFiles, write_schema
from mudan.lake.schema import ColumnSpec, ItemType, TableSpec, arrow_schema
from mudan.lake.sweep import sweep_all, sweep_table
from mudan.settings import Settings

SPEC = TableSpec(
    "d371700002",
    "sweep_people",
    (ColumnSpec("sfzh", ItemType.STRING, "公民身份号码"), ColumnSpec("n", ItemType.INTEGER)),
)


def _batch(n: int) -> pa.RecordBatch:
    return pa.record_batch({"sfzh": [f"id{i}" for i in range(n)], "n": list(range(n))}).cast(
        arrow_schema(SPEC)
    )


@pytest.fixture
def lake(settings: Settings, tmp_path: Path) -> Iterator[Lake]:
    lk = Lake(db_url=settings.database.url, warehouse=tmp_path / "warehouse")
    lk.ensure_table(SPEC)
    yield lk
    lk.close()


def _stage_without_commit(lake: Lake) -> list[Path]:
    """What a SIGKILL between staging and commit leaves behind."""
    table = lake.table(SPEC)
    staged = StagedFiles(table, write_schema(table), "killed")
    staged.write(_batch(5))
    return [Path(u.removeprefix("file://")) for u in staged.close()]


def _age(paths: list[Path], seconds: float) -> None:
    old = time.time() - seconds
    for p in paths:
        os.utime(p, (old, old))


def test_sweep_removes_old_orphans_only(lake: Lake) -> None:
    lake.load(SPEC, [_batch(3)], batch_id="first")
    first = lake.snapshots(SPEC)[0].id
    lake.load(SPEC, [_batch(4)], batch_id="second", mode="replace")
    orphans = _stage_without_commit(lake)
    young = _stage_without_commit(lake)
    assert all(p.exists() for p in orphans + young)
    _age(orphans, 7 * 3600)

    dry = sweep_table(lake, SPEC, dry_run=True)
    assert sorted(dry.removed) == sorted(str(p) for p in orphans)
    assert all(p.exists() for p in orphans)

    report = sweep_table(lake, SPEC)
    assert sorted(report.removed) == sorted(str(p) for p in orphans) and report.bytes_freed > 0
    assert not any(p.exists() for p in orphans) and all(p.exists() for p in young)
    # both snapshots still read: the replaced files stay for time travel
    assert lake.table(SPEC).scan(snapshot_id=first).to_arrow().num_rows == 3
    assert lake.table(SPEC).scan().to_arrow().num_rows == 4
    assert SPEC.ident in [r.table for r in sweep_all(lake, dry_run=True)]


def test_cli_sweep(lake: Lake, settings: Settings) -> None:
    orphans = _stage_without_commit(lake)
    _age(orphans, 7 * 3600)
    env = {
        **os.environ,
        "MUDAN_DATABASE__URL": settings.database.url,
        "MUDAN_LAKE__WAREHOUSE": str(lake.warehouse),
    }
    out = subprocess.run(
        [sys.executable, "-m", "mudan", "lake", "sweep"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "孤立文件 1 个" in out and not orphans[0].exists()
