"""recovery email and phone, and the platform's posture reports

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-25 02:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0005"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recovery_emails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=True),
        sa.Column("confirmed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("pending_address", sa.String(length=320), nullable=True),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("code_sent_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("code_expires_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_attempt_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_recovery_emails_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_emails")),
        sa.UniqueConstraint("member_id", name=op.f("uq_recovery_emails_member_id")),
    )
    op.create_table(
        "recovery_phones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("recorded_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_recovery_phones_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_phones")),
        sa.UniqueConstraint("member_id", name=op.f("uq_recovery_phones_member_id")),
    )
    op.create_table(
        "posture_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_report_id", sa.String(length=128), nullable=False),
        sa.Column("business_account_id", sa.Integer(), nullable=False),
        sa.Column("member_email", sa.String(length=320), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("applied", sa.JSON(), nullable=False),
        sa.Column("reported_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_via", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_account_id"],
            ["business_accounts.id"],
            name=op.f("fk_posture_reports_business_account_id_business_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posture_reports")),
        sa.UniqueConstraint(
            "platform_report_id", name=op.f("uq_posture_reports_platform_report_id")
        ),
    )
    with op.batch_alter_table("posture_reports", schema=None) as batch_op:
        batch_op.create_index(
            "ix_posture_reports_business_account_id", ["business_account_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("posture_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_posture_reports_business_account_id")
    op.drop_table("posture_reports")
    op.drop_table("recovery_phones")
    op.drop_table("recovery_emails")
