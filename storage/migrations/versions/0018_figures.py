"""Each workspace's case targets per severity (time to take, time to resolve), in its settings.

Revision ID: 0018
Revises: 0015
Create Date: 2026-12-22 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workspace_settings") as batch_op:
        batch_op.add_column(sa.Column("case_targets", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workspace_settings") as batch_op:
        batch_op.drop_column("case_targets")
