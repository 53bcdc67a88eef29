"""A running campaign on the checklist (one statement still), in the reminder sweep's reminders
and counts, and after its deadline: the lists of what is still open, once, to the right people."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.checklist.model import Check, State
from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.nudges.sender import Sender
from bot.services import Services, build_services
from sandbox.slack_standin import SlackStandIn
from storage import members as member_store
from storage.campaign_models import CampaignDay
from storage.database import Database, connect
from storage.exemption_models import Exemption
from storage.models import AuditRecord
from storage.tracing import driver_statements, queries
from tests.bot.campaigns.conftest import Directory, Start
from tests.bot.nudges.conftest import Evidence, outbox, text_of
from tests.conftest import ADMIN, carrying

WEDNESDAY = datetime(2026, 12, 2, 10, tzinfo=UTC)  # past the 7 days' grace, 11:00 in Berlin
AFTER_DEADLINE = datetime(2026, 12, 21, 9, tzinfo=UTC)  # Monday after Friday 18 December


def due_line(services: Services, user: str, check: Check = Check.TWO_STEP) -> str | None:
    line = services.members.status(user).checklist.line(check)
    if line.due is None:
        return None
    return f"{line.due.deadline} from {line.due.today}"


def test_members_in_scope_see_the_deadline_counted_in_their_own_days(
    services: Services, directory: Directory, start: Start, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 11, 24, 20, tzinfo=UTC))  # 21:00 in Berlin, 05:00 next day in Tokyo
    campaign = start()
    assert due_line(services, "U0ANA") == "2026-12-18 from 2026-11-24"
    assert due_line(services, "U0RAJ") == "2026-12-18 from 2026-11-25"
    assert due_line(services, "U0ANA", Check.STRONG_PASSWORD) is None  # another check
    assert due_line(services, "U0DANA") is None  # manages, works on no account: not in scope

    with driver_statements(services.database.reads) as statements:
        services.members.status("U0ANA")
    assert len(queries(statements)) == 1  # the campaigns come with the one status read

    services.campaigns.stop(ADMIN, campaign.id)
    assert due_line(services, "U0ANA") is None


def test_a_scope_that_asks_nothing_of_a_member_shows_no_deadline(
    services: Services, directory: Directory, start: Start
) -> None:
    start(scope="manager", manager="U0CARL")  # Cedar Ads: Raj's, whose 2SV is off there
    assert due_line(services, "U0RAJ") == "2026-12-18 from 2026-11-24"
    assert due_line(services, "U0ANA") is None  # not on Carl's accounts
    start(scope="platform", platform="meta_business")  # Bolt Shop: Ana's, 2SV on
    assert due_line(services, "U0ANA") is None


def test_the_reminder_counts_down_and_an_exempt_gap_is_left_alone(
    services: Services,
    directory: Directory,
    start: Start,
    clock: FakeClock,
    sender: Sender,
    standin: SlackStandIn,
) -> None:
    start()
    with services.database.sessions.begin() as session:  # Raj's 2SV on Cedar Ads: excused
        session.add(
            Exemption(
                member_id=directory.raj.id, business_account_id=directory.cedar.id,
                check="two_step", reason="the agency holds it", status="approved",
                ends_at=datetime(2027, 2, 1, tzinfo=UTC), requested_at=clock.now(),
                decided_by="U0CARL", decided_at=clock.now(),
            )
        )  # fmt: skip
    clock.set(WEDNESDAY)
    services.nudges.sweep()
    sender.deliver()

    reminders = {message.recipient: message for message in outbox(services.database, "member")}
    items = {item["check"]: item for item in reminders["U0ANA"].payload["items"]}
    assert items["two_step"]["due"] == "2026-12-18"
    assert "due" not in items["strong_password"]  # no campaign for it
    dm = text_of(standin.messages("U0ANA")[-1])
    assert "📅 *Due by 18 Dec 2026 (in 16 days)*" in dm
    # Raj's only open 2SV gap is exempt: no reminder about it, in Tokyo's evening or ever.
    raj = reminders.get("U0RAJ")
    assert raj is None or "two_step" not in [item["check"] for item in raj.payload["items"]]


def _days(database: Database) -> list[CampaignDay]:
    with database.sessions() as session:
        return list(session.scalars(select(CampaignDay).order_by(CampaignDay.day)))


def test_progress_is_recorded_a_day_at_a_time_per_manager_and_per_account(
    services: Services,
    directory: Directory,
    start: Start,
    clock: FakeClock,
    evidence: Evidence,
) -> None:
    campaign = start()
    services.nudges.sweep(dry_run=True)
    assert _days(services.database) == []  # a dry run keeps nothing
    services.nudges.sweep()
    services.nudges.sweep()  # the day's latest sweep wins: still one row
    clock.advance(timedelta(days=1))
    evidence(directory.ana, Check.TWO_STEP, State.PASSING, account=directory.acme)
    services.nudges.sweep()

    days = _days(services.database)
    assert [(d.day.isoformat(), d.pairs, d.done, d.exempt) for d in days] == [
        ("2026-11-24", 4, 2, 0),  # Ana: Acme open, Bolt on; Raj: Acme on, Cedar open
        ("2026-11-25", 4, 3, 0),
    ]
    shown = services.campaigns.show(ADMIN, campaign.id)
    assert shown.latest is not None and shown.latest.percent == 75.0
    assert (shown.accounts, shown.accounts_done) == (3, 2)
    assert [(row.manager, row.figures.pairs, row.figures.open) for row in shown.managers] == [
        ("U0CARL", 1, 1),  # most still open first
        (None, 1, 0),  # Bolt Shop has no account manager
        ("U0DANA", 2, 0),
    ]
    assert [(row.name, row.manager) for row in shown.worst_accounts] == [("Cedar Ads", "U0CARL")]
    assert [point.figures.done for point in shown.series] == [2, 3]


def _overdue(database: Database) -> list[tuple[str, str]]:
    return sorted(
        (message.recipient, message.kind)
        for message in outbox(database)
        if message.kind.startswith("overdue")
    )


def test_after_the_deadline_each_manager_and_the_admins_get_the_list_once(
    services: Services,
    directory: Directory,
    start: Start,
    clock: FakeClock,
    sender: Sender,
    standin: SlackStandIn,
) -> None:
    campaign = start()
    stopped = start(check="recovery_phone")
    services.campaigns.stop(ADMIN, stopped.id)
    clock.set(datetime(2026, 12, 18, 22, tzinfo=UTC))  # the last day, 23:00 in Berlin
    services.nudges.sweep()
    assert _overdue(services.database) == []  # not yet: the day ends at midnight

    clock.set(AFTER_DEADLINE)
    services.nudges.sweep()
    services.nudges.sweep()  # a later sweep lists nothing again
    assert _overdue(services.database) == [
        (ADMIN, "overdue-all"),
        ("U0CARL", "overdue"),
        ("U0DANA", "overdue"),
    ]
    with services.database.sessions() as session:
        trail = session.execute(
            select(AuditRecord.target, AuditRecord.details).where(
                AuditRecord.action == "campaign.overdue"
            )
        ).all()
    assert [(target, details["open"], details["managers"]) for target, details in trail] == [
        (f"campaign:{campaign.id}", 2, ["U0CARL", "U0DANA"])
    ]

    sender.deliver()
    dana = text_of(standin.messages("U0DANA")[-1])
    assert "the deadline has passed (18 Dec 2026)" in dana
    assert "• *Acme Ads*: <@U0ANA>" in dana and "Cedar" not in dana and "U0RAJ" not in dana
    carl = text_of(standin.messages("U0CARL")[-1])
    assert "• *Cedar Ads*: <@U0RAJ>" in carl and "Acme" not in carl
    admin = text_of(standin.messages(ADMIN)[-1])
    assert "• *Acme Ads* (<@U0DANA>): <@U0ANA>" in admin
    assert "• *Cedar Ads* (<@U0CARL>): <@U0RAJ>" in admin
    assert "Still open: 2 members' accounts on 2 business accounts." in admin
    assert "Bolt" not in admin  # done: not listed


def test_two_processes_after_the_deadline_write_the_lists_once(
    settings: Settings,
    database_url: str,
    database: Database,
    directory: Directory,
    start: Start,
    clock: FakeClock,
) -> None:
    start()
    clock.set(AFTER_DEADLINE)
    failures: list[BaseException] = []
    barrier = threading.Barrier(2)

    def process() -> None:
        own = connect(database_url, pool_size=2)
        try:
            services = build_services(settings, clock, own)
            barrier.wait()
            services.nudges.sweep()
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)
        finally:
            own.dispose()

    threads = [threading.Thread(target=carrying(process)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    assert _overdue(database) == [
        (ADMIN, "overdue-all"),
        ("U0CARL", "overdue"),
        ("U0DANA", "overdue"),
    ]
    with database.sessions() as session:
        listed = session.scalars(
            select(AuditRecord.id).where(AuditRecord.action == "campaign.overdue")
        ).all()
    assert len(listed) == 1


def test_everyone_done_tells_the_admins_so(
    services: Services,
    directory: Directory,
    start: Start,
    clock: FakeClock,
    evidence: Evidence,
    sender: Sender,
    standin: SlackStandIn,
) -> None:
    start(scope="platform", platform="meta_business")  # Bolt Shop: Ana's 2SV is on
    clock.set(AFTER_DEADLINE)
    services.nudges.sweep()
    assert _overdue(services.database) == [(ADMIN, "overdue-all")]
    sender.deliver()
    assert "Everyone in scope was done by the deadline" in text_of(standin.messages(ADMIN)[-1])
    with services.database.sessions() as session:
        assert member_store.member_by_slack_id(session, "U0ANA") is not None
