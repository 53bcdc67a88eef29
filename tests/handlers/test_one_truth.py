"""One truth: the same member state read on the five surfaces (the checklist, the reminder DM, the
Home tab, the security admins' digest and `/security stats`) says the same about every check."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from datetime import timedelta

import pytest

import wiring
from bot.checklist import views
from bot.checklist.model import TITLES, Check, Checklist, Source, State
from bot.checklist.views import ICONS, STATE_WORDS
from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.nudges.sender import Sender
from bot.nudges.settings import DAY, CheckPolicy, NudgePolicy
from bot.services import Services
from sandbox import payloads
from sandbox.slack_standin import SlackStandIn
from storage import members as member_store
from storage.models import BusinessAccount, Member
from tests.bot.nudges.conftest import FAST
from tests.bot.nudges.conftest import text_of as message_text
from tests.conftest import ADMIN, AccountFactory, MemberFactory
from tests.handlers.conftest import Slack, text_of

# Every check reminded at once, again a day later, then taken to the security admins.
QUICK = CheckPolicy(grace=timedelta(0), cadence=(0 * DAY, DAY), then_every=DAY, cap=2)
POLICY = dataclasses.replace(NudgePolicy(), checks={check: QUICK for check in Check})
ICON_STATES = {icon: state for state, icon in ICONS.items()} | {"🚨": State.NEEDS_ACTION}
TITLE_CHECKS = {title: check for check, title in TITLES.items()}
# "🔴 *Title*…", "⚪ *Title* · unknown", "🔴 Title: 2 reminders since …", each at a line's start.
CHECK_LINE = re.compile(r"^(✅|🔴|⚪|🚨) \*?([^*:\n·]+?)\*?(?: · ([a-z ]+))?(?:$|:)", re.MULTILINE)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, nudge_policy=POLICY)


def save(
    services: Services,
    person: Member,
    check: Check,
    state: State,
    source: Source,
    account: BusinessAccount | None = None,
) -> None:
    with services.database.sessions.begin() as session:
        member_store.save_check_result(
            session,
            member_id=person.id,
            check=check,
            business_account_id=None if account is None else account.id,
            source=source,
            state=state,
            observed_at=services.clock.now(),
            detail={},
        )


def states_shown(text: str) -> dict[Check, tuple[State, str | None]]:
    """Each check a surface names, with the state its icon says (and its state words, if any)."""
    found: dict[Check, tuple[State, str | None]] = {}
    for icon, title, words in CHECK_LINE.findall(text):
        check = TITLE_CHECKS.get(title.strip())
        if check is not None:
            found[check] = (ICON_STATES[icon], words or None)
    return found


def test_the_checklist_the_reminder_the_home_tab_the_digest_and_the_stats_agree(
    slack: Slack,
    services: Services,
    settings: Settings,
    member: MemberFactory,
    account: AccountFactory,
    clock: FakeClock,
    standin: SlackStandIn,
) -> None:
    ana, sam = member("U0ANA", name="Ana"), member(ADMIN, name="Sam")
    shop = account("Acme Shoes Ads", members=[ana])  # no account manager: the digest is next
    save(services, ana, Check.TWO_STEP, State.NEEDS_ACTION, Source.PLATFORM, shop)
    save(services, ana, Check.RECOVERY_PHONE, State.PASSING, Source.SELF)
    save(services, sam, Check.AUTHENTICATOR, State.PASSING, Source.BOT)
    # Ana's passwords were never checked: unknown, with a fix (the password page).
    sender = Sender(
        services.database,
        clock,
        wiring.build_messenger(settings),
        services.nudges.policy,
        "sender-1",
        pace=FAST,
    )
    for _ in range(3):  # reminder 1, reminder 2 (the cap), then the digest
        services.nudges.sweep()
        sender.deliver()
        clock.advance(DAY)

    checklist = services.members.status("U0ANA").checklist
    truth = {line.check: line.state for line in checklist.lines}
    assert truth[Check.STRONG_PASSWORD] is State.UNKNOWN
    assert truth[Check.TWO_STEP] is State.NEEDS_ACTION

    # 1. The checklist shows each check in its state.
    shown = states_shown(text_of(views.checklist_blocks(checklist, own=True)))
    assert {check: state for check, (state, _) in shown.items()} == truth

    # 2. The reminder DM: the same icon and the checklist's state words, for every gap in it.
    dm = standin.messages("U0ANA")[-1]
    reminded = states_shown(message_text(dm))
    assert Check.STRONG_PASSWORD in reminded and Check.TWO_STEP in reminded
    for check, (state, words) in reminded.items():
        assert (state, words) == (truth[check], STATE_WORDS[truth[check]]), check
    assert "⚪ *Unique passwords* · unknown\nNot checked yet." in message_text(dm)

    # 3. The Home tab.
    slack.send(payloads.app_home_opened("U0ANA"))
    home = standin.wait_for(lambda: standin.published_view("U0ANA"))
    home_states = states_shown(text_of(home["blocks"]))
    assert {check: state for check, (state, _) in home_states.items()} == truth

    # 4. The security admins' digest: what is proven red, never what is only not checked yet.
    [digest] = standin.messages(ADMIN)
    escalated = states_shown(message_text(digest))
    assert set(escalated) == {c for c in reminded if truth[c] is State.NEEDS_ACTION}
    assert Check.STRONG_PASSWORD not in escalated and Check.UNIQUE_PASSWORDS not in escalated
    for check, (state, _) in escalated.items():
        assert state is truth[check] is State.NEEDS_ACTION

    # 5. The statistics count the same states, over the members each check applies to.
    everyone = [checklist, services.members.status(ADMIN).checklist]
    report = services.stats.build()
    for figures in report.checks:
        counted = Counter(
            line.state for c in everyone for line in c.lines if line.check is figures.check
        )
        assert (figures.in_scope, figures.passing, figures.needs_action, figures.unknown) == (
            sum(counted.values()),
            counted[State.PASSING],
            counted[State.NEEDS_ACTION],
            counted[State.UNKNOWN],
        ), figures.check
    assert (report.in_scope, report.fully_passing) == (2, sum(_passes_all(c) for c in everyone))


def _passes_all(checklist: Checklist) -> bool:
    return all(line.state is State.PASSING for line in checklist.lines)
