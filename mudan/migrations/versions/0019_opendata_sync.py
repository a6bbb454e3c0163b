"""opendata: when each dataset's lake table was last read (the sync job refreshes reloads)

Revision ID: 0018
Revises: 0017_emergency_counter
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017_emergency_counter"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("opendata_dataset") as batch:
        batch.add_column(sa.Column("data_synced_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("opendata_dataset") as batch:
        batch.drop_column("data_synced_at")
