"""The sweep counts adoption as it decides: one snapshot per UTC day, the day's latest full sweep
winning, excluded members out of scope, nothing from dry runs or narrowed sweeps, and no extra
statement per member."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from bot.checklist.model import Check, Source, State
from bot.core.clock import FakeClock
from bot.nudges.service import Reason
from bot.services import Services
from storage.database import Database
from storage.models import BusinessAccount, Member
from storage.stats_models import AccountManagerSnapshot, AdoptionSnapshot
from storage.tracing import executed_statements
from tests.bot.nudges.conftest import Evidence
from tests.conftest import ADMIN, START, AccountFactory, MemberFactory

Counts = tuple[int, int, int, int]  # in scope, passing, needs action, unknown


def adoption(database: Database) -> dict[tuple[date, str], Counts]:
    with database.sessions() as session:
        rows = session.scalars(select(AdoptionSnapshot))
        return {(r.day, r.check): (r.in_scope, r.passing, r.needs_action, r.unknown) for r in rows}


def taken(database: Database) -> set[datetime]:
    with database.sessions() as session:
        return set(session.scalars(select(AdoptionSnapshot.taken_at)))


def managers(database: Database) -> dict[tuple[date, str], tuple[int, int, int]]:
    with database.sessions() as session:
        rows = session.scalars(select(AccountManagerSnapshot))
        return {
            (r.day, r.manager_slack_id): (r.members, r.fully_passing, r.open_gaps) for r in rows
        }


def passes_everything(evidence: Evidence, person: Member, shop: BusinessAccount) -> None:
    """Evidence that every check of `person` passes (the platform's, and the bot's confirmed
    recovery email)."""
    for check in Check:
        evidence(person, check, State.PASSING, account=shop)
        evidence(person, check, State.PASSING)
    evidence(person, Check.RECOVERY_EMAIL, State.PASSING, source=Source.BOT)


def test_a_full_sweep_writes_the_days_adoption_and_a_fix_shows_in_the_next_one(
    services: Services,
    member: MemberFactory,
    account: AccountFactory,
    evidence: Evidence,
    clock: FakeClock,
) -> None:
    ana, raj, dana = member("U0ANA"), member("U0RAJ"), member("U0DANA")
    shop = account("Acme Shoes Ads", members=[ana, raj], manager=dana)
    evidence(ana, Check.TWO_STEP, State.NEEDS_ACTION, account=shop)
    passes_everything(evidence, raj, shop)
    today = START.date()

    services.nudges.sweep()

    first = adoption(services.database)
    # Dana has no business account: the checks about business accounts leave her out.
    assert first[(today, "two_step")] == (2, 1, 1, 0)
    assert first[(today, "all")] == (3, 1, 2, 0)  # Raj passes all; the others need action
    assert first[(today, "recovery_email")] == (2, 1, 1, 0)
    assert first[(today, "authenticator")] == (3, 1, 2, 0)  # it applies to everyone
    assert len(first) == len(Check) + 1
    [(members, fully_passing, gaps)] = managers(services.database).values()
    assert (members, fully_passing) == (2, 1) and gaps > 0

    # Ana turns 2-step verification on; the next sweep the same day replaces the day's counts.
    clock.advance(timedelta(hours=1))
    evidence(ana, Check.TWO_STEP, State.PASSING, account=shop)  # the platform says so now
    services.nudges.sweep()

    again = adoption(services.database)
    assert again[(today, "two_step")] == (2, 2, 0, 0)
    assert len(again) == len(Check) + 1  # still one row per check for the day
    assert taken(services.database) == {clock.now()}
    assert managers(services.database)[(today, "U0DANA")][2] == gaps - 1  # one gap fewer

    # The next day adds a day of history; the first day stays as its last sweep left it.
    clock.advance(timedelta(days=1))
    services.nudges.sweep()
    history = adoption(services.database)
    assert len(history) == 2 * (len(Check) + 1)
    assert history[(today, "two_step")] == (2, 2, 0, 0)
    assert history[(today + timedelta(days=1), "two_step")] == (2, 2, 0, 0)


def test_excluded_members_are_out_of_scope(
    services: Services, member: MemberFactory, account: AccountFactory, evidence: Evidence
) -> None:
    ana, svc, dana = member("U0ANA"), member("U0SVC"), member("U0DANA")
    shop = account("Acme Shoes Ads", members=[ana, svc], manager=dana)
    passes_everything(evidence, svc, shop)
    services.nudges.exclude(ADMIN, "U0SVC", Reason.SERVICE_ACCOUNT)

    services.nudges.sweep()

    today = START.date()
    counts = adoption(services.database)
    assert counts[(today, "all")] == (2, 0, 2, 0)  # Ana and Dana; the service account passes
    assert counts[(today, "two_step")][0] == 1  # Ana; Dana works on no business account
    assert managers(services.database)[(today, "U0DANA")][:2] == (1, 0)  # only Ana


def test_a_dry_run_a_narrowed_sweep_and_a_recheck_write_no_snapshot(
    services: Services, member: MemberFactory, account: AccountFactory, evidence: Evidence
) -> None:
    ana = member("U0ANA")
    shop = account("Acme Shoes Ads", members=[ana])
    evidence(ana, Check.TWO_STEP, State.NEEDS_ACTION, account=shop)

    services.nudges.sweep(dry_run=True)
    services.nudges.sweep(member_ids=[ana.id])
    services.nudges.recheck([ana.id])

    assert adoption(services.database) == {}
    assert managers(services.database) == {}


def test_an_account_manager_no_longer_on_record_leaves_the_days_snapshot(
    services: Services, member: MemberFactory, account: AccountFactory, clock: FakeClock
) -> None:
    ana, dana, lee = member("U0ANA"), member("U0DANA"), member("U0LEE")
    account("Acme Shoes Ads", members=[ana], manager=dana)
    other = account("Lee Pop-up", members=[ana], manager=lee)
    services.nudges.sweep()
    assert {key[1] for key in managers(services.database)} == {"U0DANA", "U0LEE"}

    with services.database.sessions.begin() as session:
        shop = session.get(BusinessAccount, other.id)
        assert shop is not None
        shop.account_manager_id = None
    clock.advance(timedelta(minutes=5))
    services.nudges.sweep()

    assert {key[1] for key in managers(services.database)} == {"U0DANA"}


def test_the_snapshot_costs_the_same_statements_for_ten_members_as_for_a_hundred(
    services: Services, member: MemberFactory, account: AccountFactory, clock: FakeClock
) -> None:
    def statements() -> int:
        clock.advance(timedelta(minutes=5))
        services.nudges.sweep()  # decisions on record: the counted sweep writes only adoption
        clock.advance(timedelta(minutes=5))
        with executed_statements(services.database.engine) as seen:
            services.nudges.sweep()
        assert any("adoption_snapshots" in statement for statement in seen)
        return len(seen)

    def people(first: int, last: int) -> None:
        managers = [member(f"U0AM{n}") for n in range(first, first + 3)]
        everyone = [member(f"U0M{n:03d}") for n in range(first, last)]
        for start in range(0, len(everyone), 2):
            manager = managers[start % len(managers)]
            account(f"Shop {first + start}", members=everyone[start : start + 2], manager=manager)

    people(0, 10)
    ten = statements()
    people(10, 100)
    assert statements() == ten
