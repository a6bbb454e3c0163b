"""The files of a backup: the lake's warehouse and what else lives under ``var_dir``.

``var_dir`` holds the search indexes (``search/``), case photos (``cases/``), upload staging
(``uploads/``), share exports and demo sources; its ``cache/`` (the data service's DuckDB copies,
rebuilt on demand), the SQLite file, the warehouse (archived on its own) and a restore's work
folders are left out. A restore swaps whole top-level folders: each one moves aside, the staged
one moves in, then the old ones are deleted — folders are renamed, never merged.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

from mudan.backup.manifest import STAGING

SKIPPED_VAR = frozenset({"cache"})  # rebuilt on demand; a restore deletes it


def _walk(root: Path, prefix: str, exclude: set[Path]) -> Iterator[tuple[str, Path]]:
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        top = here == root
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not (top and (d.startswith(STAGING) or (prefix == "var" and d in SKIPPED_VAR)))
            and (here / d).resolve() not in exclude
        )
        for name in sorted(filenames):
            path = here / name
            if (top and name.startswith(STAGING)) or path.is_symlink():
                continue
            if path.resolve() in exclude:
                continue
            yield f"{prefix}/{path.relative_to(root).as_posix()}", path


def lake_files(warehouse: Path) -> list[tuple[str, Path]]:
    return list(_walk(warehouse, "lake", set()))


def var_files(var_dir: Path, exclude: Iterable[Path]) -> list[tuple[str, Path]]:
    return list(_walk(var_dir, "var", {p.resolve() for p in exclude}))


def sqlite_files(db_file: Path) -> list[Path]:
    return [db_file.with_name(db_file.name + s) for s in ("", "-wal", "-shm", "-journal")]


def has_files(root: Path) -> bool:
    return any(True for _ in _walk(root, "lake", set()))


def replace_children(root: Path, staged: Path, names: Iterable[str], token: str) -> None:
    """Make each named child of ``root`` the staged one (or absent when none was staged)."""
    old = root / f"{STAGING}old-{token}"
    old.mkdir(parents=True)
    try:
        for name in sorted(set(names)):
            live, new = root / name, staged / name
            if live.exists() or live.is_symlink():
                os.replace(live, old / name)
            if new.exists():
                os.replace(new, live)
    finally:
        shutil.rmtree(old, ignore_errors=True)


def children(folder: Path) -> list[str]:
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith(STAGING))
