"""``mudan backup``: database first (one consistent snapshot), then the files.

Lake files are immutable once written and only ever added while Mudan runs (a sweep removes
files no snapshot references), so copying the warehouse after the database snapshot captures
every file that snapshot references; files of later loads come along unreferenced and harmless.
Every Iceberg table must live under the configured warehouse: its metadata names absolute paths,
and a restore puts the warehouse back where it was.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from mudan.backup import files, postgres, sqlite
from mudan.backup.archive import ArchiveWriter
from mudan.backup.database import DbInfo, check_dialect, table_order
from mudan.backup.manifest import Manifest, mudan_version
from mudan.core.errors import InvalidInput
from mudan.core.progress import NullReporter, Reporter
from mudan.core.runtime import Runtime


@dataclass(frozen=True)
class BackupReport:
    path: Path
    manifest: Manifest


def _dump(engine: Engine, tmp: Path, progress: Reporter) -> tuple[DbInfo, list[tuple[str, Path]]]:
    if engine.dialect.name == "sqlite":
        with progress.task("数据库", 1) as task:
            info = sqlite.dump(engine, tmp / "mudan.sqlite")
            task.advance()
        return info, [(sqlite.MEMBER, tmp / "mudan.sqlite")]
    folder = tmp / "postgres"
    with engine.connect() as conn:
        total = len(table_order(conn))
    with progress.task("数据库", total) as task:
        info = postgres.dump(engine, folder, task.advance)
    members = [(f"{postgres.PREFIX}/{p.name}", p) for p in sorted(folder.iterdir())]
    return info, members


def _check_lake(info: DbInfo, warehouse: Path, lake: list[tuple[str, Path]]) -> None:
    archived = {path.resolve() for _name, path in lake}
    for loc in info.lake:
        metadata = loc.metadata.resolve()
        if warehouse not in metadata.parents:
            raise InvalidInput(
                "backup.table_outside_warehouse",
                table=loc.ident,
                path=str(metadata),
                warehouse=str(warehouse),
            )
        if metadata not in archived:
            raise InvalidInput("backup.metadata_missing", table=loc.ident, path=str(metadata))


def backup(runtime: Runtime, out: Path, *, progress: Reporter | None = None) -> BackupReport:
    """Archive the runtime's database, warehouse and var dir (its engine, disposed at the end
    so no pooled connection outlives the dump)."""
    progress = progress or NullReporter()
    out = out.resolve()
    settings, engine = runtime.settings, runtime.engine
    warehouse, var_dir = settings.lake.warehouse.resolve(), settings.var_dir.resolve()
    dialect = check_dialect(engine)
    writer = ArchiveWriter(out)
    try:
        with tempfile.TemporaryDirectory(prefix=".mudan-backup-", dir=out.parent) as tmp:
            info, db_members = _dump(engine, Path(tmp), progress)
            lake = files.lake_files(warehouse)
            _check_lake(info, warehouse, lake)
            exclude = [warehouse, out, writer.partial, Path(tmp)]
            if dialect == "sqlite":
                exclude += files.sqlite_files(sqlite.database_file(settings.database.url))
            var = files.var_files(var_dir, exclude)
            everything = db_members + lake + var
            with progress.task("写入备份", len(everything)) as task:
                for name, path in everything:
                    writer.add_file(name, path)
                    task.advance()
        manifest = Manifest(
            mudan_version=mudan_version(),
            created_at=datetime.now(UTC),
            dialect=dialect,
            alembic_heads=list(info.heads),
            warehouse=str(warehouse),
            var_dir=str(var_dir),
            tables=info.tables,
            lake_tables=[loc.ident for loc in info.lake],
        )
        writer.finish(manifest)
    except BaseException:
        writer.abort()
        raise
    finally:
        engine.dispose()
    return BackupReport(out, manifest)
