"""The security statistics, each figure computed from real rows: snapshots the sweep wrote,
reminders in the outbox, snoozes in the audit trail, escalated and fixed nudge items. Only
security admins may see them, and the report costs the same statements whatever the data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.checklist.model import Check
from bot.core.clock import FakeClock
from bot.core.errors import NotAllowed
from bot.services import Services
from bot.stats.report import MANAGERS_SHOWN
from storage import stats as stats_store
from storage.database import Database
from storage.models import AuditRecord, Member
from storage.nudge_models import NudgeItem, NudgeOutbox
from storage.tracing import executed_statements
from tests.conftest import ADMIN, START, AccountFactory, MemberFactory

HOUR, DAY = timedelta(hours=1), timedelta(days=1)
Item = Callable[..., None]


@pytest.fixture
def item(database: Database, member: MemberFactory) -> Item:
    """item(first=..., closed=..., reason="fixed", level=0, escalated=None): a nudge item."""
    ana = member("U0ANA")
    checks = iter(list(Check) * 20)

    def make(
        *,
        first: datetime,
        closed: datetime | None = None,
        reason: str | None = None,
        level: int = 0,
        escalated: datetime | None = None,
    ) -> None:
        check = next(checks).value
        with database.sessions.begin() as session:
            session.add(
                NudgeItem(
                    member_id=ana.id,
                    check=check,
                    open_check=None if closed else f"{check}-{first.isoformat()}",
                    urgent=False,
                    first_nudged_at=first,
                    last_nudged_at=first,
                    cadence_from=first,
                    nudge_count=1,
                    level=level,
                    escalated_at=escalated,
                    closed_at=closed,
                    closed_reason=reason,
                )
            )

    return make


def test_median_time_from_first_reminder_to_fix_counts_fixed_gaps_only(
    services: Services, item: Item, clock: FakeClock
) -> None:
    now = clock.now()
    assert services.stats.build().nudges.median_to_fix is None
    long_ago = now - 30 * DAY
    item(first=long_ago, closed=long_ago + HOUR, reason="fixed")
    item(first=long_ago, closed=long_ago + 10 * HOUR, reason="fixed")
    item(first=now - 2 * DAY, closed=now - 2 * DAY + 3 * HOUR, reason="fixed")
    item(first=long_ago, closed=long_ago + 99 * HOUR, reason="withdrawn")  # not a fix
    item(first=now - 200 * HOUR)  # still open

    nudges = services.stats.build().nudges
    assert nudges.median_to_fix == 3 * HOUR  # of 1, 3 and 10 hours
    assert nudges.median_to_fix_this_week == 3 * HOUR  # only the one fixed 2 days ago
    assert (nudges.fixed.period, nudges.fixed.total) == (1, 3)

    item(first=now - DAY, closed=now - DAY + 5 * HOUR, reason="fixed")
    nudges = services.stats.build().nudges
    assert nudges.median_to_fix == 4 * HOUR  # the middle two of 1, 3, 5, 10 hours
    assert nudges.median_to_fix_this_week == 4 * HOUR  # of 3 and 5 hours
    assert (nudges.fixed.period, nudges.fixed.total) == (2, 4)


def test_escalations_count_gaps_taken_beyond_the_member(
    services: Services, item: Item, clock: FakeClock
) -> None:
    now = clock.now()
    item(first=now - 20 * DAY, level=1, escalated=now - 2 * DAY)
    item(first=now - 40 * DAY, level=2, escalated=now - 20 * DAY)
    item(first=now - 40 * DAY, level=2, escalated=now - 20 * DAY, closed=now, reason="fixed")
    item(first=now - DAY)  # the member only

    nudges = services.stats.build().nudges
    assert (nudges.escalations.period, nudges.escalations.total) == (1, 3)
    assert nudges.to_admins == 2


def outbox_row(database: Database, kind: str, state: str, sent_at: datetime | None) -> None:
    with database.sessions.begin() as session:
        rounds = session.scalar(select(NudgeOutbox.id).order_by(NudgeOutbox.id.desc())) or 0
        session.add(
            NudgeOutbox(
                recipient="U0ANA",
                kind=kind,
                round_number=rounds + 1,
                payload={},
                state=state,
                created_at=START,
                sent_at=sent_at,
            )
        )


def test_reminders_sent_count_only_reminders_slack_accepted(
    services: Services, database: Database, clock: FakeClock
) -> None:
    now = clock.now()
    outbox_row(database, "member", "sent", now - DAY)
    outbox_row(database, "member", "sent", now - 10 * DAY)
    for state in ("pending", "sending", "failed", "cancelled"):
        outbox_row(database, "member", state, None)
    outbox_row(database, "manager", "sent", now - DAY)  # an escalation, not a reminder
    outbox_row(database, "digest", "sent", now - DAY)

    reminders = services.stats.build().nudges.reminders
    assert (reminders.period, reminders.total) == (1, 2)


def test_snoozes_come_from_the_audit_trail(
    services: Services, database: Database, clock: FakeClock
) -> None:
    now = clock.now()
    with database.sessions.begin() as session:
        for at, action in (
            (now - HOUR, "nudge.snoozed"),
            (now - 3 * DAY, "nudge.snoozed"),
            (now - 9 * DAY, "nudge.snoozed"),
            (now - HOUR, "nudge.snooze.refused"),  # refused: nothing was snoozed
            (now - HOUR, "checklist.viewed"),
        ):
            session.add(AuditRecord(at=at, actor="U0ANA", action=action, target="nudge:1"))

    snoozes = services.stats.build().nudges.snoozes
    assert (snoozes.period, snoozes.total) == (2, 3)


def save_day(database: Database, day: date, in_scope: int, passing: dict[str, int]) -> None:
    rows = [
        {"check": check, "in_scope": in_scope, "passing": n, "needs_action": 0, "unknown": 0}
        for check, n in passing.items()
    ]
    taken_at = datetime(day.year, day.month, day.day, 12, tzinfo=START.tzinfo)
    with database.sessions.begin() as session:
        stats_store.save_adoption(session, day, taken_at, rows, [])


def test_adoption_comes_from_the_latest_snapshot_and_history_from_the_last_twelve_weeks(
    services: Services, database: Database, clock: FakeClock
) -> None:
    today = clock.now().date()
    report = services.stats.build()
    assert (report.as_of, report.in_scope, report.checks, report.history) == (None, 0, (), ())

    save_day(database, today - timedelta(weeks=13), 10, {"all": 0, "two_step": 1})  # too old
    save_day(database, today - timedelta(days=8), 10, {"all": 2, "two_step": 4})
    save_day(database, today - DAY, 10, {"all": 3, "two_step": 5})
    save_day(database, today, 20, {"all": 10, "two_step": 15, "recovery_phone": 5})

    report = services.stats.build()
    assert report.as_of is not None and report.as_of.date() == today
    assert (report.in_scope, report.fully_passing, report.fully_passing_percent) == (20, 10, 50.0)
    assert [(c.check, c.passing, c.percent) for c in report.checks] == [
        (Check.TWO_STEP, 15, 75.0),
        (Check.RECOVERY_PHONE, 5, 25.0),
    ]
    assert [point.day for point in report.history] == [
        today - timedelta(days=8),
        today - DAY,
        today,
    ]
    assert [point.percent() for point in report.history] == [20.0, 30.0, 50.0]
    assert report.history[-1].percent(Check.TWO_STEP) == 75.0
    week_before = report.week_before()
    assert week_before is not None and week_before.day == today - timedelta(days=8)
    # One point per ISO week: START is a Tuesday, so Monday and Tuesday share this week.
    assert [point.day for point in report.weekly()] == [today - timedelta(days=8), today]


def test_the_breakdown_per_account_manager_comes_from_the_sweep(
    services: Services, member: MemberFactory, account: AccountFactory
) -> None:
    ana, raj, lee = member("U0ANA"), member("U0RAJ"), member("U0LEE")
    dana = member("U0DANA", name="<b>Dana & Co</b>")
    kim = member("U0KIM", name="Kim")
    account("Acme Shoes Ads", members=[ana, raj], manager=dana)
    account("Acme Hats Ads", members=[ana], manager=dana)  # Ana is counted once for Dana
    account("Kim's Shop", members=[lee], manager=kim)
    services.nudges.sweep()

    report = services.stats.build()

    lines = {line.slack_user_id: line for line in report.managers}
    assert set(lines) == {"U0DANA", "U0KIM"} and report.managers_total == 2
    assert (lines["U0DANA"].name, lines["U0DANA"].members) == ("<b>Dana & Co</b>", 2)
    assert (lines["U0KIM"].members, lines["U0KIM"].fully_passing) == (1, 0)
    assert lines["U0DANA"].open_gaps > lines["U0KIM"].open_gaps > 0
    assert report.managers[0].slack_user_id == "U0DANA"  # most open gaps first
    assert report.in_scope == 5


def test_only_the_account_managers_with_most_gaps_are_listed(
    services: Services, database: Database, clock: FakeClock
) -> None:
    today = clock.now().date()
    save_day(database, today, 100, {"all": 10})
    rows: list[dict[str, Any]] = [
        {"manager_slack_id": f"U0AM{n:02d}", "members": 5, "fully_passing": 1, "open_gaps": n}
        for n in range(MANAGERS_SHOWN + 5)
    ]
    with database.sessions.begin() as session:
        stats_store.save_adoption(session, today, clock.now(), [], rows)

    report = services.stats.build()

    assert report.managers_total == MANAGERS_SHOWN + 5
    assert len(report.managers) == MANAGERS_SHOWN
    assert report.managers[0].open_gaps == MANAGERS_SHOWN + 4


def test_only_security_admins_see_the_report_and_both_are_audited(
    services: Services, database: Database
) -> None:
    with pytest.raises(NotAllowed):
        services.stats.report("U0ANA")
    assert services.stats.overview("U0ANA") is None
    assert services.stats.report(ADMIN).at is not None
    assert services.stats.overview(ADMIN) is not None

    with database.sessions() as session:
        audited = [(r.actor, r.action) for r in session.scalars(select(AuditRecord))]
    assert audited == [("U0ANA", "stats.view.refused"), (ADMIN, "stats.viewed")]


def test_the_report_costs_the_same_statements_for_ten_members_as_for_a_hundred(
    services: Services, member: MemberFactory, account: AccountFactory, clock: FakeClock
) -> None:
    def statements() -> int:
        clock.advance(timedelta(days=1))
        services.nudges.sweep()
        with executed_statements(services.database.engine) as seen:
            report = services.stats.build()
        assert report.in_scope > 0 and len(report.history) > 0
        return len(seen)

    def people(first: int, last: int) -> None:
        manager = member(f"U0AM{first}")
        everyone = [member(f"U0M{n:03d}") for n in range(first, last)]
        for start in range(0, len(everyone), 2):
            account(f"Shop {first + start}", members=everyone[start : start + 2], manager=manager)

    people(0, 10)
    clock.advance(timedelta(days=14))  # past the grace periods: reminders go out
    ten = statements()
    people(10, 100)
    with services.database.sessions() as session:
        assert len(session.scalars(select(Member)).all()) == 102
    assert statements() == ten
