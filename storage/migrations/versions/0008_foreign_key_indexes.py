"""foreign key indexes: check_results.business_account_id and nudge_items.last_outbox_id

Without them PostgreSQL checks each deleted business account or outbox row with a scan of the
referring table: deleting 50,000 outbox rows took minutes.

Revision ID: 0008
Revises: 0004
Create Date: 2026-11-25 09:30:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_check_results_business_account_id", "check_results", ["business_account_id"]
    )
    op.create_index("ix_nudge_items_last_outbox_id", "nudge_items", ["last_outbox_id"])


def downgrade() -> None:
    op.drop_index("ix_nudge_items_last_outbox_id", table_name="nudge_items")
    op.drop_index("ix_check_results_business_account_id", table_name="check_results")
