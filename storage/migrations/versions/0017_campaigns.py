"""campaigns: one check on the business accounts in scope by a deadline, and its daily progress

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-22 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0017"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("check", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=150), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("scope_value", sa.String(length=64), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("due_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_by", sa.String(length=32), nullable=False),
        sa.Column("started_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("stopped_by", sa.String(length=32), nullable=True),
        sa.Column("stopped_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("overdue_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    op.create_index("ix_campaigns_workspace_id_status", "campaigns", ["workspace_id", "status"])
    op.create_table(
        "campaign_days",
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("pairs", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("exempt", sa.Integer(), nullable=False),
        sa.Column("accounts", sa.Integer(), nullable=False),
        sa.Column("accounts_done", sa.Integer(), nullable=False),
        sa.Column("breakdown", sa.JSON(), nullable=False),
        sa.Column("taken_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_days_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "workspace_id", "campaign_id", "day", name=op.f("pk_campaign_days")
        ),
    )
    op.create_index("ix_campaign_days_campaign_id", "campaign_days", ["campaign_id"])


def downgrade() -> None:
    op.drop_index("ix_campaign_days_campaign_id", table_name="campaign_days")
    op.drop_table("campaign_days")
    op.drop_index("ix_campaigns_workspace_id_status", table_name="campaigns")
    op.drop_table("campaigns")
