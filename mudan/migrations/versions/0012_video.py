"""video channels: devices, channels, probes, snapshots, daily rates

Revision ID: 0012
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0006"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "video_device",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(20), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("type_code", sa.String(3), nullable=False),
        sa.Column("centre", sa.String(8), nullable=False),
        sa.Column("industry", sa.String(2), nullable=False),
        sa.Column("network", sa.String(1), nullable=False),
        sa.Column("owner_unit", sa.String(24), nullable=False),
        sa.Column("district_code", sa.String(20), nullable=True, index=True),
        sa.Column("keepalive_interval_s", sa.Integer, nullable=False),
        sa.Column("registered", sa.Boolean, nullable=False),
        sa.Column("last_register_at", TZ, nullable=True),
        sa.Column("last_keepalive_at", TZ, nullable=True),
        sa.Column("keepalive_deadline", TZ, nullable=True),
        sa.Column("online", sa.Boolean, nullable=False),
        sa.Column("offline_since", TZ, nullable=True),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "video_channel",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(20), nullable=False, unique=True),
        sa.Column(
            "device_id",
            sa.Integer,
            sa.ForeignKey("video_device.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("type_code", sa.String(3), nullable=False),
        sa.Column("centre", sa.String(8), nullable=False),
        sa.Column("industry", sa.String(2), nullable=False),
        sa.Column("network", sa.String(1), nullable=False),
        sa.Column("owner_unit", sa.String(24), nullable=False, index=True),
        sa.Column("district_code", sa.String(20), nullable=True, index=True),
        sa.Column("street_code", sa.String(20), nullable=True, index=True),
        sa.Column("community_code", sa.String(20), nullable=True),
        sa.Column("grid_code", sa.String(20), nullable=True),
        sa.Column("lon", sa.Float, nullable=True),
        sa.Column("lat", sa.Float, nullable=True),
        sa.Column("snapshot_url", sa.String(500), nullable=True),
        sa.Column("rtsp_url", sa.String(500), nullable=True),
        sa.Column("catalog_status", sa.String(8), nullable=False),
        sa.Column("last_probe_at", TZ, nullable=True),
        sa.Column("last_probe_result", sa.String(16), nullable=True),
        sa.Column("last_phash", sa.String(16), nullable=True),
        sa.Column("online", sa.Boolean, nullable=False),
        sa.Column("retrieved", sa.Boolean, nullable=False),
        sa.Column("status_at", TZ, nullable=True),
        sa.Column("offline_since", TZ, nullable=True),
        sa.Column("repair_key", sa.String(80), nullable=True),
        sa.Column("repair_case", sa.String(64), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "video_probe",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "channel_id",
            sa.Integer,
            sa.ForeignKey("video_channel.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("at", TZ, nullable=False, index=True),
        sa.Column("result", sa.String(16), nullable=False),
        sa.Column("latency_ms", sa.Integer, nullable=False),
        sa.Column("brightness", sa.Float, nullable=True),
        sa.Column("sharpness", sa.Float, nullable=True),
        sa.Column("phash", sa.String(16), nullable=True),
        sa.Column("distance", sa.Integer, nullable=True),
        sa.Column("detail", sa.String(300), nullable=False),
    )
    op.create_table(
        "video_snapshot",
        sa.Column(
            "channel_id",
            sa.Integer,
            sa.ForeignKey("video_channel.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("at", TZ, nullable=False),
        sa.Column("content_type", sa.String(40), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "video_rate_day",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("day", sa.Date, nullable=False, index=True),
        sa.Column("dim", sa.String(16), nullable=False),
        sa.Column("key", sa.String(24), nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("online", sa.Integer, nullable=False),
        sa.Column("retrieved", sa.Integer, nullable=False),
        sa.UniqueConstraint("day", "dim", "key"),
    )


def downgrade() -> None:
    for table in ("video_rate_day", "video_snapshot", "video_probe", "video_channel"):
        op.drop_table(table)
    op.drop_table("video_device")
