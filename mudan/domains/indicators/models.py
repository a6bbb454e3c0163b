"""Indicator definitions with versions, computed values, observations, forecasts and alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from mudan.core.db import Base, UTCDateTime, utcnow


class IndicatorDef(Base):
    """An indicator's 口径. The formula lives in versions; ``current_version`` is the one used."""

    __tablename__ = "indicator_def"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    section: Mapped[str] = mapped_column(String(16), index=True)
    definition: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(20), default="")
    frequency: Mapped[str] = mapped_column(String(16))
    department_code: Mapped[str] = mapped_column(String(40), default="")
    region_level: Mapped[str] = mapped_column(String(16), default="city")
    target: Mapped[float | None] = mapped_column(Float)
    # A demo world at --scale S compares counts with target × S: S is kept to say so on pages.
    target_scale: Mapped[float | None] = mapped_column(Float)
    higher_is_better: Mapped[bool] = mapped_column(Boolean, default=True)
    thresholds: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    persistence_hours: Mapped[int] = mapped_column(Integer, default=0)
    hysteresis: Mapped[float] = mapped_column(Float, default=0.0)
    cooldown_hours: Mapped[int] = mapped_column(Integer, default=0)
    source_datasets: Mapped[list[str]] = mapped_column(JSON, default=list)
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    sort_order: Mapped[int] = mapped_column(Integer, default=100)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class IndicatorVersion(Base):
    """One formula of an indicator. Never edited: a changed formula is a new version."""

    __tablename__ = "indicator_version"
    __table_args__ = (UniqueConstraint("indicator_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicator_def.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    formula: Mapped[str] = mapped_column(Text)
    aggregation: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class IndicatorValue(Base):
    """A computed value for one region and period, tied to the version that produced it
    (and, for SQL formulas, the lake snapshots it read, so it can be recomputed exactly)."""

    __tablename__ = "indicator_value"
    __table_args__ = (UniqueConstraint("version_id", "region_code", "period_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicator_def.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[int] = mapped_column(ForeignKey("indicator_version.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(20), index=True)
    period_start: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    value: Mapped[float | None] = mapped_column(Float)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str] = mapped_column(Text, default="")
    rolled_up: Mapped[bool] = mapped_column(Boolean, default=False)
    snapshots: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Observation(Base):
    """A raw reading of a city vital sign (AQI, PM2.5, water level …) for a region and time."""

    __tablename__ = "indicator_observation"
    __table_args__ = (UniqueConstraint("series", "region_code", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    series: Mapped[str] = mapped_column(String(40), index=True)
    region_code: Mapped[str] = mapped_column(String(20), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    value: Mapped[float] = mapped_column(Float)
    weight: Mapped[float | None] = mapped_column(Float)  # e.g. parking spaces behind a rate


class Forecast(Base):
    """A forecast point from one run (per indicator and region)."""

    __tablename__ = "indicator_forecast"
    __table_args__ = (UniqueConstraint("indicator_id", "region_code", "target_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicator_def.id", ondelete="CASCADE"), index=True
    )
    region_code: Mapped[str] = mapped_column(String(20), index=True)
    run_at: Mapped[datetime] = mapped_column(UTCDateTime())
    target_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    value: Mapped[float] = mapped_column(Float)
    lower: Mapped[float | None] = mapped_column(Float)
    upper: Mapped[float | None] = mapped_column(Float)
    method: Mapped[str] = mapped_column(String(40))


class Alert(Base):
    """An alert. Ids only grow (inserts are serialised), so a screen can poll ``id > last``."""

    __tablename__ = "indicator_alert"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(64), index=True)
    level: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), index=True)
    title: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text, default="")
    dedup_key: Mapped[str] = mapped_column(String(200), index=True)
    indicator_code: Mapped[str | None] = mapped_column(String(64), index=True)
    region_code: Mapped[str | None] = mapped_column(String(20), index=True)
    object_ref: Mapped[str] = mapped_column(String(200), default="")
    value: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    repeats: Mapped[int] = mapped_column(Integer, default=1)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    task_ref: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AlertEvent(Base):
    """The alert's timeline: raised, repeated, escalated, acknowledged, handed off, closed …"""

    __tablename__ = "indicator_alert_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(
        ForeignKey("indicator_alert.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(8), default="")
    note: Mapped[str] = mapped_column(Text, default="")
