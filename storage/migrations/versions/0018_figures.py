"""Each workspace's case targets per severity, in its settings; the approvers' DMs about an
exemption request (updated in place once someone decides); and when an approved exemption's end
was recorded (audited once, its member told).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-22 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workspace_settings") as batch_op:
        batch_op.add_column(sa.Column("case_targets", sa.JSON(), nullable=True))
    with op.batch_alter_table("exemptions") as batch_op:
        batch_op.add_column(
            sa.Column("expired_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "exemption_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exemption_id", sa.Integer(), nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("slack_channel", sa.String(length=32), nullable=False),
        sa.Column("slack_ts", sa.String(length=32), nullable=False),
        sa.Column("sent_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["exemption_id"],
            ["exemptions.id"],
            name=op.f("fk_exemption_messages_exemption_id_exemptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exemption_messages")),
        sa.UniqueConstraint(
            "exemption_id",
            "slack_user_id",
            name=op.f("uq_exemption_messages_exemption_id_slack_user_id"),
        ),
    )
    op.create_index(
        op.f("ix_exemption_messages_exemption_id"), "exemption_messages", ["exemption_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_exemption_messages_exemption_id"), table_name="exemption_messages")
    op.drop_table("exemption_messages")
    with op.batch_alter_table("exemptions") as batch_op:
        batch_op.drop_column("expired_at")
    with op.batch_alter_table("workspace_settings") as batch_op:
        batch_op.drop_column("case_targets")
