"""Open datasets (derived from published, openable catalog entries), applications for
有条件开放 data, and citizen feedback / error reports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mudan.core.db import Base, UTCDateTime, utcnow


class OpenDataset(Base):
    """The portal's copy of one open catalog entry: only the items allowed to be open
    (``fields``), plus portal state (licence, counters, data state, qualification score)."""

    __tablename__ = "opendata_dataset"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_entry.id", ondelete="CASCADE"), unique=True
    )
    name: Mapped[str] = mapped_column(String(100), unique=True)  # CKAN name (lower-case code)
    title: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text, default="")
    department_code: Mapped[str] = mapped_column(String(40), index=True)
    department_name: Mapped[str] = mapped_column(String(200), default="")
    theme: Mapped[str] = mapped_column(String(32), index=True)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    open_type: Mapped[str] = mapped_column(String(16), index=True)
    open_conditions: Mapped[str] = mapped_column(Text, default="")
    update_cycle: Mapped[str] = mapped_column(String(16))
    region_code: Mapped[str] = mapped_column(String(12), default="3717")
    license_id: Mapped[str] = mapped_column(String(32), default="")
    table_ref: Mapped[str] = mapped_column(String(130))
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    catalog_version: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[str] = mapped_column(String(16), index=True, default="active")
    data_rows: Mapped[int] = mapped_column(Integer, default=0)
    data_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # when ``data_rows``/``data_updated_at`` were last read from the lake: a load recorded
    # after it (quality's last success) makes the sync job read the table again
    data_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    view_count: Mapped[int] = mapped_column(Integer, default=0)
    download_count: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[float | None] = mapped_column(Float)
    qualified: Mapped[bool | None] = mapped_column(Boolean)
    checks: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    scored_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    modified_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OpenApplication(Base):
    """A registered user's application to use a 有条件开放 dataset (decided by the provider)."""

    __tablename__ = "opendata_application"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("opendata_dataset.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    username: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True, default="pending")
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OpenFeedback(Base):
    """Feedback or an error report (纠错) from the public; errors become correction tickets."""

    __tablename__ = "opendata_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("opendata_dataset.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    content: Mapped[str] = mapped_column(Text)
    contact: Mapped[str] = mapped_column(String(100), default="")
    username: Mapped[str] = mapped_column(String(64), default="anonymous")
    ticket_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
