"""Registered pull sources: a database query/table or an HTTP JSON API, loaded on a schedule."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mudan.core.db import Base, UTCDateTime, utcnow


class IngestSource(Base):
    """One pull source feeding one lake table. ``url`` holds the SQLAlchemy URL (with its
    password) for databases or the endpoint for HTTP; it is never logged or returned unmasked."""

    __tablename__ = "ingest_source"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    table_ref: Mapped[str] = mapped_column(String(130), index=True)
    department_code: Mapped[str] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # database | http
    url: Mapped[str] = mapped_column(String(1000))
    query: Mapped[str | None] = mapped_column(Text)
    table_name: Mapped[str | None] = mapped_column(String(200))
    cursor_column: Mapped[str | None] = mapped_column(String(100))
    last_cursor: Mapped[str | None] = mapped_column(String(200))
    http_params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    mode: Mapped[str] = mapped_column(String(16), default="append")
    update_cycle: Mapped[str] = mapped_column(String(16), default="daily")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    next_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_job_id: Mapped[str | None] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
