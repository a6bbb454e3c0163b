"""Quality rules, quarantined rows, correction tickets (纠错工单) and score snapshots."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mudan.core.db import Base, UTCDateTime, utcnow


class QualityRule(Base):
    __tablename__ = "quality_rule"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    table_ref: Mapped[str] = mapped_column(String(130), index=True)  # "namespace.name"
    column: Mapped[str | None] = mapped_column(String(63))
    kind: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    severity: Mapped[str] = mapped_column(String(16), default="error")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class QuarantineRow(Base):
    """One withheld source row: the first failing rule, every reason, the original values."""

    __tablename__ = "quality_quarantine"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    table_ref: Mapped[str] = mapped_column(String(130), index=True)
    job_id: Mapped[str] = mapped_column(String(64), index=True)
    row_number: Mapped[int] = mapped_column(Integer)
    rule_id: Mapped[str] = mapped_column(String(64))
    rule_kind: Mapped[str] = mapped_column(String(32), index=True)
    column: Mapped[str | None] = mapped_column(String(63))
    reason: Mapped[str] = mapped_column(Text)
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), index=True, default="pending")
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    fixed_values: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CorrectionTicket(Base):
    __tablename__ = "quality_ticket"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    table_ref: Mapped[str] = mapped_column(String(130), index=True)
    department_code: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16))
    job_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), index=True)
    violations: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    deadline_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closing_job_id: Mapped[str | None] = mapped_column(String(64))


class QualityScore(Base):
    """A snapshot per table per load; ``spec`` keeps the table spec the rows were checked with."""

    __tablename__ = "quality_score"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    table_ref: Mapped[str] = mapped_column(String(130), index=True)
    department_code: Mapped[str] = mapped_column(String(40), index=True)
    job_id: Mapped[str] = mapped_column(String(64), index=True)
    rows: Mapped[int] = mapped_column(Integer)
    bad_rows: Mapped[int] = mapped_column(Integer)
    warning_rows: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[float] = mapped_column(Float)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
