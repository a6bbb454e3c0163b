"""cases: categories, routing rules, cases, reporters, assignments, timeline, photos

Revision ID: 0013
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0006"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
# The open states (mudan.domains.cases.enums.OPEN_STATES), frozen here as the migration wrote them.
OPEN_SQL = sa.text(
    "state IN ('dispatched', 'handling', 'parked', 'received', 'registered', 'verifying')"
)


def upgrade() -> None:
    op.create_table(
        "case_category",
        sa.Column("code", sa.String(16), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("group_name", sa.String(100), nullable=False),
        sa.Column("limit_value", sa.Integer, nullable=False),
        sa.Column("limit_unit", sa.String(16), nullable=False),
        sa.Column("is_dispute", sa.Boolean, nullable=False),
        sa.Column("keywords", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
    )
    op.create_table(
        "case_routing_rule",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "category_code",
            sa.String(16),
            sa.ForeignKey("case_category.code"),
            nullable=False,
            index=True,
        ),
        sa.Column("region_code", sa.String(20), nullable=False),
        sa.Column("department_code", sa.String(40), nullable=False),
    )
    op.create_table(
        "case_case",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("number", sa.String(32), nullable=False, unique=True),
        sa.Column("idempotency_key", sa.String(128), nullable=True, unique=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("object_ref", sa.String(200), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column(
            "category_code", sa.String(16), sa.ForeignKey("case_category.code"), nullable=False
        ),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("parked_from", sa.String(16), nullable=True),
        sa.Column("park_reason", sa.String(200), nullable=False),
        sa.Column("lon", sa.Float, nullable=True),
        sa.Column("lat", sa.Float, nullable=True),
        sa.Column("grid_code", sa.String(20), nullable=True),
        sa.Column("community_code", sa.String(20), nullable=True),
        sa.Column("street_code", sa.String(20), nullable=True),
        sa.Column("district_code", sa.String(20), nullable=True, index=True),
        sa.Column("region_path", sa.String(200), nullable=False, index=True),
        sa.Column("department_code", sa.String(40), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("warn_at", TS, nullable=False),
        sa.Column("due_at", TS, nullable=False),
        sa.Column("due_provisional", sa.Boolean, nullable=False),
        sa.Column("closed_at", TS, nullable=True),
        sa.Column("escalation_rung", sa.String(16), nullable=False),
        sa.Column("returns", sa.Integer, nullable=False),
        sa.Column("reopenings", sa.Integer, nullable=False),
        sa.Column("satisfaction", sa.Integer, nullable=True),
        sa.Column("mediation", sa.String(16), nullable=True),
        sa.Column("suggested_merge_id", sa.Integer, nullable=True),
        sa.Column(
            "merged_into_id", sa.Integer, sa.ForeignKey("case_case.id"), nullable=True, index=True
        ),
        sa.Column("extension_status", sa.String(16), nullable=True),
        sa.Column("extension_hours", sa.Float, nullable=True),
        sa.Column("extension_reason", sa.String(200), nullable=False),
    )
    for name, cols in (
        ("ix_case_open_dept", ["department_code", "due_at"]),
        ("ix_case_open_due", ["due_at"]),
        ("ix_case_open_warn", ["warn_at"]),
    ):
        op.create_index(name, "case_case", cols, postgresql_where=OPEN_SQL, sqlite_where=OPEN_SQL)
    manual = sa.text("state IN ('received', 'registered') AND department_code IS NULL")
    op.create_index(
        "ix_case_manual", "case_case", ["due_at"], postgresql_where=manual, sqlite_where=manual
    )
    op.create_index("ix_case_dup", "case_case", ["category_code", "created_at"])
    op.create_table(
        "case_reporter",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("case_case.id"), nullable=False, index=True),
        sa.Column("origin_case_id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("phone", sa.String(32), nullable=False),
        sa.Column("account", sa.String(64), nullable=False),
    )
    op.create_table(
        "case_assignment",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("case_case.id"), nullable=False, index=True),
        sa.Column("department_code", sa.String(40), nullable=False, index=True),
        sa.Column("lead", sa.Boolean, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("assigned_at", TS, nullable=False),
    )
    op.create_table(
        "case_event",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("case_case.id"), nullable=False, index=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("from_state", sa.String(16), nullable=True),
        sa.Column("to_state", sa.String(16), nullable=True),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
    )
    op.create_table(
        "case_photo",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("case_case.id"), nullable=False, index=True),
        sa.Column("path", sa.String(300), nullable=False),
        sa.Column("content_type", sa.String(40), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("uploaded_by", sa.String(64), nullable=False),
        sa.Column("uploaded_at", TS, nullable=False),
    )


def downgrade() -> None:
    for name in ("case_photo", "case_event", "case_assignment", "case_reporter"):
        op.drop_table(name)
    for ix in (
        "ix_case_open_dept",
        "ix_case_open_due",
        "ix_case_open_warn",
        "ix_case_manual",
        "ix_case_dup",
    ):
        op.drop_index(ix, table_name="case_case")
    op.drop_table("case_case")
    op.drop_table("case_routing_rule")
    op.drop_table("case_category")
