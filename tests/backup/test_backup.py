"""``mudan backup`` / ``mudan restore`` on a private demo world (SQLite, or PostgreSQL with
``MUDAN_TEST_DATABASE_URL``): back up, wipe, restore; then the audit chain verifies, every table
has its rows, the lake reads the same rows at every snapshot and search still finds the catalog.
A corrupted archive, a database holding data, a moved warehouse and another kind of database are
refused without changing anything."""

from __future__ import annotations

import io
import shutil
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from mudan.backup.database import describe, tables_with_data
from mudan.backup.make import backup
from mudan.backup.manifest import MANIFEST, STAGING, Manifest
from mudan.cli.main import build
from mudan.core.audit import record
from mudan.core.db import make_engine, make_sessionmaker, transaction
from mudan.core.errors import InvalidInput
from mudan.core.runtime import Runtime
from mudan.domains.catalog import indexing
from mudan.lake.catalog import Lake
from mudan.lake.schema import ColumnSpec, ItemType, TableSpec, arrow_schema
from mudan.settings import Settings
from tests.conftest import PG_URL, DatabaseFactory, _build_world, _settings

SPEC = TableSpec("backupcheck", "readings", (ColumnSpec("n", ItemType.INTEGER),))


def _load(lake: Lake, values: list[int], batch_id: str) -> None:
    lake.load(SPEC, [pa.record_batch({"n": values}).cast(arrow_schema(SPEC))], batch_id=batch_id)


@pytest.fixture(scope="module")
def world(dbs: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """The demo world with its lake and indexes under one var dir, plus a table of 2 snapshots."""
    root = tmp_path_factory.mktemp("backup_world")
    url = dbs.fresh("empty")
    _build_world(url, root)
    cfg = _settings(url, root)
    with Lake(db_url=url, warehouse=cfg.lake.warehouse) as lake:
        lake.ensure_table(SPEC)
        _load(lake, [1, 2], "first")
        _load(lake, [3], "second")
    yield cfg
    dbs.drop(url)


@pytest.fixture(scope="module")
def archive(world: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    with Runtime(world) as rt:
        return backup(rt, tmp_path_factory.mktemp("backup_out") / "world.tar").path


@dataclass
class State:
    rows: dict[str, int]
    snapshots: list[tuple[int, list[int]]]
    demo_rows: list[dict[str, Any]]
    hits: list[str]


def state(cfg: Settings) -> State:
    engine = make_engine(cfg.database.url)
    with engine.connect() as conn:
        info = describe(conn)
    engine.dispose()
    with Lake(db_url=cfg.database.url, warehouse=cfg.lake.warehouse) as lake:
        snapshots = [
            (
                s.id,
                sorted(
                    pa.concat_tables(map(pq.read_table, lake.data_files(SPEC, s.id)))[
                        "n"
                    ].to_pylist()
                ),
            )
            for s in lake.snapshots(SPEC)
        ]
        demo = next(loc.ident for loc in info.lake if loc.ident != SPEC.ident)
        demo_rows = lake.table(demo).scan().to_arrow().to_pylist()
    index = indexing.open_index(cfg)
    try:
        hits = [h.id for h in index.search("户籍人口", limit=5).hits]
    finally:
        index.close()
    return State(info.tables, snapshots, demo_rows, hits)


def cli(cfg: Settings, *args: str) -> tuple[int, str]:
    env = {
        "MUDAN_DATABASE__URL": cfg.database.url,
        "MUDAN_VAR_DIR": str(cfg.var_dir),
        "MUDAN_LAKE__WAREHOUSE": str(cfg.lake.warehouse),
        "COLUMNS": "300",
    }
    result = CliRunner().invoke(build(), list(args), env=env)
    return result.exit_code, result.output


def wipe(cfg: Settings, dbs: DatabaseFactory) -> None:
    """Lose everything: the database (a new empty one at the same URL) and every var file."""
    url = make_url(cfg.database.url)
    if PG_URL:
        dbs._exec(f'DROP DATABASE "{url.database}" WITH (FORCE)')
        dbs._exec(f'CREATE DATABASE "{url.database}"')
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{url.database}{suffix}").unlink(missing_ok=True)
    for child in cfg.var_dir.iterdir():
        shutil.rmtree(child)


def test_backup_wipe_restore(world: Settings, dbs: DatabaseFactory, tmp_path: Path) -> None:
    before = state(world)
    assert len(before.snapshots) == 2 and before.snapshots[-1][1] == [1, 2, 3]
    assert before.hits and before.demo_rows and before.rows["audit_record"] > 0
    out = tmp_path / "mudan.tar"
    code, output = cli(world, "backup", str(out))
    assert code == 0, output
    assert "已备份到" in output and not out.with_name("mudan.tar.partial").exists()
    with tarfile.open(out) as tar:
        manifest = Manifest.model_validate_json(tar.extractfile(MANIFEST).read())  # type: ignore[union-attr]
    assert manifest.tables == before.rows
    assert SPEC.ident in manifest.lake_tables and manifest.files("var") > 0

    wipe(world, dbs)
    code, output = cli(world, "restore", str(out))
    assert code == 0, output
    code, output = cli(world, "audit", "verify")
    assert code == 0 and "审计链完整" in output, output
    assert state(world) == before  # rows, every snapshot (time travel), lake data, search
    assert not [p for p in world.var_dir.rglob(f"{STAGING}*")]
    # the id sequences continue where they were (PostgreSQL): a new user and role binding
    new_user = ("users", "create", "houbei", "--role", "duty_officer", "--password", "Peony#Heze24")
    code, output = cli(world, *new_user)
    assert code == 0 and "已创建用户" in output, output


def test_force_restore_replaces_newer_data(world: Settings, archive: Path) -> None:
    before = state(world)
    engine = make_engine(world.database.url)
    with transaction(make_sessionmaker(engine)) as s:
        record(s, actor="admin", role="admin", action="t.late", object_type="t", object_id="1")
    engine.dispose()
    with Lake(db_url=world.database.url, warehouse=world.lake.warehouse) as lake:
        _load(lake, [4], "third")
    code, output = cli(world, "restore", str(archive))
    assert code == 2 and "backup.target_not_empty" in output, output
    code, output = cli(world, "restore", str(archive), "--force")
    assert code == 0, output
    assert state(world) == before
    assert cli(world, "audit", "verify")[0] == 0


def _unchanged(cfg: Settings, archive: Path, before: State, *args: str) -> str:
    files = sorted(cfg.var_dir.rglob("*"))
    code, output = cli(cfg, "restore", str(archive), "--force", *args)
    assert code == 2, output
    assert sorted(cfg.var_dir.rglob("*")) == files and state(cfg) == before
    return output


def test_corrupted_archive_changes_nothing(world: Settings, archive: Path, tmp_path: Path) -> None:
    before = state(world)
    bad = tmp_path / "bad.tar"
    shutil.copyfile(archive, bad)
    with tarfile.open(bad) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith(".parquet"))
    with open(bad, "r+b") as f:  # one flipped byte in a lake data file
        f.seek(member.offset_data + member.size // 2)
        byte = f.read(1)
        f.seek(-1, 1)
        f.write(bytes([byte[0] ^ 0xFF]))
    output = _unchanged(world, bad, before)
    assert "backup.checksum_mismatch" in output and member.name in output
    half = tmp_path / "half.tar"
    half.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    assert "backup.not_a_backup" in _unchanged(world, half, before)


def _rewrite_manifest(archive: Path, dest: Path, **changes: Any) -> Path:
    with tarfile.open(archive) as src, tarfile.open(dest, "w") as out:
        for m in src.getmembers():
            data = src.extractfile(m).read()  # type: ignore[union-attr]
            if m.name == MANIFEST:
                manifest = Manifest.model_validate_json(data).model_copy(update=changes)
                data = manifest.model_dump_json().encode()
                m.size = len(data)
            out.addfile(m, io.BytesIO(data))
    return dest


def test_other_database_kind_refused(world: Settings, archive: Path, tmp_path: Path) -> None:
    other = "sqlite" if PG_URL else "postgresql"
    moved = _rewrite_manifest(archive, tmp_path / "other.tar", dialect=other)
    assert "backup.dialect_mismatch" in _unchanged(world, moved, state(world))


def test_moved_warehouse_refused(archive: Path, empty_db_url: str, tmp_path: Path) -> None:
    cfg = _settings(empty_db_url, tmp_path / "elsewhere")
    code, output = cli(cfg, "restore", str(archive))
    assert code == 2 and "backup.warehouse_moved" in output, output
    assert "MUDAN_LAKE__WAREHOUSE" in output and not cfg.var_dir.exists()
    engine = make_engine(empty_db_url)
    assert tables_with_data(engine) == []
    engine.dispose()


def test_fresh_database_counts_as_empty(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    assert tables_with_data(engine) == []  # SEEDED names every table a migration fills
    engine.dispose()


def test_backup_refuses_a_table_outside_the_warehouse(runtime: Runtime, tmp_path: Path) -> None:
    # the shared test world's lake lives outside this test's warehouse folder
    out = tmp_path / "out.tar"
    with pytest.raises(InvalidInput) as exc:
        backup(runtime, out)
    assert exc.value.code == "backup.table_outside_warehouse"
    assert not out.exists() and not out.with_name("out.tar.partial").exists()
