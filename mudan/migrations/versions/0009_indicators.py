"""indicator centre: definitions, versions, values, observations, forecasts, alerts

Revision ID: 0009
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0006"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "indicator_def",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("section", sa.String(16), nullable=False, index=True),
        sa.Column("definition", sa.Text, nullable=False),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("frequency", sa.String(16), nullable=False),
        sa.Column("department_code", sa.String(40), nullable=False),
        sa.Column("region_level", sa.String(16), nullable=False),
        sa.Column("target", sa.Float, nullable=True),
        sa.Column("higher_is_better", sa.Boolean, nullable=False),
        sa.Column("thresholds", sa.JSON, nullable=False),
        sa.Column("persistence_hours", sa.Integer, nullable=False),
        sa.Column("hysteresis", sa.Float, nullable=False),
        sa.Column("cooldown_hours", sa.Integer, nullable=False),
        sa.Column("source_datasets", sa.JSON, nullable=False),
        sa.Column("current_version", sa.Integer, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("builtin", sa.Boolean, nullable=False),
        sa.Column("sort_order", sa.Integer, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "indicator_version",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "indicator_id",
            sa.Integer,
            sa.ForeignKey("indicator_def.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("formula", sa.Text, nullable=False),
        sa.Column("aggregation", sa.String(16), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("indicator_id", "version"),
    )
    op.create_table(
        "indicator_value",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "indicator_id",
            sa.Integer,
            sa.ForeignKey("indicator_def.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column(
            "version_id",
            sa.Integer,
            sa.ForeignKey("indicator_version.id"),
            nullable=False,
            index=True,
        ),
        sa.Column("region_code", sa.String(20), nullable=False, index=True),
        sa.Column("period_start", TS, nullable=False, index=True),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("numerator", sa.Float, nullable=True),
        sa.Column("denominator", sa.Float, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("rolled_up", sa.Boolean, nullable=False),
        sa.Column("snapshots", sa.JSON, nullable=False),
        sa.Column("computed_at", TS, nullable=False),
        sa.UniqueConstraint("version_id", "region_code", "period_start"),
    )
    op.create_table(
        "indicator_observation",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("series", sa.String(40), nullable=False, index=True),
        sa.Column("region_code", sa.String(20), nullable=False, index=True),
        sa.Column("at", TS, nullable=False, index=True),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("weight", sa.Float, nullable=True),
        sa.UniqueConstraint("series", "region_code", "at"),
    )
    op.create_table(
        "indicator_forecast",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "indicator_id",
            sa.Integer,
            sa.ForeignKey("indicator_def.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("region_code", sa.String(20), nullable=False, index=True),
        sa.Column("run_at", TS, nullable=False),
        sa.Column("target_at", TS, nullable=False, index=True),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("lower", sa.Float, nullable=True),
        sa.Column("upper", sa.Float, nullable=True),
        sa.Column("method", sa.String(40), nullable=False),
        sa.UniqueConstraint("indicator_id", "region_code", "target_at"),
    )
    op.create_table(
        "indicator_alert",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("source", sa.String(64), nullable=False, index=True),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("dedup_key", sa.String(200), nullable=False, index=True),
        sa.Column("indicator_code", sa.String(64), nullable=True, index=True),
        sa.Column("region_code", sa.String(20), nullable=True, index=True),
        sa.Column("object_ref", sa.String(200), nullable=False),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("lon", sa.Float, nullable=True),
        sa.Column("lat", sa.Float, nullable=True),
        sa.Column("repeats", sa.Integer, nullable=False),
        sa.Column("first_seen", TS, nullable=False),
        sa.Column("last_seen", TS, nullable=False),
        sa.Column("closed_at", TS, nullable=True),
        sa.Column("task_ref", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "indicator_alert_event",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "alert_id",
            sa.Integer,
            sa.ForeignKey("indicator_alert.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "indicator_alert_event",
        "indicator_alert",
        "indicator_forecast",
        "indicator_observation",
        "indicator_value",
        "indicator_version",
        "indicator_def",
    ):
        op.drop_table(table)
