"""Who is reminded about which check, and a member's own 2-step verification report waiting for
the platform: against the real database and the Slack stand-in."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from sqlalchemy import delete

from bot.checklist.model import Check, Source, State
from bot.core.clock import FakeClock
from bot.nudges.sender import Sender
from bot.nudges.service import NudgeService
from bot.nudges.settings import DAY, CheckPolicy, NudgePolicy
from bot.services import Services
from handlers.outbound.slack_messenger import SlackMessenger
from sandbox.slack_standin import SlackStandIn
from storage.models import Membership
from tests.bot.nudges.conftest import FAST, Evidence, checks_in, items, outbox, text_of
from tests.conftest import ADMIN, AccountFactory, MemberFactory

QUICK = CheckPolicy(grace=timedelta(0), cadence=(0 * DAY, DAY), then_every=DAY, cap=2)


def quick(**changes: CheckPolicy) -> NudgePolicy:
    """Every check reminded at once, a day later, then escalated; `changes` per check."""
    checks = {check: changes.get(check.value, QUICK) for check in Check}
    return dataclasses.replace(NudgePolicy(), checks=checks)


def test_a_member_without_business_accounts_hears_only_about_the_authenticator(
    services: Services,
    messenger: SlackMessenger,
    member: MemberFactory,
    account: AccountFactory,
    evidence: Evidence,
    clock: FakeClock,
    standin: SlackStandIn,
) -> None:
    nudges = NudgeService(services.database, clock, quick(), frozenset({ADMIN}))
    sender = Sender(services.database, clock, messenger, nudges.policy, "sender-1", pace=FAST)
    ana, dana = member("U0ANA", name="Ana"), member("U0DANA", name="Dana")
    member(ADMIN, name="Sam")
    evidence(dana, Check.AUTHENTICATOR, State.PASSING, source=Source.BOT)
    shop = account("Acme Shoes Ads", members=[ana, dana], manager=dana)
    evidence(ana, Check.TWO_STEP, State.PASSING, account=shop)

    nudges.sweep()
    sender.deliver()
    [for_dana] = [m for m in outbox(services.database) if m.recipient == "U0DANA"]
    assert "recovery_phone" in checks_in(for_dana)  # she works on Acme Shoes Ads today
    # Sam (a security admin on no account) linked nothing: only that is his gap.
    [for_sam] = [m for m in outbox(services.database) if m.recipient == ADMIN]
    assert checks_in(for_sam) == ["authenticator"]

    # Dana leaves the account and stays its manager: the checks about accounts leave her alone.
    with services.database.sessions.begin() as session:
        session.execute(delete(Membership).where(Membership.member_id == dana.id))
    clock.advance(DAY)
    nudges.sweep()
    sender.deliver()

    dana_items = [item for item in items(services.database) if item.member_id == dana.id]
    assert dana_items and {item.closed_reason for item in dana_items} == {"withdrawn"}
    assert len(standin.messages("U0DANA")) == 1  # no second reminder about checks she can't pass

    # Sam ignores it: the digest says what is true about him.
    clock.advance(DAY)
    nudges.sweep()
    sender.deliver()
    digest = text_of(standin.messages(ADMIN)[-1])
    assert "*<@U0ADMIN>*" in digest
    assert "Works on no business account, so there is no account manager to tell" in digest
    assert "No account manager on record" not in digest
    assert "<@U0ANA>" in text_of(standin.messages("U0DANA")[-1])  # Ana's manager is told

    # Dana passes every check that applies to her; she does not drag "every check" down.
    figures = {row.check: row for row in services.stats.build().checks}
    assert figures[Check.TWO_STEP].in_scope == 1  # Ana only
    assert figures[Check.AUTHENTICATOR].in_scope == 3
    report = services.stats.build()
    assert (report.in_scope, report.fully_passing) == (3, 1)
    assert report.history[-1].percent(Check.TWO_STEP) == 100.0  # of Ana, not of all three


def test_turning_2sv_on_after_the_platform_said_off_pauses_the_reminders_until_it_settles(
    services: Services,
    messenger: SlackMessenger,
    member: MemberFactory,
    account: AccountFactory,
    evidence: Evidence,
    clock: FakeClock,
    standin: SlackStandIn,
) -> None:
    only_two_step = {check.value: CheckPolicy(enabled=False) for check in Check}
    only_two_step[Check.TWO_STEP.value] = QUICK
    nudges = NudgeService(services.database, clock, quick(**only_two_step), frozenset({ADMIN}))
    sender = Sender(services.database, clock, messenger, nudges.policy, "sender-1", pace=FAST)
    ana = member("U0ANA", name="Ana")
    shop = account("Acme Shoes Ads", members=[ana])
    evidence(ana, Check.TWO_STEP, State.NEEDS_ACTION, account=shop)  # the platform: off
    nudges.sweep()
    sender.deliver()
    assert "🔴 *2-step verification" in text_of(standin.messages("U0ANA")[-1])

    clock.advance(timedelta(hours=1))
    services.self_reports.two_step_turned_on("U0ANA", shop.id, "sms")
    waits: list[str] = []
    for _ in range(2):  # two days of sweeps: no reminder, no escalation, the item stays open
        clock.advance(DAY)
        nudges.sweep(on_decision=lambda d: waits.extend(w.why for w in d.waiting))
        sender.deliver()
    assert len(standin.messages("U0ANA")) == 1 and standin.messages(ADMIN) == []
    assert (
        "waiting for the platform to confirm what you reported on Tue 24 Nov 2026 12:00"
        in (waits[0])
    )
    [item] = items(services.database)
    assert (item.closed_at, item.level) == (None, 0)

    # Past the three days the reminder comes back, in the checklist's words: not checked yet.
    clock.advance(DAY + timedelta(hours=2))
    nudges.sweep()
    sender.deliver()
    latest = text_of(standin.messages("U0ANA")[-1])
    assert "⚪ *2-step verification on each business account* · unknown" in latest
    assert "Waiting for the platform to confirm: Acme Shoes Ads." in latest
    # And it is never taken to the security admins: nothing is proven red.
    for _ in range(4):  # the weekend, then Monday and Tuesday: the cap of 2 is reached
        clock.advance(DAY)
        nudges.sweep()
        sender.deliver()
    assert standin.messages(ADMIN) == []
    assert len(standin.messages("U0ANA")) == 2
