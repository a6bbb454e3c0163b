"""quality rules, quarantine, correction tickets, scores

Revision ID: 0003
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def _tz() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "quality_rule",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("table_ref", sa.String(130), nullable=False, index=True),
        sa.Column("column", sa.String(63), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", _tz(), nullable=False),
    )
    op.create_table(
        "quality_quarantine",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("table_ref", sa.String(130), nullable=False, index=True),
        sa.Column("job_id", sa.String(64), nullable=False, index=True),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.String(64), nullable=False),
        sa.Column("rule_kind", sa.String(32), nullable=False, index=True),
        sa.Column("column", sa.String(63), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("resolved_by", sa.String(64), nullable=True),
        sa.Column("resolved_at", _tz(), nullable=True),
        sa.Column("fixed_values", sa.JSON(), nullable=True),
        sa.Column("created_at", _tz(), nullable=False),
    )
    op.create_table(
        "quality_ticket",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("table_ref", sa.String(130), nullable=False, index=True),
        sa.Column("department_code", sa.String(40), nullable=False, index=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("job_id", sa.String(64), nullable=True),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("violations", sa.Integer(), nullable=False),
        sa.Column("opened_at", _tz(), nullable=False),
        sa.Column("deadline", _tz(), nullable=False),
        sa.Column("deadline_provisional", sa.Boolean(), nullable=False),
        sa.Column("closed_at", _tz(), nullable=True),
        sa.Column("closing_job_id", sa.String(64), nullable=True),
    )
    op.create_table(
        "quality_score",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("table_ref", sa.String(130), nullable=False, index=True),
        sa.Column("department_code", sa.String(40), nullable=False, index=True),
        sa.Column("job_id", sa.String(64), nullable=False, index=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("bad_rows", sa.Integer(), nullable=False),
        sa.Column("warning_rows", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("at", _tz(), nullable=False, index=True),
    )
    op.create_table(
        "quality_table",
        sa.Column("table_ref", sa.String(130), primary_key=True),
        sa.Column("department_code", sa.String(40), nullable=False, index=True),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("update_cycle", sa.String(16), nullable=True),
        sa.Column("last_success_at", _tz(), nullable=True),
        sa.Column("updated_at", _tz(), nullable=False),
    )


def downgrade() -> None:
    tables = ("quality_table", "quality_score", "quality_ticket", "quality_quarantine")
    for name in (*tables, "quality_rule"):
        op.drop_table(name)
