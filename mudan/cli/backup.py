"""``mudan backup OUT.tar`` and ``mudan restore IN.tar [--force]`` (see docs/backup.md)."""

from __future__ import annotations

from pathlib import Path

import typer

from mudan.cli.common import console, handle_errors, runtime
from mudan.core.i18n import t


@handle_errors
def backup(
    out: Path = typer.Argument(..., dir_okay=False, help="archive to write: .tar or .tar.gz"),
) -> None:
    """Back up the database, the Iceberg catalog and warehouse, search indexes and var files."""
    from mudan.backup.make import backup as run
    from mudan.core.progress import RichReporter

    with RichReporter() as reporter, runtime() as rt:
        report = run(rt, out, progress=reporter)
    m = report.manifest
    console.print(
        t(
            "backup.cli.done",
            path=str(report.path),
            tables=len(m.tables),
            rows=sum(m.tables.values()),
            lake_tables=len(m.lake_tables),
            lake_files=m.files("lake"),
            var_files=m.files("var"),
            mb=f"{report.path.stat().st_size / 1e6:.1f}",
        )
    )


@handle_errors
def restore(
    src: Path = typer.Argument(..., exists=True, dir_okay=False, help="archive from mudan backup"),
    force: bool = typer.Option(False, "--force", help="replace a database that holds data"),
) -> None:
    """Restore a backup into the configured database, warehouse and var dir (stop serve first)."""
    from mudan.backup.restore import restore as run
    from mudan.core.progress import RichReporter

    with RichReporter() as reporter, runtime() as rt:
        report = run(rt, src, force=force, progress=reporter)
    m = report.manifest
    console.print(
        t(
            "backup.cli.restored",
            created_at=m.created_at.isoformat(timespec="seconds"),
            rows=sum(m.tables.values()),
            lake_tables=len(m.lake_tables),
            files=m.files("lake") + m.files("var"),
        )
    )
    if report.upgrade_needed:
        console.print(t("backup.cli.upgrade_needed"))
