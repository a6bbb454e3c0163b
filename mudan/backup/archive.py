"""Writing and reading the tar archive: members hashed as they stream, the manifest last.

Writing goes to ``<name>.partial`` and is renamed at the end, so a failed backup never leaves a
file that looks complete. Reading extracts into staging folders the caller names per top-level
prefix (``db``, ``lake``, ``var``) and checks each member's size and SHA-256 on the way; only
regular files with plain relative names are accepted (no links, devices or ``..``).
"""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath
from typing import IO

from pydantic import ValidationError

from mudan.backup.manifest import FORMAT, MANIFEST, VERSION, Manifest, Member
from mudan.core.errors import Conflict, InvalidInput

CHUNK = 1 << 20
READ_ERRORS = (tarfile.TarError, EOFError, zlib.error)


def _open_write(path: Path, partial: Path) -> tarfile.TarFile:
    if path.name.endswith((".tar.gz", ".tgz")):
        return tarfile.open(partial, "w:gz", compresslevel=1)  # Parquet is compressed already
    return tarfile.open(partial, "w")


def safe_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if not name or path.is_absolute() or "\\" in name or any(p in ("", "..") for p in path.parts):
        raise InvalidInput("backup.bad_member", name=name)
    return path


class _Hashing(io.RawIOBase):
    """A reader that hashes what passes through it (tarfile reads exactly ``size`` bytes)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.digest = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


class ArchiveWriter:
    def __init__(self, path: Path) -> None:
        if path.exists():
            raise Conflict("backup.output_exists", path=str(path))
        self.path = path
        self.partial = path.with_name(path.name + ".partial")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.tar = _open_write(path, self.partial)
        self.members: dict[str, Member] = {}

    def add_file(self, name: str, src: Path) -> None:
        safe_name(name)
        info = tarfile.TarInfo(name)
        try:
            f = open(src, "rb")  # noqa: SIM115
        except FileNotFoundError as exc:  # removed while the backup ran (a sweep, a reindex)
            raise Conflict("backup.file_vanished", path=str(src)) from exc
        with f:
            stat = os.fstat(f.fileno())
            info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o644
            hashing = _Hashing(f)
            self.tar.addfile(info, hashing)
        self.members[name] = Member(sha256=hashing.digest.hexdigest(), size=hashing.size)

    def finish(self, manifest: Manifest) -> None:
        manifest.members = self.members
        data = manifest.model_dump_json(indent=1).encode("utf-8")
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime, info.mode = len(data), int(manifest.created_at.timestamp()), 0o644
        self.tar.addfile(info, io.BytesIO(data))
        self.tar.close()
        self.partial.replace(self.path)

    def abort(self) -> None:
        self.tar.close()
        self.partial.unlink(missing_ok=True)


def read_manifest(path: Path) -> Manifest:
    """The archive's manifest; a file that is not a Mudan backup is refused with a clear error."""
    if not path.is_file():
        raise InvalidInput("backup.not_found", path=str(path))
    try:
        with tarfile.open(path, "r:*") as tar:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            raw = member.read()
        manifest = Manifest.model_validate_json(raw)
    except (KeyError, ValidationError, ValueError, *READ_ERRORS) as exc:
        raise InvalidInput("backup.not_a_backup", path=str(path), reason=str(exc)[:200]) from exc
    if manifest.format != FORMAT or manifest.version != VERSION:
        raise InvalidInput("backup.not_a_backup", path=str(path), reason=manifest.format)
    return manifest


def extract_checked(
    path: Path,
    manifest: Manifest,
    routes: Mapping[str, Path],
    advance: Callable[[int], None],
) -> None:
    """Extract every member into ``routes[prefix] / rest``; refuse the archive at the first
    member whose size or SHA-256 differs from the manifest, or that the manifest lacks."""
    seen: set[str] = set()
    try:
        with tarfile.open(path, "r:*") as tar:
            for info in tar:
                if info.name == MANIFEST or info.isdir():
                    continue
                expected = manifest.members.get(info.name)
                if expected is None or not info.isfile():
                    raise InvalidInput("backup.unexpected_member", name=info.name)
                parts = safe_name(info.name).parts
                if parts[0] not in routes or len(parts) < 2:
                    raise InvalidInput("backup.unexpected_member", name=info.name)
                dest = routes[parts[0]].joinpath(*parts[1:])
                dest.parent.mkdir(parents=True, exist_ok=True)
                src = tar.extractfile(info)
                assert src is not None
                digest, size = hashlib.sha256(), 0
                with open(dest, "wb") as out:
                    while chunk := src.read(CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                if size != expected.size or digest.hexdigest() != expected.sha256:
                    raise InvalidInput("backup.checksum_mismatch", name=info.name)
                seen.add(info.name)
                advance(1)
    except READ_ERRORS as exc:
        raise InvalidInput("backup.corrupt", path=str(path), reason=str(exc)[:200]) from exc
    missing = sorted(set(manifest.members) - seen)
    if missing:
        raise InvalidInput("backup.missing_members", count=len(missing), first=missing[0])
