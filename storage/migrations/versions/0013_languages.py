"""Languages: each member's Slack locale (users.info with include_locale) and their own choice
(`/security language`), and each workspace's default language for its channels.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("members") as batch_op:
        batch_op.add_column(sa.Column("locale", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))
    with op.batch_alter_table("workspace_settings") as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workspace_settings") as batch_op:
        batch_op.drop_column("language")
    with op.batch_alter_table("members") as batch_op:
        batch_op.drop_column("language")
        batch_op.drop_column("locale")
