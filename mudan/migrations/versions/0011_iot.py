"""iot terminals: registry, latest state, hot readings, dead letters, rules, alert states

Revision ID: 0011
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0006"
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer, "sqlite")
TS = sa.DateTime(timezone=True)


def _values() -> list[sa.Column[float]]:
    return [sa.Column(f"v{i}", sa.Float, nullable=True) for i in range(4)]


def upgrade() -> None:
    op.create_table(
        "iot_device",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(64), nullable=False, unique=True),
        sa.Column("type", sa.String(24), nullable=False, index=True),
        sa.Column("model", sa.String(64), nullable=False),
        sa.Column("department_code", sa.String(40), nullable=False, index=True),
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("lat", sa.Float, nullable=False),
        sa.Column("grid_code", sa.String(20), nullable=True),
        sa.Column("community_code", sa.String(20), nullable=True),
        sa.Column("street_code", sa.String(20), nullable=True, index=True),
        sa.Column("district_code", sa.String(20), nullable=True, index=True),
        sa.Column("protocol", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("interval_s", sa.Integer, nullable=False),
        sa.Column("installed_at", TS, nullable=False),
    )
    op.create_table(
        "iot_latest",
        sa.Column(
            "device_id",
            sa.Integer,
            sa.ForeignKey("iot_device.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("ts", TS, nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("offline_after", TS, nullable=False, index=True),
        *_values(),
    )
    op.create_table(
        "iot_reading",
        sa.Column("id", BIG, primary_key=True, autoincrement=True),
        sa.Column("device_id", sa.Integer, nullable=False, index=True),
        sa.Column("ts", TS, nullable=False),
        sa.Column("received_at", TS, nullable=False, index=True),
        *_values(),
        sa.Column("flags", sa.String(32), nullable=False),
        sa.Column("msg_id", sa.String(64), nullable=True),
        sa.Column("batch_id", sa.String(48), nullable=True, index=True),
        sa.UniqueConstraint("device_id", "ts", name="uq_iot_reading_device_ts"),
    )
    op.create_table(
        "iot_dead_letter",
        sa.Column("id", BIG, primary_key=True, autoincrement=True),
        sa.Column("received_at", TS, nullable=False, index=True),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("topic", sa.String(300), nullable=False),
        sa.Column("device_code", sa.String(64), nullable=True),
        sa.Column("reason", sa.String(32), nullable=False, index=True),
        sa.Column("detail", sa.String(500), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
    )
    op.create_table(
        "iot_rule",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("device_type", sa.String(24), nullable=False, index=True),
        sa.Column("metric", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("op", sa.String(2), nullable=False),
        sa.Column("limit", sa.Float, nullable=False),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
    )
    op.create_table(
        "iot_alert_state",
        sa.Column("dedup_key", sa.String(200), primary_key=True),
        sa.Column("rule_id", sa.Integer, nullable=False),
        sa.Column("device_id", sa.Integer, nullable=False, index=True),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("opened_at", TS, nullable=False),
        sa.Column("last_at", TS, nullable=False),
        sa.Column("alert_id", sa.Integer, nullable=True),
        sa.Column("raised", sa.Integer, nullable=False),
    )
    op.create_table(
        "iot_lake_batch",
        sa.Column("batch_id", sa.String(48), primary_key=True),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("snapshot_id", sa.BigInteger, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("committed_at", TS, nullable=True),
    )


def downgrade() -> None:
    for name in (
        "iot_lake_batch",
        "iot_alert_state",
        "iot_rule",
        "iot_dead_letter",
        "iot_reading",
        "iot_latest",
        "iot_device",
    ):
        op.drop_table(name)
