"""merge the domain branches: sharing, open data, indicators, ops, IoT, video, cases, emergency,
derived tables

Revision ID: 0016
Revises: 0007, 0008, 0009, 0010, 0011, 0012, 0013, 0014, 0015
"""

from __future__ import annotations

revision = "0016"
down_revision = ("0007", "0008", "0009", "0010", "0011", "0012", "0013", "0014", "0015")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
