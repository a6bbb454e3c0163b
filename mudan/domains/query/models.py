"""Derived tables: a saved read-only query over lake tables, materialised into the lake."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mudan.core.db import Base, UTCDateTime, utcnow


class DerivedTable(Base):
    __tablename__ = "derived_table"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    table_ref: Mapped[str] = mapped_column(String(130), unique=True)  # d<dept>.<name>
    department_code: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(200))
    sql: Mapped[str] = mapped_column(Text)
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    snapshot_id: Mapped[str | None] = mapped_column(String(32))
    rows: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)

    @property
    def view_ref(self) -> str:
        """The lineage node of the definition (the table node is its materialisation)."""
        return f"{self.table_ref}#sql"
