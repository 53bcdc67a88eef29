"""foundation

Revision ID: 0001
Revises:
Create Date: 2026-11-25 00:09:18.078126
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "audit_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_records")),
    )
    with op.batch_alter_table("audit_records", schema=None) as batch_op:
        batch_op.create_index("ix_audit_records_at", ["at"], unique=False)

    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=True),
        sa.Column("team_id", sa.String(length=32), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=True),
        sa.Column("profile_refreshed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_members")),
        sa.UniqueConstraint("email", name=op.f("uq_members_email")),
        sa.UniqueConstraint("slack_user_id", name=op.f("uq_members_slack_user_id")),
    )
    op.create_table(
        "slack_deliveries",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_slack_deliveries")),
    )
    op.create_table(
        "business_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_account_id", sa.String(length=64), nullable=False),
        sa.Column("platform", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("managed", sa.Boolean(), nullable=False),
        sa.Column("account_manager_id", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_manager_id"],
            ["members.id"],
            name=op.f("fk_business_accounts_account_manager_id_members"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_accounts")),
        sa.UniqueConstraint(
            "platform",
            "platform_account_id",
            name=op.f("uq_business_accounts_platform_platform_account_id"),
        ),
    )
    with op.batch_alter_table("business_accounts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_business_accounts_account_manager_id"),
            ["account_manager_id"],
            unique=False,
        )

    op.create_table(
        "check_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("check", sa.String(length=64), nullable=False),
        sa.Column("business_account_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("observed_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_account_id"],
            ["business_accounts.id"],
            name=op.f("fk_check_results_business_account_id_business_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_check_results_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_results")),
        sa.UniqueConstraint(
            "member_id",
            "check",
            "business_account_id",
            "source",
            name=op.f("uq_check_results_member_id_check_business_account_id_source"),
        ),
    )
    op.create_table(
        "memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("business_account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_account_id"],
            ["business_accounts.id"],
            name=op.f("fk_memberships_business_account_id_business_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_memberships_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
        sa.UniqueConstraint(
            "member_id",
            "business_account_id",
            name=op.f("uq_memberships_member_id_business_account_id"),
        ),
    )
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_memberships_business_account_id"), ["business_account_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_memberships_business_account_id"))

    op.drop_table("memberships")
    op.drop_table("check_results")
    with op.batch_alter_table("business_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_business_accounts_account_manager_id"))

    op.drop_table("business_accounts")
    op.drop_table("slack_deliveries")
    op.drop_table("members")
    with op.batch_alter_table("audit_records", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_records_at")

    op.drop_table("audit_records")
