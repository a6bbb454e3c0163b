"""Big-screen layouts as data (screens → panels) and the ops domain's small settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mudan.core.db import Base, UTCDateTime, utcnow


class OpsScreen(Base):
    """One topic screen of the carousel (overview, data platform, environment …)."""

    __tablename__ = "ops_screen"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)  # order in the carousel
    dwell_s: Mapped[int] = mapped_column(Integer, default=30)  # seconds before the next screen
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_by: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    panels: Mapped[list[OpsPanel]] = relationship(
        back_populates="screen",
        cascade="all, delete-orphan",
        order_by="OpsPanel.id",
        lazy="selectin",
    )


class OpsPanel(Base):
    """A panel on a 24 × 12 grid: its kind, the indicator codes it shows and its cell box."""

    __tablename__ = "ops_panel"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    screen_id: Mapped[int] = mapped_column(
        ForeignKey("ops_screen.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(100))
    section: Mapped[str] = mapped_column(String(16))
    codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    x: Mapped[int] = mapped_column(Integer)
    y: Mapped[int] = mapped_column(Integer)
    w: Mapped[int] = mapped_column(Integer)
    h: Mapped[int] = mapped_column(Integer)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    screen: Mapped[OpsScreen] = relationship(back_populates="panels")


class OpsSetting(Base):
    """Small key/value state of the domain (e.g. how many demo map points to serve)."""

    __tablename__ = "ops_setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(500))
