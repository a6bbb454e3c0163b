"""Video devices and channels (GB/T 28181 codes), probes, last snapshots and daily rates."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from mudan.core.db import Base, UTCDateTime, utcnow


class VideoDevice(Base):
    """A front-end device (IPC, NVR, DVR) that registers and sends keepalives."""

    __tablename__ = "video_device"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    type_code: Mapped[str] = mapped_column(String(3))
    centre: Mapped[str] = mapped_column(String(8))
    industry: Mapped[str] = mapped_column(String(2))
    network: Mapped[str] = mapped_column(String(1))
    owner_unit: Mapped[str] = mapped_column(String(24))
    district_code: Mapped[str | None] = mapped_column(String(20), index=True)
    keepalive_interval_s: Mapped[int] = mapped_column(Integer, default=60)
    registered: Mapped[bool] = mapped_column(Boolean, default=False)
    last_register_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_keepalive_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # last keepalive + interval × allowed misses: online while now <= deadline
    keepalive_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    offline_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class VideoChannel(Base):
    """One video channel (a camera view) with its fused status."""

    __tablename__ = "video_channel"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    device_id: Mapped[int] = mapped_column(
        ForeignKey("video_device.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    type_code: Mapped[str] = mapped_column(String(3))
    centre: Mapped[str] = mapped_column(String(8))
    industry: Mapped[str] = mapped_column(String(2))
    network: Mapped[str] = mapped_column(String(1))
    owner_unit: Mapped[str] = mapped_column(String(24), index=True)
    district_code: Mapped[str | None] = mapped_column(String(20), index=True)
    street_code: Mapped[str | None] = mapped_column(String(20), index=True)
    community_code: Mapped[str | None] = mapped_column(String(20))
    grid_code: Mapped[str | None] = mapped_column(String(20))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    snapshot_url: Mapped[str | None] = mapped_column(String(500))
    rtsp_url: Mapped[str | None] = mapped_column(String(500))
    catalog_status: Mapped[str] = mapped_column(String(8), default="ON")
    last_probe_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_probe_result: Mapped[str | None] = mapped_column(String(16))
    last_phash: Mapped[str | None] = mapped_column(String(16))
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    retrieved: Mapped[bool] = mapped_column(Boolean, default=False)
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    offline_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    repair_key: Mapped[str | None] = mapped_column(String(80))
    repair_case: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class VideoProbe(Base):
    """One image-retrieval probe of a channel and what the frame checks found."""

    __tablename__ = "video_probe"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("video_channel.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    result: Mapped[str] = mapped_column(String(16))
    latency_ms: Mapped[int] = mapped_column(Integer, default=0)
    brightness: Mapped[float | None] = mapped_column(Float)
    sharpness: Mapped[float | None] = mapped_column(Float)  # variance of the Laplacian
    phash: Mapped[str | None] = mapped_column(String(16))
    distance: Mapped[int | None] = mapped_column(Integer)  # Hamming distance to the last hash
    detail: Mapped[str] = mapped_column(String(300), default="")


class VideoSnapshot(Base):
    """The last frame a probe fetched (a small JPEG thumbnail), one per channel."""

    __tablename__ = "video_snapshot"

    channel_id: Mapped[int] = mapped_column(
        ForeignKey("video_channel.id", ondelete="CASCADE"), primary_key=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    content_type: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class VideoRateDay(Base):
    """在线率/出图率 counts of one day for one breakdown (city, district, street, owner unit)."""

    __tablename__ = "video_rate_day"
    __table_args__ = (UniqueConstraint("day", "dim", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    dim: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(24))
    total: Mapped[int] = mapped_column(Integer)
    online: Mapped[int] = mapped_column(Integer)
    retrieved: Mapped[int] = mapped_column(Integer)


def table_of(model: type[Base]) -> Table:
    """The Core table of a model (Core executemany is much faster than ORM bulk work)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table
