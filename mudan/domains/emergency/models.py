"""Plans (预案), resources, duty roster (值班), incidents with their timeline and daily number
counter, report deadlines (信息报送), role checklists, in-app inbox, notification deliveries and
post-incident reviews."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mudan.core.db import Base, UTCDateTime, utcnow

_TZ = UTCDateTime()


class Plan(Base):
    __tablename__ = "emergency_plan"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    event_type: Mapped[str] = mapped_column(String(32), index=True)
    department_code: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(_TZ, default=utcnow)

    levels: Mapped[list[PlanLevel]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="PlanLevel.level"
    )
    roles: Mapped[list[PlanRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="PlanRole.id"
    )


class PlanLevel(Base):
    """One response level of a plan: when it applies and its report deadlines (信息报送)."""

    __tablename__ = "emergency_plan_level"
    __table_args__ = (UniqueConstraint("plan_id", "level"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("emergency_plan.id", ondelete="CASCADE"))
    level: Mapped[int] = mapped_column(Integer)
    criteria: Mapped[str] = mapped_column(Text, default="")
    # [{"title": "首报", "minutes": 30}, {"title": "续报", "minutes": 120}, …]
    reports: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class PlanRole(Base):
    """A role of a plan (总指挥, 现场指挥 …); ``checklists`` maps a level ("1".."4") to items.
    A role takes part at exactly the levels it has a checklist for."""

    __tablename__ = "emergency_plan_role"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("emergency_plan.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))
    department_code: Mapped[str] = mapped_column(String(40), default="")
    checklists: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)

    holders: Mapped[list[RoleHolder]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="RoleHolder.id"
    )


class RoleHolder(Base):
    """A person holding a plan role: a platform user (in-app inbox) and/or a phone (SMS/voice)."""

    __tablename__ = "emergency_role_holder"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    role_id: Mapped[int] = mapped_column(
        ForeignKey("emergency_plan_role.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(20), default="")
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)  # e.g. ["sms", "voice"]


class Resource(Base):
    __tablename__ = "emergency_resource"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), index=True)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    district_code: Mapped[str | None] = mapped_column(String(20), index=True)
    street_code: Mapped[str | None] = mapped_column(String(20))
    capacity: Mapped[int] = mapped_column(Integer, default=0)
    unit: Mapped[str] = mapped_column(String(20), default="")
    owner_department_code: Mapped[str] = mapped_column(String(40), index=True)
    contact: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(Text, default="")


class DutyShift(Base):
    """One person on duty for one shift of one day (times stored in UTC)."""

    __tablename__ = "emergency_duty"
    __table_args__ = (UniqueConstraint("day", "shift", "post", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    shift: Mapped[str] = mapped_column(String(16))
    post: Mapped[str] = mapped_column(String(16))
    starts_at: Mapped[datetime] = mapped_column(_TZ, index=True)
    ends_at: Mapped[datetime] = mapped_column(_TZ, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(20), default="")
    department_code: Mapped[str] = mapped_column(String(40), default="")


class Incident(Base):
    __tablename__ = "emergency_incident"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    event_type: Mapped[str] = mapped_column(String(32), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("emergency_plan.id"))
    level: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True, default="open")
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    district_code: Mapped[str | None] = mapped_column(String(20), index=True)
    street_code: Mapped[str | None] = mapped_column(String(20))
    region_path: Mapped[str] = mapped_column(String(200), index=True)
    location_text: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(32), default="manual")
    source_ref: Mapped[str] = mapped_column(String(128), default="", index=True)
    opened_by: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column(_TZ, index=True)
    closed_by: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[datetime | None] = mapped_column(_TZ)
    close_note: Mapped[str] = mapped_column(Text, default="")


class IncidentCounter(Base):
    """The last incident number handed out on one China-time day (``numbering``)."""

    __tablename__ = "emergency_incident_counter"

    day: Mapped[str] = mapped_column(String(8), primary_key=True)  # yyyymmdd
    last: Mapped[int] = mapped_column(Integer)


class TimelineEntry(Base):
    """Every step of an incident; ``detail`` holds the parameters the page renders via i18n."""

    __tablename__ = "emergency_timeline"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("emergency_incident.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(_TZ)
    kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(64))
    level: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Report(Base):
    """A report (信息报送): a deadline started by a level (``due_at``) and/or a submission."""

    __tablename__ = "emergency_report"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("emergency_incident.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(100))
    due_at: Mapped[datetime | None] = mapped_column(_TZ, index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(_TZ)
    submitted_by: Mapped[str | None] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text, default="")
    overdue_at: Mapped[datetime | None] = mapped_column(_TZ)  # when it was marked overdue


class ChecklistItem(Base):
    __tablename__ = "emergency_checklist"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("emergency_incident.id", ondelete="CASCADE"), index=True
    )
    role_id: Mapped[int] = mapped_column(ForeignKey("emergency_plan_role.id"))
    level: Mapped[int] = mapped_column(Integer)
    item: Mapped[str] = mapped_column(String(300))
    done_at: Mapped[datetime | None] = mapped_column(_TZ)
    done_by: Mapped[str | None] = mapped_column(String(64))


class InboxMessage(Base):
    """An in-app notification (站内通知) for one user."""

    __tablename__ = "emergency_inbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("emergency_incident.id", ondelete="CASCADE")
    )
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(_TZ, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(_TZ)


class Delivery(Base):
    """The result of sending one notification over one channel."""

    __tablename__ = "emergency_delivery"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("emergency_incident.id", ondelete="CASCADE"), index=True
    )
    holder_id: Mapped[int | None] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(Integer)
    recipient: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(32))
    provider: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(_TZ)


class Review(Base):
    """The post-incident review (复盘): what happened, timings, lessons, follow-up actions."""

    __tablename__ = "emergency_review"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("emergency_incident.id", ondelete="CASCADE"), unique=True
    )
    summary: Mapped[str] = mapped_column(Text)
    timings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    lessons: Mapped[str] = mapped_column(Text, default="")
    follow_ups: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(_TZ, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(_TZ, default=utcnow)
