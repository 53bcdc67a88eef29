"""One head: the five branches grown side by side (alerts, nudges and their indexes, recovery and
posture, cases, reporting) joined, so a plain `alembic upgrade head` works and every later
migration has one parent.

Revision ID: 0009
Revises: 0003, 0005, 0006, 0007, 0008
Create Date: 2026-12-06 11:09:10.416719
"""

from __future__ import annotations

revision = "0009"
down_revision = ("0003", "0005", "0006", "0007", "0008")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
