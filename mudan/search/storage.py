"""The on-disk layout of a search index folder, and safe use of tantivy's single writer.

A folder holds generations and a pointer::

    <path>/CURRENT          "gen-000003\\n"   (replaced atomically with os.replace)
    <path>/gen-000003/      a tantivy index + manifest.json (schema version, facet names)

A rebuild writes a whole new generation next to the live one and then swaps ``CURRENT``, so a
reader sees either the old index or the new one, never a half-built one. Old generations are
removed after the swap (best effort: on POSIX an open reader keeps its files until it moves on).

tantivy allows one ``IndexWriter`` per index (a lock file in the folder, across processes).
Writers are taken only for the duration of one change and released at once. Inside a process,
every ``SearchIndex`` on the same folder shares one re-entrant lock, so two objects never wait
on each other's tantivy lock; across processes a busy writer is retried until
:data:`WRITER_TIMEOUT_S`, then :class:`~mudan.core.errors.Conflict` ``search.index_busy``.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import tantivy

from mudan.core.errors import Conflict

SCHEMA_VERSION = 2
WRITER_TIMEOUT_S = 30.0
POINTER = "CURRENT"
MANIFEST = "manifest.json"

_locks: dict[str, threading.RLock] = {}
_locks_guard = threading.Lock()


def folder_lock(path: Path) -> threading.RLock:
    """The in-process lock shared by every ``SearchIndex`` on ``path``."""
    key = str(path.resolve())
    with _locks_guard:
        return _locks.setdefault(key, threading.RLock())


def facet_field(name: str) -> str:
    return f"f_{name}"


def build_schema(facet_names: Sequence[str]) -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", tokenizer_name="raw", index_option="basic")
    sb.add_text_field("title", tokenizer_name="whitespace", index_option="freq")
    sb.add_text_field("body", tokenizer_name="whitespace", index_option="freq")
    sb.add_text_field("gram", tokenizer_name="whitespace", index_option="freq")
    sb.add_text_field("sort", tokenizer_name="raw", fast=True, index_option="basic")
    for name in facet_names:
        sb.add_text_field(facet_field(name), tokenizer_name="raw", fast=True, index_option="basic")
    sb.add_bytes_field("data", stored=True)
    return sb.build()


def manifest_for(facet_names: Sequence[str]) -> dict[str, Any]:
    return {"schema": SCHEMA_VERSION, "facets": list(facet_names)}


def read_pointer(root: Path) -> str | None:
    try:
        name = (root / POINTER).read_text("utf-8").strip()
    except FileNotFoundError:
        return None
    return name or None


def pointer_signature(root: Path) -> tuple[int, int] | None:
    """Changes whenever ``CURRENT`` is replaced (cheap: one stat)."""
    try:
        st = os.stat(root / POINTER)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns)


def meta_signature(gen: Path) -> tuple[int, int, int]:
    """Changes whenever a commit lands in generation ``gen`` (tantivy rewrites meta.json)."""
    st = os.stat(gen / "meta.json")
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def read_manifest(gen: Path) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = json.loads((gen / MANIFEST).read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    return data


def new_generation(root: Path, facet_names: Sequence[str]) -> Path:
    """Create an empty, committed generation folder (not yet pointed to)."""
    numbers = [int(p.name[4:]) for p in root.glob("gen-*") if p.name[4:].isdigit()]
    gen = root / f"gen-{max(numbers, default=0) + 1:06d}"
    gen.mkdir(parents=True)
    index = tantivy.Index(build_schema(facet_names), path=str(gen), reuse=False)
    writer = take_writer(index, num_threads=1)
    writer.commit()
    writer.wait_merging_threads()
    (gen / MANIFEST).write_text(json.dumps(manifest_for(facet_names)), "utf-8")
    return gen


def switch_to(root: Path, gen: Path) -> None:
    """Point ``CURRENT`` at ``gen`` atomically, then drop the other generations."""
    tmp = root / f"{POINTER}.{os.getpid()}.{threading.get_ident()}.tmp"
    tmp.write_text(gen.name + "\n", "utf-8")
    os.replace(tmp, root / POINTER)
    for other in root.glob("gen-*"):
        if other.name != gen.name:
            shutil.rmtree(other, ignore_errors=True)


def take_writer(
    index: tantivy.Index, *, num_threads: int = 1, heap_size: int = 64_000_000
) -> tantivy.IndexWriter:
    """tantivy's writer for ``index``, waiting (bounded) while another process holds it."""
    deadline = time.monotonic() + WRITER_TIMEOUT_S
    delay = 0.01
    while True:
        try:
            return index.writer(heap_size=heap_size, num_threads=num_threads)
        except ValueError as exc:
            if "LockBusy" not in str(exc) or time.monotonic() > deadline:
                if "LockBusy" in str(exc):
                    raise Conflict("search.index_busy") from exc
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.5)
