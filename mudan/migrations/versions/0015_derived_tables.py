"""derived tables (saved queries materialised into the lake)

Revision ID: 0015
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "derived_table",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("table_ref", sa.String(130), nullable=False),
        sa.Column("department_code", sa.String(40), nullable=False, index=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("sql", sa.Text, nullable=False),
        sa.Column("sources", sa.JSON, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("snapshot_id", sa.String(32), nullable=True),
        sa.Column("rows", sa.Integer, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.UniqueConstraint("table_ref", name="uq_derived_table_table_ref"),
    )


def downgrade() -> None:
    op.drop_table("derived_table")
