"""Tables of the iot domain: registry, latest state, hot readings, dead letters, rules, alerts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from mudan.core.db import Base, UTCDateTime, utcnow

BigId = BigInteger().with_variant(Integer, "sqlite")


class Device(Base):
    """One IoT terminal; the region chain comes from its location (grid → district)."""

    __tablename__ = "iot_device"
    # covering index for the online rate's registered time, grouped in SQL over 2,000,000 rows
    __table_args__ = (
        Index(
            "ix_iot_device_group",
            "type",
            "department_code",
            "district_code",
            "status",
            "installed_at",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    type: Mapped[str] = mapped_column(String(24), index=True)
    model: Mapped[str] = mapped_column(String(64))
    department_code: Mapped[str] = mapped_column(String(40), index=True)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    grid_code: Mapped[str | None] = mapped_column(String(20))
    community_code: Mapped[str | None] = mapped_column(String(20))
    street_code: Mapped[str | None] = mapped_column(String(20), index=True)
    district_code: Mapped[str | None] = mapped_column(String(20), index=True)
    protocol: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="active")
    interval_s: Mapped[int] = mapped_column(Integer)
    installed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Latest(Base):
    """The latest reading per device (kept apart from history; never moves backwards)."""

    __tablename__ = "iot_latest"

    device_id: Mapped[int] = mapped_column(
        ForeignKey("iot_device.id", ondelete="CASCADE"), primary_key=True
    )
    ts: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # received_at + OFFLINE_FACTOR × the device's interval: online while now < offline_after
    offline_after: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    v0: Mapped[float | None] = mapped_column(Float)
    v1: Mapped[float | None] = mapped_column(Float)
    v2: Mapped[float | None] = mapped_column(Float)
    v3: Mapped[float | None] = mapped_column(Float)


class Reading(Base):
    """Hot history (the dedup window); flushed to the lake in batches, pruned after retention."""

    __tablename__ = "iot_reading"
    __table_args__ = (UniqueConstraint("device_id", "ts", name="uq_iot_reading_device_ts"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    device_id: Mapped[int] = mapped_column(Integer, index=True)
    ts: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    v0: Mapped[float | None] = mapped_column(Float)
    v1: Mapped[float | None] = mapped_column(Float)
    v2: Mapped[float | None] = mapped_column(Float)
    v3: Mapped[float | None] = mapped_column(Float)
    flags: Mapped[str] = mapped_column(String(32), default="")
    msg_id: Mapped[str | None] = mapped_column(String(64))
    batch_id: Mapped[str | None] = mapped_column(String(48), index=True)


class DeadLetter(Base):
    __tablename__ = "iot_dead_letter"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    source: Mapped[str] = mapped_column(String(8))
    topic: Mapped[str] = mapped_column(String(300), default="")
    device_code: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(32), index=True)
    detail: Mapped[str] = mapped_column(String(500), default="")
    payload: Mapped[str] = mapped_column(Text, default="")


class Rule(Base):
    __tablename__ = "iot_rule"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    device_type: Mapped[str] = mapped_column(String(24), index=True)
    metric: Mapped[str] = mapped_column(String(32), default="")
    kind: Mapped[str] = mapped_column(String(16))
    op: Mapped[str] = mapped_column(String(2), default=">")
    limit: Mapped[float] = mapped_column(Float, default=0)
    level: Mapped[str] = mapped_column(String(8), default="yellow")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class AlertState(Base):
    """One open (or cleared) rule condition per dedup key: the hook is called once per onset."""

    __tablename__ = "iot_alert_state"

    dedup_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    rule_id: Mapped[int] = mapped_column(Integer)
    device_id: Mapped[int] = mapped_column(Integer, index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_at: Mapped[datetime] = mapped_column(UTCDateTime())
    alert_id: Mapped[int | None] = mapped_column(Integer)
    raised: Mapped[int] = mapped_column(Integer, default=1)


class LakeBatch(Base):
    """A claimed batch of hot readings on its way to the lake (pending → committed)."""

    __tablename__ = "iot_lake_batch"

    batch_id: Mapped[str] = mapped_column(String(48), primary_key=True)
    rows: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(12), default="pending")
    snapshot_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    committed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OnlineDay(Base):
    """A finished day's online rate per group, kept after the hot readings are pruned."""

    __tablename__ = "iot_online_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    dim: Mapped[str] = mapped_column(String(12), primary_key=True)  # type|department|region
    key: Mapped[str] = mapped_column(String(40), primary_key=True)  # "3717" = the whole city
    devices: Mapped[int] = mapped_column(Integer)
    online_s: Mapped[float] = mapped_column(Float)
    total_s: Mapped[float] = mapped_column(Float)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


__all__ = [
    "AlertState",
    "DeadLetter",
    "Device",
    "LakeBatch",
    "Latest",
    "OnlineDay",
    "Reading",
    "Rule",
]
