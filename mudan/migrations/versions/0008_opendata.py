"""open-data portal: datasets, applications, feedback

Revision ID: 0008
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None


def _tz() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "opendata_dataset",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "entry_id",
            sa.Integer(),
            sa.ForeignKey("catalog_entry.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("department_code", sa.String(40), nullable=False, index=True),
        sa.Column("department_name", sa.String(200), nullable=False),
        sa.Column("theme", sa.String(32), nullable=False, index=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("open_type", sa.String(16), nullable=False, index=True),
        sa.Column("open_conditions", sa.Text(), nullable=False),
        sa.Column("update_cycle", sa.String(16), nullable=False),
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("license_id", sa.String(32), nullable=False),
        sa.Column("table_ref", sa.String(130), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("catalog_version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False, index=True),
        sa.Column("data_rows", sa.Integer(), nullable=False),
        sa.Column("data_updated_at", _tz(), nullable=True),
        sa.Column("view_count", sa.Integer(), nullable=False),
        sa.Column("download_count", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("qualified", sa.Boolean(), nullable=True),
        sa.Column("checks", sa.JSON(), nullable=False),
        sa.Column("scored_at", _tz(), nullable=True),
        sa.Column("created_at", _tz(), nullable=False),
        sa.Column("modified_at", _tz(), nullable=False),
    )
    op.create_table(
        "opendata_application",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "dataset_id",
            sa.Integer(),
            sa.ForeignKey("opendata_dataset.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column(
            "user_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=False, index=True
        ),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("created_at", _tz(), nullable=False),
        sa.Column("decided_at", _tz(), nullable=True),
    )
    op.create_table(
        "opendata_feedback",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "dataset_id",
            sa.Integer(),
            sa.ForeignKey("opendata_dataset.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(100), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _tz(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("opendata_feedback")
    op.drop_table("opendata_application")
    op.drop_table("opendata_dataset")
