"""Sweeps against the real database and deliveries to the Slack stand-in: one DM per member per
sweep, the escalation ladder's messages, fixed gaps closing their reminder in place, exclusions,
and a constant number of statements whatever the number of members."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

from bot.checklist.model import Check, Source, State
from bot.core.clock import FakeClock
from bot.core.errors import NotAllowed
from bot.nudges.sender import Sender
from bot.nudges.service import NudgeService, Reason
from bot.nudges.settings import DAY, CheckPolicy, NudgePolicy
from bot.services import Services
from handlers.outbound.slack_messenger import SlackMessenger
from sandbox.slack_standin import SlackStandIn
from storage.tracing import executed_statements
from tests.bot.nudges.conftest import FAST, Evidence, action_ids, checks_in, items, outbox, text_of
from tests.conftest import ADMIN, AccountFactory, MemberFactory

WEEK_AND_A_BIT = timedelta(days=14)  # past every check's grace period; still a Tuesday 10:00 UTC


def test_one_dm_per_member_per_sweep_names_every_due_gap(
    services: Services,
    sender: Sender,
    member: MemberFactory,
    account: AccountFactory,
    clock: FakeClock,
    standin: SlackStandIn,
) -> None:
    ana, raj = member("U0ANA", name="Ana"), member("U0RAJ", name="Raj")
    account("Acme Shoes Ads", members=[ana, raj])
    account("Acme Hats Ads", members=[ana])
    clock.advance(WEEK_AND_A_BIT)

    report = services.nudges.sweep()
    assert report.written.messages == 2
    again = services.nudges.sweep()
    assert again.written.messages == 0 and again.reminders == 0

    [for_ana] = [m for m in outbox(services.database) if m.recipient == "U0ANA"]
    assert checks_in(for_ana) == ["two_step", "authenticator", "recovery_phone"]
    delivered = sender.deliver()
    assert delivered.sent == 2
    [dm] = standin.messages("U0ANA")
    shown = text_of(dm)
    assert "2-step verification on each business account" in shown
    assert "Acme Hats Ads" in shown and "Recovery phone" in shown
    assert {"report_two_step:two_step", "link_authenticator:authenticator"} <= set(action_ids(dm))
    assert "snooze_nudge" in action_ids(dm) and "explain_nudge" in action_ids(dm)
    assert len(standin.messages("U0RAJ")) == 1
    # The next sweep, the same day, decides nothing new and Slack receives nothing more.
    services.nudges.sweep()
    assert sender.deliver().sent == 0
    assert len(standin.calls("chat.postMessage")) == 2


def ladder_policy() -> NudgePolicy:
    """Only 2-step verification, reminded on day 0 and 1, then the ladder."""
    quick = CheckPolicy(
        grace=timedelta(0), cadence=(0 * DAY, DAY), then_every=DAY, cap=2, admins_after=4 * DAY
    )
    off = CheckPolicy(enabled=False)
    checks = {check: quick if check is Check.TWO_STEP else off for check in Check}
    return dataclasses.replace(NudgePolicy(), checks=checks, default_time_zone="UTC")


def test_the_ladder_goes_member_then_account_manager_then_one_admin_digest(
    services: Services,
    messenger: SlackMessenger,
    member: MemberFactory,
    account: AccountFactory,
    evidence: Evidence,
    clock: FakeClock,
    standin: SlackStandIn,
) -> None:
    nudges = NudgeService(services.database, clock, ladder_policy(), frozenset({ADMIN}))
    sender = Sender(services.database, clock, messenger, nudges.policy, "sender-1", pace=FAST)
    ana, raj, lee = member("U0ANA"), member("U0RAJ"), member("U0LEE")
    dana, _ = member("U0DANA"), member(ADMIN)
    managed = account("Acme Shoes Ads", members=[ana], manager=dana)
    raj_shop = account("Raj Pop-up", members=[raj])
    lee_shop = account("Lee Pop-up", members=[lee])
    for person, shop in ((ana, managed), (raj, raj_shop), (lee, lee_shop)):
        evidence(person, Check.TWO_STEP, State.NEEDS_ACTION, account=shop)
    # Tuesday: reminder 1; Wednesday: reminder 2 (the cap); Thursday: escalation.
    for _ in range(3):
        nudges.sweep()
        sender.deliver()
        clock.advance(DAY)
    assert [len(standin.messages(who)) for who in ("U0ANA", "U0RAJ", "U0LEE")] == [2, 2, 2]
    [to_dana] = standin.messages("U0DANA")
    assert "<@U0ANA>" in text_of(to_dana) and "U0RAJ" not in text_of(to_dana)
    assert "2 reminders since" in text_of(to_dana)
    [digest] = standin.messages(ADMIN)  # one digest for both members without a manager
    assert "<@U0RAJ>" in text_of(digest) and "<@U0LEE>" in text_of(digest)
    assert "<@U0ANA>" not in text_of(digest)
    assert "No account manager on record for their business accounts" in text_of(digest)
    # Four days after the account manager was told (Monday), the admins hear about Ana.
    clock.advance(3 * DAY)
    nudges.sweep()
    sender.deliver()
    latest = standin.messages(ADMIN)[-1]
    assert len(standin.messages(ADMIN)) == 2
    assert "<@U0ANA>" in text_of(latest) and "<@U0DANA>" in text_of(latest)
    assert len(standin.messages("U0ANA")) == 2  # the member got no reminder past the cap
    levels = {item.member_id: item.level for item in items(services.database)}
    assert levels == {ana.id: 2, raj.id: 2, lee.id: 2}


def test_fixing_a_gap_updates_its_latest_reminder_in_place(
    services: Services,
    sender: Sender,
    member: MemberFactory,
    account: AccountFactory,
    evidence: Evidence,
    clock: FakeClock,
    standin: SlackStandIn,
) -> None:
    ana = member("U0ANA", name="Ana")
    shop = account("Acme Shoes Ads", members=[ana])
    evidence(ana, Check.AUTHENTICATOR, State.PASSING, source=Source.BOT)
    clock.advance(WEEK_AND_A_BIT)
    services.nudges.sweep()
    sender.deliver()
    [before] = standin.messages("U0ANA")

    services.recovery_phone.record("U0ANA", "+44 20 7946 0958")  # any feature's passing evidence
    assert services.nudges.recheck() == 1
    assert sender.deliver().updated == 1
    [after] = standin.messages("U0ANA")
    assert after["ts"] == before["ts"]  # the same message, updated with chat.update
    assert "Done — thank you" in text_of(after)
    assert "report_two_step:two_step" in action_ids(after)
    assert "report_recovery_phone:recovery_phone" not in action_ids(after)
    [closed] = [item for item in items(services.database) if item.check == "recovery_phone"]
    assert closed.closed_reason == "fixed" and closed.closed_at == clock.now()

    services.self_reports.two_step_turned_on("U0ANA", shop.id, "sms")
    services.nudges.recheck()
    sender.deliver()
    [done] = standin.messages("U0ANA")
    assert "Done — thank you, Ana!" in text_of(done)
    assert action_ids(done) == []
    assert len(standin.calls("chat.postMessage")) == 1


def test_a_gap_fixed_before_its_reminder_was_sent_is_shown_done_or_cancels_it(
    services: Services,
    sender: Sender,
    member: MemberFactory,
    account: AccountFactory,
    evidence: Evidence,
    clock: FakeClock,
    standin: SlackStandIn,
) -> None:
    ana, raj = member("U0ANA"), member("U0RAJ")
    shop = account("Acme Shoes Ads", members=[ana, raj])
    for person in (ana, raj):  # only the checks below are left open
        evidence(person, Check.TWO_STEP, State.PASSING, account=shop)
    clock.advance(WEEK_AND_A_BIT)
    services.nudges.sweep()  # decided and written, not sent yet
    assert [checks_in(m) for m in outbox(services.database)] == [
        ["authenticator", "recovery_phone"],
        ["authenticator", "recovery_phone"],
    ]
    services.recovery_phone.record("U0ANA", "+44 20 7946 0958")
    for person in (raj,):
        evidence(person, Check.AUTHENTICATOR, State.PASSING, source=Source.BOT)
        evidence(person, Check.RECOVERY_PHONE, State.PASSING, source=Source.SELF)
    services.nudges.sweep()  # the sweep closes fixed gaps too, without a recheck

    delivered = sender.deliver()
    assert (delivered.sent, delivered.cancelled) == (1, 0)  # Raj's was cancelled at once
    assert {m.recipient: m.state for m in outbox(services.database)} == {
        "U0ANA": "sent",
        "U0RAJ": "cancelled",
    }
    [dm] = standin.messages("U0ANA")
    assert "report_recovery_phone:recovery_phone" not in action_ids(dm)
    assert "link_authenticator:authenticator" in action_ids(dm)
    assert standin.messages("U0RAJ") == []


def test_security_admins_exclude_service_accounts_and_members_on_leave(
    services: Services, member: MemberFactory, clock: FakeClock
) -> None:
    for person in ("U0ANA", "U0SVC", "U0RAJ"):
        member(person)
    nudges = services.nudges
    with pytest.raises(NotAllowed):
        nudges.exclude("U0ANA", "U0SVC", Reason.SERVICE_ACCOUNT)
    nudges.exclude(ADMIN, "U0SVC", Reason.SERVICE_ACCOUNT)
    nudges.exclude(ADMIN, "U0RAJ", Reason.ON_LEAVE, date(2026, 12, 14))
    assert {(e.slack_user_id, e.reason) for e in nudges.exclusions(ADMIN)} == {
        ("U0SVC", "service_account"),
        ("U0RAJ", "on_leave"),
    }
    clock.advance(WEEK_AND_A_BIT)  # Tuesday 8 December
    nudges.sweep()
    assert [m.recipient for m in outbox(services.database)] == ["U0ANA"]
    clock.set(clock.now().replace(day=14))  # Monday 14 December, back from leave
    nudges.sweep()
    assert {m.recipient for m in outbox(services.database)} == {"U0ANA", "U0RAJ"}
    assert nudges.include(ADMIN, "U0SVC")
    clock.advance(timedelta(hours=1))
    nudges.sweep()
    assert "U0SVC" in [m.recipient for m in outbox(services.database)]


def test_a_sweep_issues_the_same_statements_for_ten_members_as_for_a_hundred(
    services: Services, member: MemberFactory, account: AccountFactory, clock: FakeClock
) -> None:
    def statements() -> int:
        with executed_statements(services.database.engine) as seen:
            services.nudges.sweep(dry_run=True)
        return len(seen)

    def people(first: int, last: int) -> None:
        everyone = [member(f"U0M{n:03d}") for n in range(first, last)]
        for start in range(0, len(everyone), 2):
            account(f"Shop {first + start}", members=everyone[start : start + 2])

    people(0, 10)
    clock.advance(WEEK_AND_A_BIT)
    services.nudges.sweep()  # items and rounds on record for some
    ten = statements()
    people(10, 100)
    assert statements() == ten
    assert ten <= 10  # nine, and the running campaigns read once (bot/campaigns/progress.py)


def test_each_member_reads_their_reminder_in_their_own_language_in_one_sweep(
    services: Services, member: MemberFactory, account: AccountFactory, clock: FakeClock
) -> None:
    """What reads the same for everyone of one language (titles, "Not linked yet.", why) is read
    once a sweep per language: German members and English ones, taken in turn, each get theirs."""
    people = [member(f"U0M{n}") for n in range(4)]
    account("Acme Shoes Ads", members=people)
    german, english = people[::2], people[1::2]
    for person in german:
        services.languages.choose(str(person.slack_user_id), "de")
    clock.advance(WEEK_AND_A_BIT)

    assert services.nudges.sweep().written.messages == 4

    said = {
        message.recipient: {item["check"]: item for item in message.payload["items"]}
        for message in outbox(services.database)
    }
    for person in german:
        gaps = said[str(person.slack_user_id)]
        assert gaps["authenticator"]["title"] == "Authenticator mit dem Bot verknüpft"
        assert gaps["authenticator"]["explanation"] == "Noch nicht verknüpft."
        assert gaps["authenticator"]["why"].startswith("erste Erinnerung (die Schonfrist von 14")
        assert gaps["recovery_phone"]["explanation"] == "Noch nicht erfasst."
        assert gaps["two_step"]["explanation"] == "Noch nicht bestätigt für: Acme Shoes Ads."
    for person in english:
        gaps = said[str(person.slack_user_id)]
        assert gaps["authenticator"]["title"] == "Authenticator linked to the bot"
        assert gaps["authenticator"]["explanation"] == "Not linked yet."
        assert gaps["authenticator"]["why"].startswith("first reminder (the 14 days' grace")
        assert gaps["recovery_phone"]["explanation"] == "Not on record yet."
        assert gaps["two_step"]["explanation"] == "Not confirmed yet for: Acme Shoes Ads."
