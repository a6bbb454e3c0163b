"""County nodes (区县节点), return flows (回流), bulk exports and scheduled pushes (库表推送)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mudan.core.db import Base, UTCDateTime, utcnow


class CountyNode(Base):
    __tablename__ = "share_county_node"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    target_kind: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(1000))  # database URL or lake namespace
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    flows: Mapped[list[ReturnFlow]] = relationship(
        back_populates="node", cascade="all, delete-orphan", lazy="selectin"
    )


class ReturnFlow(Base):
    """Rows of one lake table whose region column falls in the node's county, delivered
    incrementally (by Iceberg snapshot difference) every ``interval_minutes``."""

    __tablename__ = "share_return_flow"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    node_id: Mapped[int] = mapped_column(
        ForeignKey("share_county_node.id", ondelete="CASCADE"), index=True
    )
    table_ref: Mapped[str] = mapped_column(String(130))
    region_column: Mapped[str] = mapped_column(String(63))
    target_table: Mapped[str] = mapped_column(String(120))
    interval_minutes: Mapped[int] = mapped_column(Integer, default=1440)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    last_snapshot_id: Mapped[int | None] = mapped_column(BigInteger)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status: Mapped[str] = mapped_column(String(16), default="")
    last_rows: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    total_rows: Mapped[int] = mapped_column(Integer, default=0)

    node: Mapped[CountyNode] = relationship(back_populates="flows", lazy="joined")


class Delivery(Base):
    """A bulk delivery of a grant: a one-off export file, or a scheduled push into the
    consumer's database (``target_url`` set, ``interval_minutes`` > 0)."""

    __tablename__ = "share_delivery"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("share_grant.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # export | push
    format: Mapped[str] = mapped_column(String(16), default="")
    target_url: Mapped[str] = mapped_column(String(1000), default="")
    target_table: Mapped[str] = mapped_column(String(120), default="")
    interval_minutes: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16))
    path: Mapped[str] = mapped_column(String(1000), default="")
    rows: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
