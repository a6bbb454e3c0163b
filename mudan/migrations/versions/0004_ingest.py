"""ingest jobs and lineage

Revision ID: 0004
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ingest_job",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("table_ref", sa.String(130), nullable=False, index=True),
        sa.Column("catalog_entry_id", sa.Integer, nullable=True, index=True),
        sa.Column("department_code", sa.String(40), nullable=False, index=True),
        sa.Column("source_kind", sa.String(16), nullable=False),
        sa.Column("source_ref", sa.String(500), nullable=False),
        sa.Column("batch_id", sa.String(64), nullable=False, index=True),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("rows_read", sa.Integer, nullable=False),
        sa.Column("rows_written", sa.Integer, nullable=False),
        sa.Column("rows_quarantined", sa.Integer, nullable=False),
        sa.Column("bytes_total", sa.Integer, nullable=False),
        sa.Column("snapshot_id", sa.String(32), nullable=True),
        sa.Column("error_code", sa.String(64), nullable=True),
        sa.Column("error_message", sa.Text, nullable=True),
        sa.Column("log", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "lineage_edge",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("src_kind", sa.String(16), nullable=False),
        sa.Column("src_ref", sa.String(500), nullable=False, index=True),
        sa.Column("dst_kind", sa.String(16), nullable=False),
        sa.Column("dst_ref", sa.String(500), nullable=False, index=True),
        sa.Column("job_id", sa.String(32), nullable=True, index=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("lineage_edge")
    op.drop_table("ingest_job")
