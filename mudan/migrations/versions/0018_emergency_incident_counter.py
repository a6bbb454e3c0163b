"""emergency: one incident-number counter row per day (collision-free numbering)

Revision ID: 0017_emergency_counter
Revises: 0017 (iot online days)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_emergency_counter"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    counter = op.create_table(
        "emergency_incident_counter",
        sa.Column("day", sa.String(8), primary_key=True),
        sa.Column("last", sa.Integer(), nullable=False),
    )
    # Carry on from the numbers already handed out (YJ<yyyymmdd><nnn>).
    rows = op.get_bind().execute(sa.text("SELECT number FROM emergency_incident"))
    last: dict[str, int] = {}
    for (number,) in rows:
        day, seq = str(number)[2:10], str(number)[10:]
        if str(number).startswith("YJ") and day.isdigit() and seq.isdigit():
            last[day] = max(last.get(day, 0), int(seq))
    if last:
        op.bulk_insert(counter, [{"day": d, "last": n} for d, n in sorted(last.items())])


def downgrade() -> None:
    op.drop_table("emergency_incident_counter")
