"""Incident-grade cases: each case's severity (and who changed it by hand), and the platform's
ticket or appeal reference with what the platform answered.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-20 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch_op:
        batch_op.add_column(sa.Column("severity", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("severity_set_by", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("platform_reference", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("platform_answer", sa.String(length=3000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch_op:
        batch_op.drop_column("platform_answer")
        batch_op.drop_column("platform_reference")
        batch_op.drop_column("severity_set_by")
        batch_op.drop_column("severity")
