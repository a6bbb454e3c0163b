"""Photo files that follow their database row: written before the commit, visible after it.

``add_photo`` writes the bytes (fsynced) to ``<final>.part`` and registers the pair on the
session. When the session commits, each part whose ``CasePhoto`` row survived is renamed into
place (atomic on one filesystem); a part whose row was rolled back — the whole transaction, or
just the savepoint it was added in — is deleted. A crash between the commit and the rename
leaves a committed row and its ``.part``: reading the photo finishes the rename
(``photo_path``), and the hourly sweep renames or deletes any part older than ``SWEEP_AGE``.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, SessionTransaction

from mudan.domains.cases.models import CasePhoto

log = logging.getLogger("mudan.cases.photos")
PART = ".part"
SWEEP_AGE_S = 3600.0
_KEY = "cases.photo_parts"


@dataclass(frozen=True)
class Pending:
    photo: CasePhoto
    part: Path
    final: Path


def part_of(final: Path) -> Path:
    return final.with_name(final.name + PART)


def write_part(final: Path, data: bytes) -> Path:
    """Write ``data`` durably next to ``final`` under the ``.part`` name."""
    final.parent.mkdir(parents=True, exist_ok=True)
    part = part_of(final)
    with part.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    return part


def stage(session: Session, photo: CasePhoto, part: Path, final: Path) -> None:
    """Move ``part`` into place once ``session`` commits with ``photo``; delete it otherwise."""
    pending: list[Pending] | None = session.info.get(_KEY)
    if pending is None:
        pending = session.info[_KEY] = []
        event.listen(session, "after_commit", _on_commit)
        event.listen(session, "after_transaction_end", _on_end)
    pending.append(Pending(photo, part, final))


def _kept(p: Pending) -> bool:
    """Whether the photo's row is still part of the session (a rolled-back insert is not)."""
    return bool(inspect(p.photo).persistent)


def _on_commit(session: Session) -> None:
    pending: list[Pending] = session.info.get(_KEY) or []
    session.info[_KEY] = []
    for p in pending:
        try:
            if _kept(p):
                os.replace(p.part, p.final)
            else:  # added in a savepoint that was rolled back
                p.part.unlink(missing_ok=True)
        except OSError:  # the row stands; photo_path or the sweep finishes the move
            log.exception("photo file not moved into place", extra={"part": str(p.part)})


def _on_end(session: Session, transaction: SessionTransaction) -> None:
    """After a commit nothing is pending any more. A savepoint that ended drops the photos it
    rolled back; the whole transaction ending without a commit drops them all."""
    pending: list[Pending] = session.info.get(_KEY) or []
    root = transaction.parent is None
    session.info[_KEY] = [] if root else [p for p in pending if _kept(p)]
    for p in pending:
        if root or not _kept(p):
            p.part.unlink(missing_ok=True)


def photo_path(var_dir: Path, photo: CasePhoto) -> Path:
    """The file of a committed photo, finishing a rename a crash interrupted."""
    final = var_dir / photo.path
    part = part_of(final)
    if not final.exists() and part.exists():
        os.replace(part, final)
    return final


def sweep(session: Session, *, var_dir: Path, age_s: float = SWEEP_AGE_S) -> int:
    """Finish or discard ``.part`` files older than ``age_s``; returns how many it handled."""
    root = var_dir / "cases"
    if not root.is_dir():
        return 0
    cutoff = time.time() - age_s
    done = 0
    for part in root.glob(f"*/*{PART}"):
        if part.stat().st_mtime > cutoff:
            continue  # an upload that may still commit
        final = part.with_name(part.name[: -len(PART)])
        rel = final.relative_to(var_dir).as_posix()
        if session.scalar(select(CasePhoto.id).where(CasePhoto.path == rel)) is not None:
            os.replace(part, final)
        else:
            part.unlink(missing_ok=True)
        done += 1
    return done
