"""Every row of the bot's own data belongs to a workspace: a `workspace_id` on each table, and
uniqueness per workspace (the same email, user id, account or platform id may exist in two).

Rows written before hold '' until a single-workspace start adopts them into its workspace
(bot/workspaces/adoption.py); nothing reads them before that.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 14:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

SCOPED = (
    "account_manager_snapshots",
    "adoption_snapshots",
    "alert_messages",
    "alerts",
    "audit_records",
    "authenticator_links",
    "business_accounts",
    "case_charges",
    "case_events",
    "case_reminders",
    "case_reports",
    "cases",
    "check_results",
    "members",
    "memberships",
    "nudge_exclusions",
    "nudge_items",
    "nudge_outbox",
    "posture_reports",
    "recovery_codes",
    "recovery_emails",
    "recovery_phones",
    "secure_links",
    "slack_dm_channels",
    "weekly_summaries",
)
# table: (the unique constraints' old columns), each becoming per workspace
UNIQUES = {
    "members": (("slack_user_id",), ("email",)),
    "business_accounts": (("platform", "platform_account_id"),),
    "alerts": (("platform_alert_id",),),
    "posture_reports": (("platform_report_id",),),
    "case_reports": (("platform_alert_id",),),
    "nudge_outbox": (("recipient", "kind", "round_number"),),
    "weekly_summaries": (("recipient", "week"),),
}
# table: the primary key's old columns, the workspace put first
KEYS = {
    "adoption_snapshots": ("day", "check"),
    "account_manager_snapshots": ("day", "manager_slack_id"),
    "slack_dm_channels": ("slack_user_id",),
}


def _name(table: str, columns: tuple[str, ...]) -> str:
    return f"uq_{table}_{'_'.join(columns)}"


def upgrade() -> None:
    for table in SCOPED:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(
                sa.Column("workspace_id", sa.String(length=32), nullable=False, server_default="")
            )
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column("workspace_id", server_default=None)
            for columns in UNIQUES.get(table, ()):
                batch_op.drop_constraint(_name(table, columns), type_="unique")
                scoped = ("workspace_id", *columns)
                batch_op.create_unique_constraint(_name(table, scoped), list(scoped))
            if table in KEYS:
                batch_op.drop_constraint(f"pk_{table}", type_="primary")
                batch_op.create_primary_key(f"pk_{table}", ["workspace_id", *KEYS[table]])


def downgrade() -> None:
    for table in SCOPED:
        with op.batch_alter_table(table) as batch_op:
            if table in KEYS:
                batch_op.drop_constraint(f"pk_{table}", type_="primary")
                batch_op.create_primary_key(f"pk_{table}", list(KEYS[table]))
            for columns in UNIQUES.get(table, ()):
                batch_op.drop_constraint(_name(table, ("workspace_id", *columns)), type_="unique")
                batch_op.create_unique_constraint(_name(table, columns), list(columns))
            batch_op.drop_column("workspace_id")
