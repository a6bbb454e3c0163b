"""indicators: the demo-scale factor a count target was scaled by (None: the real target)

Revision ID: 0021_target_scale
Revises: 0020_region_version
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021_target_scale"
down_revision = "0020_region_version"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("indicator_def") as batch:
        batch.add_column(sa.Column("target_scale", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("indicator_def") as batch:
        batch.drop_column("target_scale")
