"""emergency command: plans, resources, duty roster, incidents, reports, notifications, reviews

Revision ID: 0014
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0006"
branch_labels = None
depends_on = None

TABLES = (
    "emergency_plan",
    "emergency_plan_level",
    "emergency_plan_role",
    "emergency_role_holder",
    "emergency_resource",
    "emergency_duty",
    "emergency_incident",
    "emergency_timeline",
    "emergency_report",
    "emergency_checklist",
    "emergency_inbox",
    "emergency_delivery",
    "emergency_review",
)


def _tz() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "emergency_plan",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(40), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("event_type", sa.String(32), nullable=False, index=True),
        sa.Column("department_code", sa.String(40), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("created_at", _tz(), nullable=False),
    )
    op.create_table(
        "emergency_plan_level",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "plan_id",
            sa.Integer(),
            sa.ForeignKey("emergency_plan.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("criteria", sa.Text(), nullable=False),
        sa.Column("reports", sa.JSON(), nullable=False),
        sa.UniqueConstraint("plan_id", "level"),
    )
    op.create_table(
        "emergency_plan_role",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "plan_id",
            sa.Integer(),
            sa.ForeignKey("emergency_plan.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("department_code", sa.String(40), nullable=False),
        sa.Column("checklists", sa.JSON(), nullable=False),
        sa.UniqueConstraint("plan_id", "code"),
    )
    op.create_table(
        "emergency_role_holder",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "role_id",
            sa.Integer(),
            sa.ForeignKey("emergency_plan_role.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("app_user.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
    )
    op.create_table(
        "emergency_resource",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(40), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False, index=True),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("district_code", sa.String(20), nullable=True, index=True),
        sa.Column("street_code", sa.String(20), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("owner_department_code", sa.String(40), nullable=False, index=True),
        sa.Column("contact", sa.String(100), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
    )
    op.create_table(
        "emergency_duty",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("day", sa.Date(), nullable=False, index=True),
        sa.Column("shift", sa.String(16), nullable=False),
        sa.Column("post", sa.String(16), nullable=False),
        sa.Column("starts_at", _tz(), nullable=False, index=True),
        sa.Column("ends_at", _tz(), nullable=False, index=True),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("app_user.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("department_code", sa.String(40), nullable=False),
        sa.UniqueConstraint("day", "shift", "post", "name"),
    )
    op.create_table(
        "emergency_incident",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("number", sa.String(32), nullable=False, unique=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("event_type", sa.String(32), nullable=False, index=True),
        sa.Column("plan_id", sa.Integer(), sa.ForeignKey("emergency_plan.id"), nullable=True),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("district_code", sa.String(20), nullable=True, index=True),
        sa.Column("street_code", sa.String(20), nullable=True),
        sa.Column("region_path", sa.String(200), nullable=False, index=True),
        sa.Column("location_text", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("source_ref", sa.String(128), nullable=False, index=True),
        sa.Column("opened_by", sa.String(64), nullable=False),
        sa.Column("opened_at", _tz(), nullable=False, index=True),
        sa.Column("closed_by", sa.String(64), nullable=True),
        sa.Column("closed_at", _tz(), nullable=True),
        sa.Column("close_note", sa.Text(), nullable=False),
    )
    op.create_table(
        "emergency_timeline",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "incident_id",
            sa.Integer(),
            sa.ForeignKey("emergency_incident.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("at", _tz(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
    )
    op.create_table(
        "emergency_report",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "incident_id",
            sa.Integer(),
            sa.ForeignKey("emergency_incident.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("due_at", _tz(), nullable=True, index=True),
        sa.Column("submitted_at", _tz(), nullable=True),
        sa.Column("submitted_by", sa.String(64), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("overdue_at", _tz(), nullable=True),
    )
    op.create_table(
        "emergency_checklist",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "incident_id",
            sa.Integer(),
            sa.ForeignKey("emergency_incident.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("role_id", sa.Integer(), sa.ForeignKey("emergency_plan_role.id"), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(300), nullable=False),
        sa.Column("done_at", _tz(), nullable=True),
        sa.Column("done_by", sa.String(64), nullable=True),
    )
    op.create_table(
        "emergency_inbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("app_user.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column(
            "incident_id",
            sa.Integer(),
            sa.ForeignKey("emergency_incident.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", _tz(), nullable=False),
        sa.Column("read_at", _tz(), nullable=True),
    )
    op.create_table(
        "emergency_delivery",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "incident_id",
            sa.Integer(),
            sa.ForeignKey("emergency_incident.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("holder_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("recipient", sa.String(100), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("at", _tz(), nullable=False),
    )
    op.create_table(
        "emergency_review",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "incident_id",
            sa.Integer(),
            sa.ForeignKey("emergency_incident.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("timings", sa.JSON(), nullable=False),
        sa.Column("lessons", sa.Text(), nullable=False),
        sa.Column("follow_ups", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", _tz(), nullable=False),
        sa.Column("updated_at", _tz(), nullable=False),
    )


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)
