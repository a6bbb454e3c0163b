"""Catalog entries (政务信息资源目录), their information items (信息项) and published versions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mudan.core.db import Base, UTCDateTime, utcnow
from mudan.kernel.models import Department


class CatalogEntry(Base):
    """The working copy of an entry. ``version`` is the latest published version (0: never);
    editing a published entry turns the working copy back into a draft, while the last
    published snapshot stays readable in ``catalog_version``."""

    __tablename__ = "catalog_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    abstract: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(16), default="业务信息")
    format: Mapped[str] = mapped_column(String(32), default="数据库表")
    update_cycle: Mapped[str] = mapped_column(String(16), index=True)
    release_date: Mapped[date | None] = mapped_column(Date)
    related: Mapped[list[str]] = mapped_column(JSON, default=list)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    theme: Mapped[str] = mapped_column(String(32), index=True)
    industry: Mapped[str] = mapped_column(String(64), default="")
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    grade: Mapped[str] = mapped_column(String(16), index=True)
    share_type: Mapped[str] = mapped_column(String(16), index=True)
    share_conditions: Mapped[str] = mapped_column(Text, default="")
    share_method: Mapped[str] = mapped_column(String(64), default="")
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    open_type: Mapped[str] = mapped_column(String(16), index=True)
    open_conditions: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), index=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    aggregated: Mapped[bool] = mapped_column(Boolean, default=False)
    key_columns: Mapped[list[str]] = mapped_column(JSON, default=list)
    review_note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    department: Mapped[Department] = relationship(lazy="joined")
    items: Mapped[list[CatalogItem]] = relationship(
        back_populates="entry",
        cascade="all, delete-orphan",
        order_by="CatalogItem.position",
        lazy="selectin",
    )

    @property
    def is_live(self) -> bool:
        """Has a published version that is not withdrawn (what search and sharing see)."""
        return self.version > 0 and self.status != "withdrawn"


class CatalogItem(Base):
    """One information item (a column): snake_case name, Chinese label, type and grading."""

    __tablename__ = "catalog_item"
    __table_args__ = (UniqueConstraint("entry_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_entry.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(63))
    label: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(16))
    length: Mapped[int | None] = mapped_column(Integer)
    share_type: Mapped[str] = mapped_column(String(16))
    sensitivity: Mapped[int] = mapped_column(Integer, default=1)
    personal_kind: Mapped[str | None] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(String(500), default="")

    entry: Mapped[CatalogEntry] = relationship(back_populates="items")

    @property
    def is_personal(self) -> bool:
        return self.personal_kind is not None


class CatalogVersion(Base):
    """A full JSON snapshot of an entry as published (version 1, 2, …); never changed."""

    __tablename__ = "catalog_version"
    __table_args__ = (UniqueConstraint("entry_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_entry.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_by: Mapped[str] = mapped_column(String(64))
