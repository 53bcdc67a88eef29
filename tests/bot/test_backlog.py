"""The backlog /metrics reports, read from the database in one statement: reminders still to
send and the oldest one's age, cases not resolved, compromised-password alerts not rotated."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event

from bot.core.backlog import Backlog, connections_in_use, read_backlog
from bot.core.clock import FakeClock
from storage.case_models import Case
from storage.database import Database
from storage.models import Alert
from storage.nudge_models import NudgeOutbox
from tests.conftest import AccountFactory


def test_the_backlog_counts_only_what_still_waits(
    database: Database, clock: FakeClock, account: AccountFactory
) -> None:
    acme = account("Acme Shoes Ads")
    now = clock.now()
    with database.sessions.begin() as session:
        for n, (state, age) in enumerate(
            [("pending", 3), ("sending", 1), ("sent", 9), ("failed", 9), ("cancelled", 9)]
        ):
            session.add(
                NudgeOutbox(
                    recipient="U0ANA",
                    kind="member",
                    round_number=n,
                    payload={},
                    urgent=False,
                    state=state,
                    created_at=now - timedelta(hours=age),
                )
            )
        for status in ("reported", "investigating", "resolved"):
            session.add(
                Case(
                    business_account_id=acme.id,
                    status=status,
                    managed=True,
                    what_happened="ads changed",
                    unauthorized_charges="no",
                    opened_by="U0ANA",
                    opened_via="report",
                    opened_at=now,
                    last_update_at=now,
                )
            )
        for n, (kind, status) in enumerate(
            [
                ("compromised_password", "open"),
                ("compromised_password", "waiting"),
                ("compromised_password", "closed"),
                ("suspicious_login", "open"),
            ]
        ):
            session.add(
                Alert(
                    platform_alert_id=f"alert-{n}",
                    kind=kind,
                    business_account_id=acme.id,
                    member_email="ana@example.com",
                    detail="",
                    detected_at=now,
                    received_at=now,
                    received_via="api",
                    status=status,
                )
            )
    statements: list[str] = []
    event.listen(database.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))

    found = read_backlog(database, clock)

    assert found == Backlog(
        reminders_waiting=2,
        oldest_reminder_seconds=3 * 3600.0,
        open_cases=2,
        alerts_awaiting_rotation=2,
    )
    assert len([s for s in statements if "nudge_outbox" in s]) == 1  # one statement for all


def test_an_empty_backlog_is_zero_and_no_connection_stays_checked_out(
    database: Database, clock: FakeClock
) -> None:
    assert read_backlog(database, clock) == Backlog(0, 0.0, 0, 0)
    assert connections_in_use(database) == 0
    with database.engine.connect():
        assert connections_in_use(database) == 1
