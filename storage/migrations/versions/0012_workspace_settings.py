"""workspace settings: each workspace's own security admins, channels, support and reminder knobs

Revision ID: 0012
Revises: 0011_installations
Create Date: 2026-12-07 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0012"
down_revision = "0011_installations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workspace_settings",
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("security_admins", sa.JSON(), nullable=True),
        sa.Column("escalation_channel", sa.String(length=32), nullable=True),
        sa.Column("support_channel", sa.String(length=32), nullable=True),
        sa.Column("support_contact", sa.String(length=200), nullable=True),
        sa.Column("support_handlers", sa.JSON(), nullable=True),
        sa.Column("reminder_cap", sa.Integer(), nullable=True),
        sa.Column("working_hours_start", sa.String(length=5), nullable=True),
        sa.Column("working_hours_end", sa.String(length=5), nullable=True),
        sa.Column("working_days", sa.JSON(), nullable=True),
        sa.Column("default_time_zone", sa.String(length=64), nullable=True),
        sa.Column("changed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("changed_by", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("workspace_id", name=op.f("pk_workspace_settings")),
    )


def downgrade() -> None:
    op.drop_table("workspace_settings")
