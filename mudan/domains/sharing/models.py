"""Share requests (共享申请), their timeline, step deadlines, grants (授权) and the call log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mudan.core.db import Base, UTCDateTime, utcnow
from mudan.domains.catalog.models import CatalogEntry
from mudan.kernel.models import Department


class StepDeadline(Base):
    """Working days allowed per approval step, and how long before the deadline to remind."""

    __tablename__ = "share_step_deadline"

    step: Mapped[str] = mapped_column(String(16), primary_key=True)
    workdays: Mapped[int] = mapped_column(Integer)
    remind_hours: Mapped[int] = mapped_column(Integer, default=24)


class ShareRequest(Base):
    __tablename__ = "share_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("catalog_entry.id"), index=True)
    provider_department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    requester_department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    requested_by: Mapped[str] = mapped_column(String(64))
    items: Mapped[list[str]] = mapped_column(JSON, default=list)
    unmasked_items: Mapped[list[str]] = mapped_column(JSON, default=list)
    region_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    purpose: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    systems: Mapped[list[str]] = mapped_column(JSON, default=list)
    conditional: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(20), index=True)
    step: Mapped[str | None] = mapped_column(String(16))
    info_step: Mapped[str | None] = mapped_column(String(16))
    step_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    overdue: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    entry: Mapped[CatalogEntry] = relationship(lazy="joined")
    provider: Mapped[Department] = relationship(
        foreign_keys=[provider_department_id], lazy="joined"
    )
    requester: Mapped[Department] = relationship(
        foreign_keys=[requester_department_id], lazy="joined"
    )
    events: Mapped[list[ShareEvent]] = relationship(
        back_populates="request", order_by="ShareEvent.id", lazy="selectin"
    )


class ShareEvent(Base):
    """One step on a request's timeline; ``audit_id`` points at its audit record."""

    __tablename__ = "share_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("share_request.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    kind: Mapped[str] = mapped_column(String(16))
    step: Mapped[str | None] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    audit_id: Mapped[int | None] = mapped_column(Integer)

    request: Mapped[ShareRequest] = relationship(back_populates="events")


class ShareGrant(Base):
    """What a consumer may read: items, rows (region filter), purpose, until when."""

    __tablename__ = "share_grant"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("share_request.id"), unique=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("catalog_entry.id"), index=True)
    table_ref: Mapped[str] = mapped_column(String(130), index=True)
    consumer_department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    items: Mapped[list[str]] = mapped_column(JSON, default=list)
    unmasked_items: Mapped[list[str]] = mapped_column(JSON, default=list)
    region_column: Mapped[str | None] = mapped_column(String(63))
    region_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    purpose: Mapped[str] = mapped_column(Text)
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime())
    rate_per_minute: Mapped[int] = mapped_column(Integer, default=600)
    client_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    status: Mapped[str] = mapped_column(String(16), index=True)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    status_changed_by: Mapped[str] = mapped_column(String(64), default="")
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    entry: Mapped[CatalogEntry] = relationship(lazy="joined")
    consumer: Mapped[Department] = relationship(lazy="joined")


class ServiceCall(Base):
    """One data-service call (also denied ones). Rows are sealed in batches into the
    SM3-chained audit trail (see :mod:`mudan.domains.sharing.dataservice.calllog`)."""

    __tablename__ = "share_call"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    grant_id: Mapped[int] = mapped_column(Integer, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    caller: Mapped[str] = mapped_column(String(64))
    department_code: Mapped[str] = mapped_column(String(40), index=True)
    purpose: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[int] = mapped_column(Integer)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    format: Mapped[str] = mapped_column(String(8), default="json")
    query: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sealed_by: Mapped[int | None] = mapped_column(Integer, index=True)
