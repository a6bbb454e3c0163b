"""Load jobs and lineage edges."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mudan.core.db import Base, UTCDateTime, utcnow


class IngestJob(Base):
    """One load of one source into one lake table. The log is what the department reads."""

    __tablename__ = "ingest_job"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    table_ref: Mapped[str] = mapped_column(String(130), index=True)
    catalog_entry_id: Mapped[int | None] = mapped_column(Integer, index=True)
    department_code: Mapped[str] = mapped_column(String(40), index=True)
    source_kind: Mapped[str] = mapped_column(String(16))
    source_ref: Mapped[str] = mapped_column(String(500))
    batch_id: Mapped[str] = mapped_column(String(64), index=True)
    mode: Mapped[str] = mapped_column(String(16), default="append")
    status: Mapped[str] = mapped_column(String(16), index=True)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_written: Mapped[int] = mapped_column(Integer, default=0)
    rows_quarantined: Mapped[int] = mapped_column(Integer, default=0)
    bytes_total: Mapped[int] = mapped_column(Integer, default=0)
    snapshot_id: Mapped[str | None] = mapped_column(String(32))
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    log: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LineageEdge(Base):
    """source → job → table → derived table/view, recorded automatically by loads."""

    __tablename__ = "lineage_edge"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    src_kind: Mapped[str] = mapped_column(String(16))
    src_ref: Mapped[str] = mapped_column(String(500), index=True)
    dst_kind: Mapped[str] = mapped_column(String(16))
    dst_ref: Mapped[str] = mapped_column(String(500), index=True)
    job_id: Mapped[str | None] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# Sources live in their own module; import them so Alembic's autogenerate sees every table.
from mudan.domains.ingest import source_models as _source_models  # noqa: E402, F401
