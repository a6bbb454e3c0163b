"""Plain result records returned by the lake facade (no behaviour, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

BATCH_ID_PROPERTY = "mudan.batch-id"


@dataclass(frozen=True)
class SchemaReport:
    """What :meth:`Lake.ensure_table` did: ``extra`` are spec columns the table did not have
    (added as optional columns), ``missing`` are table columns the spec no longer lists (kept,
    filled with nulls on load)."""

    ident: str
    created: bool
    extra: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return self.created or bool(self.extra)


@dataclass(frozen=True)
class LoadResult:
    ident: str
    batch_id: str
    skipped: bool
    snapshot_id: int | None
    rows_written: int = 0
    rows_replaced: int = 0
    files_added: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class SnapshotInfo:
    id: int
    parent_id: int | None
    committed_at: datetime
    operation: str
    batch_id: str | None
    added_rows: int
    total_rows: int
