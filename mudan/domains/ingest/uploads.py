"""Uploaded source files: stored under var/uploads/<job id>/ with a safe name, hashed as they
stream in (the hash makes re-loading the same file idempotent)."""

from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from mudan.core.errors import InvalidInput

_SAFE = re.compile(r"[^0-9A-Za-z\u4e00-\u9fff._-]+")
ALLOWED_SUFFIXES = {".csv", ".txt", ".xlsx", ".json", ".ndjson", ".jsonl", ".parquet"}


@dataclass(frozen=True)
class StoredUpload:
    path: Path
    name: str
    size: int
    sha256: str


def safe_name(name: str) -> str:
    """Keep only the last path component and harmless characters; refuse traversal tricks."""
    raw = name.replace("\\", "/")
    base = raw.rsplit("/", 1)[-1]
    if not base or base in {".", ".."} or "\x00" in raw or raw.startswith("/") or ".." in raw:
        raise InvalidInput("ingest.bad_filename", name=name[:100])
    cleaned = _SAFE.sub("_", base).lstrip(".")
    suffix = Path(cleaned).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise InvalidInput(
            "ingest.bad_format", name=cleaned, allowed=" ".join(sorted(ALLOWED_SUFFIXES))
        )
    return cleaned[:120]


def store(stream: BinaryIO, *, folder: Path, name: str, max_bytes: int) -> StoredUpload:
    folder.mkdir(parents=True, exist_ok=True)
    safe = safe_name(name)
    target = folder / safe
    digest = hashlib.sha256()
    size = 0
    with target.open("wb") as out:
        while chunk := stream.read(1 << 20):
            size += len(chunk)
            if size > max_bytes:
                out.close()
                shutil.rmtree(folder, ignore_errors=True)
                raise InvalidInput("ingest.too_large", limit=max_bytes)
            digest.update(chunk)
            out.write(chunk)
    if size == 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise InvalidInput("ingest.empty_file", name=safe)
    return StoredUpload(path=target, name=safe, size=size, sha256=digest.hexdigest())
