"""Categories, routing rules, cases, reporters, assignments, timeline events and photos."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    literal,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mudan.core.db import Base, UTCDateTime, utcnow
from mudan.domains.cases.enums import OPEN_STATES

_OPEN_LIST = ", ".join(f"'{s.value}'" for s in sorted(OPEN_STATES))
OPEN_SQL = text(f"state IN ({_OPEN_LIST})")
MANUAL_STATES = ("received", "registered")  # without a department: the manual dispatch queue
MANUAL_SQL = text("state IN ('received', 'registered') AND department_code IS NULL")


class CaseCategory(Base):
    """A 事件/部件 class in the style of GB/T 30428 (大类 + 小类), with its time limit."""

    __tablename__ = "case_category"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    group_name: Mapped[str] = mapped_column(String(100))  # 大类
    limit_value: Mapped[int] = mapped_column(Integer)
    limit_unit: Mapped[str] = mapped_column(String(16))
    is_dispute: Mapped[bool] = mapped_column(Boolean, default=False)
    keywords: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class RoutingRule(Base):
    """Category × region → responsible department; the deepest matching region wins."""

    __tablename__ = "case_routing_rule"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_code: Mapped[str] = mapped_column(ForeignKey("case_category.code"), index=True)
    region_code: Mapped[str] = mapped_column(String(20))
    department_code: Mapped[str] = mapped_column(String(40))


class Case(Base):
    __tablename__ = "case_case"
    __table_args__ = (
        # Partial indexes over the open cases only: the boards, 督办 and counts never touch
        # the (much larger) closed history. Queries must spell the state list as literals
        # (``open_clause``) so both planners can match the index predicate.
        Index(
            "ix_case_open_dept",
            "department_code",
            "due_at",
            postgresql_where=OPEN_SQL,
            sqlite_where=OPEN_SQL,
        ),
        Index("ix_case_open_due", "due_at", postgresql_where=OPEN_SQL, sqlite_where=OPEN_SQL),
        Index("ix_case_open_warn", "warn_at", postgresql_where=OPEN_SQL, sqlite_where=OPEN_SQL),
        Index("ix_case_manual", "due_at", postgresql_where=MANUAL_SQL, sqlite_where=MANUAL_SQL),
        Index("ix_case_dup", "category_code", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(40), default="")
    object_ref: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    category_code: Mapped[str] = mapped_column(ForeignKey("case_category.code"))
    state: Mapped[str] = mapped_column(String(16))
    parked_from: Mapped[str | None] = mapped_column(String(16))
    park_reason: Mapped[str] = mapped_column(String(200), default="")
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    grid_code: Mapped[str | None] = mapped_column(String(20))
    community_code: Mapped[str | None] = mapped_column(String(20))
    street_code: Mapped[str | None] = mapped_column(String(20))
    district_code: Mapped[str | None] = mapped_column(String(20), index=True)
    region_path: Mapped[str] = mapped_column(String(200), default="3717", index=True)
    department_code: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    warn_at: Mapped[datetime] = mapped_column(UTCDateTime())  # 80 % of the limit
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalation_rung: Mapped[str] = mapped_column(String(16), default="grid")
    returns: Mapped[int] = mapped_column(Integer, default=0)
    reopenings: Mapped[int] = mapped_column(Integer, default=0)
    satisfaction: Mapped[int | None] = mapped_column(Integer)
    mediation: Mapped[str | None] = mapped_column(String(16))
    suggested_merge_id: Mapped[int | None] = mapped_column(Integer)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("case_case.id"), index=True)
    extension_status: Mapped[str | None] = mapped_column(String(16))
    extension_hours: Mapped[float | None] = mapped_column(Float)
    extension_reason: Mapped[str] = mapped_column(String(200), default="")

    reporters: Mapped[list[CaseReporter]] = relationship(
        back_populates="case", cascade="all, delete-orphan", lazy="selectin"
    )
    assignments: Mapped[list[CaseAssignment]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )


class CaseReporter(Base):
    """Who reported a case (a merged case keeps every reporter of the cases merged into it)."""

    __tablename__ = "case_reporter"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_case.id"), index=True)
    origin_case_id: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(64), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    account: Mapped[str] = mapped_column(String(64), default="")

    case: Mapped[Case] = relationship(back_populates="reporters")


class CaseAssignment(Base):
    """A department on a case: one lead (主办) and any number of assisting (协办) departments."""

    __tablename__ = "case_assignment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_case.id"), index=True)
    department_code: Mapped[str] = mapped_column(String(40), index=True)
    lead: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CaseEvent(Base):
    """One line of a case's timeline (transitions, 督办, extensions, notes, photos, 回访)."""

    __tablename__ = "case_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_case.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(64))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class CasePhoto(Base):
    __tablename__ = "case_photo"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_case.id"), index=True)
    path: Mapped[str] = mapped_column(String(300))  # relative to var_dir
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(16))  # intake | handling
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def open_clause(states: frozenset[str] | None = None) -> ColumnElement[bool]:
    """``state IN (...)`` with literal values (see the partial indexes above)."""
    chosen = sorted(states if states is not None else {s.value for s in OPEN_STATES})
    return Case.state.in_([literal(s, literal_execute=True) for s in chosen])


def manual_clause() -> ColumnElement[bool]:
    """The manual dispatch queue, spelled like ``ix_case_manual``'s predicate."""
    return Case.state.in_([literal(s, literal_execute=True) for s in MANUAL_STATES]) & (
        Case.department_code.is_(None)
    )
