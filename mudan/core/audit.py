"""Append-only audit trail chained with SM3 (GB/T 32905).

Each record stores ``prev_hash`` (the previous record's hash) and ``hash`` = SM3 over a
canonical JSON of its own fields plus ``prev_hash``. Editing a row breaks its own hash;
deleting one breaks the next row's ``prev_hash``. ``verify_chain`` names the first broken row.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives import hashes
from sqlalchemy import JSON, Integer, String, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from mudan.core.db import Base, UTCDateTime, utcnow

GENESIS = "0" * 64


class AuditRecord(Base):
    __tablename__ = "audit_record"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64), index=True)
    role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(128))
    purpose: Mapped[str] = mapped_column(String(200), default="")
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


def sm3_hex(data: bytes) -> str:
    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize().hex()


def _canonical_at(at: datetime) -> str:
    # SQLite hands back naive UTC, PostgreSQL aware times: hash the UTC wall time so both agree.
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.strftime("%Y-%m-%dT%H:%M:%S.%f")


def record_hash(rec: AuditRecord) -> str:
    payload = {
        "id": rec.id,
        "at": _canonical_at(rec.at),
        "actor": rec.actor,
        "role": rec.role,
        "action": rec.action,
        "object_type": rec.object_type,
        "object_id": rec.object_id,
        "purpose": rec.purpose,
        "outcome": rec.outcome,
        "detail": rec.detail,
        "prev_hash": rec.prev_hash,
    }
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return sm3_hex(blob.encode("utf-8"))


def record(
    session: Session,
    *,
    actor: str,
    role: str,
    action: str,
    object_type: str,
    object_id: str,
    outcome: str = "ok",
    purpose: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditRecord:
    """Append one record. Serialised per database so the chain stays linear under concurrency."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(7173001)"))
    last = session.execute(
        select(AuditRecord.id, AuditRecord.hash).order_by(AuditRecord.id.desc()).limit(1)
    ).first()
    rec = AuditRecord(
        id=(last[0] + 1) if last else 1,
        at=utcnow(),
        actor=actor,
        role=role,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        purpose=purpose,
        outcome=outcome,
        detail=detail or {},
        prev_hash=last[1] if last else GENESIS,
    )
    rec.hash = record_hash(rec)
    session.add(rec)
    session.flush()
    return rec


@dataclass(frozen=True)
class ChainStatus:
    ok: bool
    checked: int
    first_broken_id: int | None = None
    reason: str | None = None  # i18n key suffix: hash_mismatch | link_broken | gap


def _iter_records(session: Session, batch: int = 1000) -> Iterator[AuditRecord]:
    last_id = 0
    while True:
        rows = session.scalars(
            select(AuditRecord)
            .where(AuditRecord.id > last_id)
            .order_by(AuditRecord.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id
        session.expunge_all()


def verify_chain(session: Session) -> ChainStatus:
    prev_hash, prev_id, checked = GENESIS, 0, 0
    for rec in _iter_records(session):
        if rec.id != prev_id + 1:
            return ChainStatus(False, checked, rec.id, "gap")
        if rec.prev_hash != prev_hash:
            return ChainStatus(False, checked, rec.id, "link_broken")
        if record_hash(rec) != rec.hash:
            return ChainStatus(False, checked, rec.id, "hash_mismatch")
        prev_hash, prev_id, checked = rec.hash, rec.id, checked + 1
    return ChainStatus(True, checked)
