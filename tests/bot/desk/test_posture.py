"""An account's posture never disagrees with its members' checklists: thousands of members with
random evidence, exemptions and accounts, each read both ways, must say the same on every check
about every account (bot/checklist/states.py decides for both); and the order of the desk."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from bot.checklist.exempting import excuse, in_force
from bot.checklist.model import (
    BusinessAccountRef,
    Check,
    Checklist,
    Evidence,
    MemberRef,
    Source,
    State,
)
from bot.checklist.rules import build_checklist
from bot.desk.posture import AccountPosture, Gap, MemberPosture, postures
from storage.desk import DeskAccount, DeskEvidence, DeskExemption, DeskMembership, DeskRows
from storage.sweep_reads import ExemptionRow

NOW = datetime(2026, 12, 7, 10, tzinfo=UTC)
ACCOUNTS = (1, 2, 3)
# (check, per account?, sources that may speak)
SPEAKERS = (
    (Check.TWO_STEP, True, (Source.PLATFORM, Source.SELF)),
    (Check.STRONG_PASSWORD, True, (Source.BOT, Source.SELF, Source.PLATFORM)),
    (Check.NO_COMPROMISED_PASSWORD, True, (Source.PLATFORM, Source.SELF)),
    (Check.NO_COMPROMISED_PASSWORD, False, (Source.PLATFORM, Source.SELF)),
    (Check.UNIQUE_PASSWORDS, False, (Source.BOT, Source.SELF)),
    (Check.RECOVERY_EMAIL, False, (Source.BOT,)),
    (Check.RECOVERY_EMAIL, True, (Source.PLATFORM,)),
    (Check.RECOVERY_PHONE, False, (Source.SELF,)),
    (Check.RECOVERY_PHONE, True, (Source.PLATFORM,)),
    (Check.AUTHENTICATOR, False, (Source.BOT,)),
)


def _ref(account: int) -> BusinessAccountRef:
    return BusinessAccountRef(
        account, f"70{account}", f"Account {account}", "tiktok_business", True, "UM"
    )


def _random_member(
    pick: random.Random, member: int
) -> tuple[list[int], list[Evidence], list[ExemptionRow]]:
    accounts = sorted(pick.sample(ACCOUNTS, pick.randint(1, len(ACCOUNTS))))
    evidence = []
    for check, per_account, sources in SPEAKERS:
        for account in accounts if per_account else [None]:
            for source in sources:
                if pick.random() < 0.45:
                    at = NOW - timedelta(hours=pick.randint(1, 6))  # equal times happen too
                    state = pick.choice(list(State))
                    evidence.append(Evidence(check, account, state, source, at, {}))
    exemptions = [
        ExemptionRow(check.value, account, NOW + timedelta(days=pick.choice((-1, 3))), "UM")
        for check in (Check.TWO_STEP, Check.STRONG_PASSWORD)
        for account in accounts
        if pick.random() < 0.25
    ]
    return accounts, evidence, exemptions


def _rows(people: dict[int, tuple[list[int], list[Evidence], list[ExemptionRow]]]) -> DeskRows:
    """The same people as the desk reads them: times only where a state depends on them."""
    accounts = [
        DeskAccount(
            a, f"70{a}", f"Account {a}", "tiktok_business", True, None, None, None, None, None, 0
        )
        for a in ACCOUNTS
    ]
    memberships, evidence, exemptions = [], [], []
    for member, (on, facts, excused) in people.items():
        memberships += [DeskMembership(member, a, f"U{member}", f"M{member}", "T1") for a in on]
        evidence += [
            DeskEvidence(
                member, fact.check.value, fact.business_account_id, fact.state.value,
                fact.source.value, fact.observed_at if fact.check is Check.TWO_STEP else None,
            )
            for fact in facts
        ]  # fmt: skip
        exemptions += [
            DeskExemption(member, row.check, row.business_account_id, row.until, row.approved_by)
            for row in excused
        ]
    return DeskRows(accounts, memberships, evidence, exemptions)


def _expected(
    checklist: Checklist, account: int
) -> tuple[dict[Check, tuple[State, bool]], set[Gap]]:
    """What the member's own checklist says about `account`: per check its state and whether it
    is exempt there, and the gaps it leaves the member."""
    said: dict[Check, tuple[State, bool]] = {}
    gaps: set[Gap] = set()
    for check in (Check.TWO_STEP, Check.STRONG_PASSWORD):
        line = next(a for a in checklist.line(check).accounts if a.account.id == account)
        said[check] = (line.state, line.exempt is not None)
        if line.state is not State.PASSING and line.exempt is None:
            gaps.add(Gap(check, line.state))
    compromised = any(
        line.account.id == account and line.state is State.NEEDS_ACTION
        for line in checklist.line(Check.NO_COMPROMISED_PASSWORD).accounts
    )
    said[Check.NO_COMPROMISED_PASSWORD] = (
        State.NEEDS_ACTION if compromised else State.PASSING,
        False,
    )
    if compromised:
        gaps.add(Gap(Check.NO_COMPROMISED_PASSWORD, State.NEEDS_ACTION))
    for check in (Check.UNIQUE_PASSWORDS, Check.RECOVERY_EMAIL, Check.RECOVERY_PHONE):
        state = checklist.line(check).state
        said[check] = (state, False)
        if state is not State.PASSING:
            gaps.add(Gap(check, state))
    return said, gaps


def _read(member: MemberPosture) -> dict[Check, tuple[State, bool]]:
    gaps = {gap.check: gap.state for gap in member.gaps}
    compromised = State.NEEDS_ACTION if member.compromised else State.PASSING
    return {
        Check.TWO_STEP: (member.two_step, Check.TWO_STEP in member.exempt),
        Check.STRONG_PASSWORD: (member.strong_password, Check.STRONG_PASSWORD in member.exempt),
        Check.NO_COMPROMISED_PASSWORD: (compromised, False),
        **{
            check: (gaps.get(check, State.PASSING), False)
            for check in (Check.UNIQUE_PASSWORDS, Check.RECOVERY_EMAIL, Check.RECOVERY_PHONE)
        },
    }


@pytest.mark.parametrize("seed", range(4))
def test_every_account_says_what_each_members_checklist_says(seed: int) -> None:
    pick = random.Random(seed)
    people = {member: _random_member(pick, member) for member in range(1, 751)}
    by_account = {posture.account_id: posture for posture in postures(_rows(people), NOW)}
    seen: set[str] = set()
    for member, (on, facts, excused) in people.items():
        checklist = build_checklist(
            MemberRef(member, f"U{member}", f"M{member}"), [_ref(a) for a in on], facts
        )
        checklist = excuse(checklist, in_force(excused, NOW))
        for account in on:
            found = next(m for m in by_account[account].members if m.member_id == member)
            said, gaps = _expected(checklist, account)
            assert _read(found) == said, (member, account)
            assert set(found.gaps) == gaps, (member, account)
            line = next(
                a for a in checklist.line(Check.TWO_STEP).accounts if a.account.id == account
            )
            confirmed = line.state is State.PASSING and line.source is Source.PLATFORM
            assert found.two_step_confirmed == confirmed
            email, phone = (
                checklist.line(c).state for c in (Check.RECOVERY_EMAIL, Check.RECOVERY_PHONE)
            )
            assert found.recovery_ready == (email is phone is State.PASSING)
            seen.update(_cases(found, line.pending_since is not None))
    # The draw reached the cases where the two could part: 2SV waiting for the platform,
    # exemptions, compromised passwords, both kinds of gap.
    assert seen == {"pending", "exempt", "compromised", "red", "unknown", "ready"}


def _cases(member: MemberPosture, pending: bool) -> set[str]:
    return {
        name
        for name, happened in (
            ("pending", pending),
            ("exempt", bool(member.exempt)),
            ("compromised", member.compromised),
            ("red", any(gap.state is State.NEEDS_ACTION for gap in member.gaps)),
            ("unknown", any(gap.state is State.UNKNOWN for gap in member.gaps)),
            ("ready", member.recovery_ready),
        )
        if happened
    }


def _posture(
    name: str, *, case: bool = False, compromised: int = 0, gaps: int = 0
) -> AccountPosture:
    from bot.cases.model import Status
    from bot.cases.severity import Severity
    from bot.desk.posture import OpenCase

    members = tuple(
        MemberPosture(
            n, f"U{n}", f"M{n}", "T1",
            (Gap(Check.NO_COMPROMISED_PASSWORD, State.NEEDS_ACTION),) * (n < compromised)
            + (Gap(Check.RECOVERY_PHONE, State.UNKNOWN),) * (n < gaps),
            State.PASSING, True, State.PASSING, n < compromised, True,
        )
        for n in range(max(compromised, gaps, 1))
    )  # fmt: skip
    open_case = OpenCase(1, Status.INVESTIGATING, Severity.HIGH) if case else None
    return AccountPosture(1, "1", name, "tiktok_business", True, members, open_case, 0)


def test_open_cases_and_compromised_passwords_first_then_the_most_gaps() -> None:
    accounts = [
        _posture("Quiet"),
        _posture("Many gaps", gaps=4),
        _posture("Some gaps", gaps=2),
        _posture("Compromised", compromised=1),
        _posture("Case", case=True),
        _posture("Case and compromised", case=True, compromised=1),
    ]
    ordered = [account.name for account in sorted(accounts, key=lambda a: a.risk)]
    assert ordered == [
        "Case and compromised", "Case", "Compromised", "Many gaps", "Some gaps", "Quiet",
    ]  # fmt: skip
