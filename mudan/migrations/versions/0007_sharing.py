"""sharing: share requests, timeline, step deadlines, grants, call log, county nodes,
return flows and deliveries

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "share_step_deadline",
        sa.Column("step", sa.String(16), primary_key=True),
        sa.Column("workdays", sa.Integer, nullable=False),
        sa.Column("remind_hours", sa.Integer, nullable=False),
    )
    op.create_table(
        "share_request",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "entry_id", sa.Integer, sa.ForeignKey("catalog_entry.id"), nullable=False, index=True
        ),
        sa.Column(
            "provider_department_id",
            sa.Integer,
            sa.ForeignKey("department.id"),
            nullable=False,
            index=True,
        ),
        sa.Column(
            "requester_department_id",
            sa.Integer,
            sa.ForeignKey("department.id"),
            nullable=False,
            index=True,
        ),
        sa.Column("requested_by", sa.String(64), nullable=False),
        sa.Column("items", sa.JSON, nullable=False),
        sa.Column("unmasked_items", sa.JSON, nullable=False),
        sa.Column("region_codes", sa.JSON, nullable=False),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("legal_basis", sa.Text, nullable=False),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("systems", sa.JSON, nullable=False),
        sa.Column("conditional", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("step", sa.String(16), nullable=True),
        sa.Column("info_step", sa.String(16), nullable=True),
        sa.Column("step_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True, index=True),
        sa.Column("due_provisional", sa.Boolean, nullable=False),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("overdue", sa.Boolean, nullable=False, index=True),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "share_event",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "request_id",
            sa.Integer,
            sa.ForeignKey("share_request.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("step", sa.String(16), nullable=True),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("audit_id", sa.Integer, nullable=True),
    )
    op.create_table(
        "share_grant",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "request_id", sa.Integer, sa.ForeignKey("share_request.id"), nullable=True, unique=True
        ),
        sa.Column(
            "entry_id", sa.Integer, sa.ForeignKey("catalog_entry.id"), nullable=False, index=True
        ),
        sa.Column("table_ref", sa.String(130), nullable=False, index=True),
        sa.Column(
            "consumer_department_id",
            sa.Integer,
            sa.ForeignKey("department.id"),
            nullable=False,
            index=True,
        ),
        sa.Column("items", sa.JSON, nullable=False),
        sa.Column("unmasked_items", sa.JSON, nullable=False),
        sa.Column("region_column", sa.String(63), nullable=True),
        sa.Column("region_codes", sa.JSON, nullable=False),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rate_per_minute", sa.Integer, nullable=False),
        sa.Column("client_user_id", sa.Integer, sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("status_reason", sa.Text, nullable=False),
        sa.Column("status_changed_by", sa.String(64), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "share_call",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("grant_id", sa.Integer, nullable=False, index=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("caller", sa.String(64), nullable=False),
        sa.Column("department_code", sa.String(40), nullable=False, index=True),
        sa.Column("purpose", sa.String(200), nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("query", sa.JSON, nullable=False),
        sa.Column("sealed_by", sa.Integer, nullable=True, index=True),
    )
    op.create_table(
        "share_county_node",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "region_code", sa.String(20), sa.ForeignKey("region.code"), nullable=False, unique=True
        ),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("target_kind", sa.String(16), nullable=False),
        sa.Column("target", sa.String(1000), nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "share_return_flow",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "node_id",
            sa.Integer,
            sa.ForeignKey("share_county_node.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("table_ref", sa.String(130), nullable=False),
        sa.Column("region_column", sa.String(63), nullable=False),
        sa.Column("target_table", sa.String(120), nullable=False),
        sa.Column("interval_minutes", sa.Integer, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("last_snapshot_id", sa.BigInteger, nullable=True),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status", sa.String(16), nullable=False),
        sa.Column("last_rows", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text, nullable=False),
        sa.Column("total_rows", sa.Integer, nullable=False),
    )
    op.create_table(
        "share_delivery",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "grant_id", sa.Integer, sa.ForeignKey("share_grant.id"), nullable=False, index=True
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("target_url", sa.String(1000), nullable=False),
        sa.Column("target_table", sa.String(120), nullable=False),
        sa.Column("interval_minutes", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("path", sa.String(1000), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
    )
    deadline = sa.table(
        "share_step_deadline",
        sa.column("step", sa.String),
        sa.column("workdays", sa.Integer),
        sa.column("remind_hours", sa.Integer),
    )
    op.bulk_insert(
        deadline,
        [
            {"step": "provider", "workdays": 5, "remind_hours": 24},
            {"step": "bureau", "workdays": 3, "remind_hours": 24},
        ],
    )


def downgrade() -> None:
    for name in (
        "share_delivery",
        "share_return_flow",
        "share_county_node",
        "share_call",
        "share_grant",
        "share_event",
        "share_request",
        "share_step_deadline",
    ):
        op.drop_table(name)
