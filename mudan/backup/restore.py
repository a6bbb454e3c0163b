"""``mudan restore``: check, stage and verify everything, then load the database, then swap.

Nothing live changes until the whole archive has been extracted into staging folders (inside the
warehouse and ``var_dir``, so the final moves are renames on one filesystem) with every member's
SHA-256 checked. The database is then loaded in one step (SQLite's backup API; one PostgreSQL
transaction), and only then are the warehouse and the ``var_dir`` folders swapped in.
"""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from mudan.backup import files, postgres, sqlite
from mudan.backup.archive import extract_checked, read_manifest
from mudan.backup.database import check_dialect, tables_with_data
from mudan.backup.manifest import STAGING, Manifest
from mudan.core.errors import Conflict, InvalidInput
from mudan.core.migrate import code_heads, known_revision
from mudan.core.progress import NullReporter, Reporter
from mudan.core.runtime import Runtime
from mudan.settings import Settings


@dataclass(frozen=True)
class RestoreReport:
    manifest: Manifest
    upgrade_needed: bool  # the backup predates this code's migrations: run ``mudan db upgrade``


def _preflight(engine: Engine, manifest: Manifest, warehouse: Path, force: bool) -> None:
    dialect = check_dialect(engine)
    if dialect != manifest.dialect:
        raise InvalidInput("backup.dialect_mismatch", backup=manifest.dialect, target=dialect)
    for head in manifest.alembic_heads:
        if not known_revision(head):
            raise Conflict("backup.newer_schema", revision=head)
    if manifest.lake_tables and Path(manifest.warehouse) != warehouse:
        raise InvalidInput(
            "backup.warehouse_moved", backup=manifest.warehouse, configured=str(warehouse)
        )
    if force:
        return
    try:
        busy = tables_with_data(engine)
    except OperationalError as exc:
        raise Conflict("backup.database_unreachable", reason=str(exc.orig)[:200]) from exc
    if busy:
        raise Conflict("backup.target_not_empty", count=len(busy), tables=", ".join(busy[:5]))
    if files.has_files(warehouse):
        raise Conflict("backup.warehouse_not_empty", path=str(warehouse))


def _load(engine: Engine, manifest: Manifest, staged: Path, progress: Reporter) -> None:
    with progress.task("恢复数据库", len(manifest.tables)) as task:
        if manifest.dialect == "sqlite":
            sqlite.load(engine, staged / sqlite.MEMBER.split("/", 1)[1])
            task.advance(len(manifest.tables))
        else:
            folder = staged / postgres.PREFIX.split("/", 1)[1]
            postgres.load(engine, folder, manifest.alembic_heads, task.advance)


def _var_names(settings: Settings, staged: Path, warehouse: Path) -> list[str]:
    """The top-level ``var_dir`` entries to swap: the archived ones and ``cache`` (dropped),
    never the warehouse (or a folder holding it) nor the SQLite database file."""
    var_dir = settings.var_dir.resolve()
    keep = {warehouse, *warehouse.parents}
    url = settings.database.url
    if url.startswith("sqlite"):
        keep |= {p.resolve() for p in files.sqlite_files(sqlite.database_file(url))}
    names = [*files.children(staged), *files.SKIPPED_VAR]
    return [n for n in names if (var_dir / n).resolve() not in keep]


def restore(
    runtime: Runtime, src: Path, *, force: bool = False, progress: Reporter | None = None
) -> RestoreReport:
    """Restore into the runtime's database, warehouse and var dir. Its engine's pool is
    disposed once the rows are in, before the files move (no connection keeps a file open)."""
    progress = progress or NullReporter()
    manifest = read_manifest(src)
    settings, engine = runtime.settings, runtime.engine
    warehouse, var_dir = settings.lake.warehouse.resolve(), settings.var_dir.resolve()
    token = uuid.uuid4().hex[:8]
    lake_stage, work = warehouse / f"{STAGING}{token}", var_dir / f"{STAGING}{token}"
    try:
        _preflight(engine, manifest, warehouse, force)
        routes = {"db": work / "db", "lake": lake_stage, "var": work / "var"}
        for folder in routes.values():
            folder.mkdir(parents=True)
        with progress.task("校验并解包", len(manifest.members)) as task:
            extract_checked(src, manifest, routes, task.advance)
        _load(engine, manifest, routes["db"], progress)
        engine.dispose()
        lake_names = files.children(warehouse) + files.children(lake_stage)
        files.replace_children(warehouse, lake_stage, lake_names, token)
        var_names = _var_names(settings, routes["var"], warehouse)
        files.replace_children(var_dir, routes["var"], var_names, token)
    finally:
        shutil.rmtree(lake_stage, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
        engine.dispose()
    return RestoreReport(manifest, tuple(manifest.alembic_heads) != code_heads())
