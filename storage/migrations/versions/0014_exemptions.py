"""exemptions: a member excused from one check on one business account until a date

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exemptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("business_account_id", sa.Integer(), nullable=False),
        sa.Column("check", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("ends_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=32), nullable=True),
        sa.Column("decided_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_account_id"],
            ["business_accounts.id"],
            name=op.f("fk_exemptions_business_account_id_business_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_exemptions_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exemptions")),
    )
    op.create_index(
        op.f("ix_exemptions_business_account_id"), "exemptions", ["business_account_id"]
    )
    op.create_index(op.f("ix_exemptions_member_id"), "exemptions", ["member_id"])
    op.create_index("ix_exemptions_status_member_id", "exemptions", ["status", "member_id"])


def downgrade() -> None:
    op.drop_index("ix_exemptions_status_member_id", table_name="exemptions")
    op.drop_index(op.f("ix_exemptions_member_id"), table_name="exemptions")
    op.drop_index(op.f("ix_exemptions_business_account_id"), table_name="exemptions")
    op.drop_table("exemptions")
