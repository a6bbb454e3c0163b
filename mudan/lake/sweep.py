"""Orphan-file sweep: Parquet files a killed load staged but never committed.

A load stages its files under the table's ``data/`` folder with a ``mudan-<id>-`` prefix and
commits them in one snapshot. A SIGKILL between the two leaves files no snapshot references.
They are harmless (readers only follow snapshots) but take space; this removes the ones older
than a grace period, so a load still running is never touched.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from mudan.lake.catalog import Lake, TableRef, ident_of, local_path

STAGED_PREFIX = "mudan-"
GRACE_S = 6 * 3600  # longer than any load stages files before committing


@dataclass(frozen=True)
class SweepReport:
    table: str
    referenced: int
    removed: list[str]
    bytes_freed: int


def referenced_files(lake: Lake, ref: TableRef) -> set[str]:
    """Every data file any snapshot still reads (time travel must keep working)."""
    table = lake.table(ref)
    files: set[str] = set()
    for snap in table.snapshots():
        for task in table.scan(snapshot_id=snap.snapshot_id).plan_files():
            files.add(os.path.realpath(local_path(task.file.file_path)))
    return files


def sweep_table(
    lake: Lake, ref: TableRef, *, grace_s: float = GRACE_S, dry_run: bool = False
) -> SweepReport:
    folder = Path(local_path(lake.table(ref).location())) / "data"
    keep = referenced_files(lake, ref)
    cutoff = time.time() - grace_s
    removed: list[str] = []
    freed = 0
    if folder.is_dir():
        for path in sorted(folder.rglob(f"{STAGED_PREFIX}*.parquet")):
            real = os.path.realpath(path)
            stat = path.stat()
            if real in keep or stat.st_mtime > cutoff:
                continue
            removed.append(str(path))
            freed += stat.st_size
            if not dry_run:
                path.unlink()
    return SweepReport(ident_of(ref), len(keep), removed, freed)


def sweep_all(lake: Lake, *, grace_s: float = GRACE_S, dry_run: bool = False) -> list[SweepReport]:
    reports = []
    for ns in lake.catalog.list_namespaces():
        for ident in lake.list_tables(".".join(ns)):
            reports.append(sweep_table(lake, ident, grace_s=grace_s, dry_run=dry_run))
    return reports
