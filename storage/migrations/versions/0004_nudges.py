"""nudges: open gaps, the outbox, exclusions, DM channels, and the jobs lease

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-25 02:05:45.921535
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=128), nullable=False),
        sa.Column("acquired_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_leases")),
    )
    op.create_table(
        "slack_dm_channels",
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("seen_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("slack_user_id", name=op.f("pk_slack_dm_channels")),
    )
    op.create_table(
        "nudge_exclusions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("until", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_nudge_exclusions_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nudge_exclusions")),
        sa.UniqueConstraint("member_id", name=op.f("uq_nudge_exclusions_member_id")),
    )
    op.create_table(
        "nudge_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("round_number", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("not_before", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_until", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.Column("refresh_wanted_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_nudge_outbox_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nudge_outbox")),
        sa.UniqueConstraint(
            "recipient",
            "kind",
            "round_number",
            name=op.f("uq_nudge_outbox_recipient_kind_round_number"),
        ),
    )
    with op.batch_alter_table("nudge_outbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_nudge_outbox_member_id_round_number", ["member_id", "round_number"], unique=False
        )
        batch_op.create_index("ix_nudge_outbox_state_id", ["state", "id"], unique=False)

    op.create_table(
        "nudge_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("check", sa.String(length=64), nullable=False),
        sa.Column("open_check", sa.String(length=64), nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("first_nudged_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_nudged_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("cadence_from", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("nudge_count", sa.Integer(), nullable=False),
        sa.Column("snoozed_until", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("snooze_count", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("escalated_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_reason", sa.String(length=16), nullable=True),
        sa.Column("recheck_wanted", sa.Boolean(), nullable=False),
        sa.Column("last_outbox_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["last_outbox_id"],
            ["nudge_outbox.id"],
            name=op.f("fk_nudge_items_last_outbox_id_nudge_outbox"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_nudge_items_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nudge_items")),
        sa.UniqueConstraint(
            "member_id", "open_check", name=op.f("uq_nudge_items_member_id_open_check")
        ),
    )
    with op.batch_alter_table("nudge_items", schema=None) as batch_op:
        batch_op.create_index("ix_nudge_items_recheck_wanted", ["recheck_wanted"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("nudge_items", schema=None) as batch_op:
        batch_op.drop_index("ix_nudge_items_recheck_wanted")

    op.drop_table("nudge_items")
    with op.batch_alter_table("nudge_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_nudge_outbox_state_id")
        batch_op.drop_index("ix_nudge_outbox_member_id_round_number")

    op.drop_table("nudge_outbox")
    op.drop_table("nudge_exclusions")
    op.drop_table("slack_dm_channels")
    op.drop_table("leases")
