"""iot: finished days' online rates kept per group (the hot readings are pruned after 48 h)

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "iot_online_day",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("dim", sa.String(12), primary_key=True),
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("devices", sa.Integer, nullable=False),
        sa.Column("online_s", sa.Float, nullable=False),
        sa.Column("total_s", sa.Float, nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("iot_online_day")
