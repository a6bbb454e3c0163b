"""kernel: the region tree's version counter (invalidates cached point locators)

Revision ID: 0020_region_version
Revises: 0019_security
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_region_version"
down_revision = "0019_security"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "region_tree_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(table, [{"id": 1, "version": 0}])


def downgrade() -> None:
    op.drop_table("region_tree_version")
