"""Who a campaign is about: each member on each business account in its scope (everyone, one
account manager's accounts, one platform's), and where that pair stands. Pure."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.campaigns.model import CampaignRef, InForce, Mark, Progress, Scope, due_by_check
from bot.checklist.exempting import excuse
from bot.checklist.model import (
    BusinessAccountRef,
    Check,
    Evidence,
    Exempt,
    MemberRef,
    Source,
    State,
)
from bot.checklist.rules import build_checklist

NOW = datetime(2026, 11, 24, 10, tzinfo=UTC)
ACME = BusinessAccountRef(1, "7001", "Acme Ads", "tiktok_business", True, "U0DANA")
BOLT = BusinessAccountRef(2, "7002", "Bolt Shop", "meta_business", False, None)
CEDAR = BusinessAccountRef(3, "7003", "Cedar Ads", "tiktok_business", True, "U0CARL")
ANA = MemberRef(1, "U0ANA", "Ana")


def campaign(
    check: Check = Check.TWO_STEP,
    scope: Scope = Scope.EVERYONE,
    value: str | None = None,
    *,
    number: int = 1,
    deadline: date = date(2026, 12, 18),
) -> CampaignRef:
    due_at = datetime.combine(deadline + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    return CampaignRef(number, check, "", scope, value, deadline, due_at)


def fact(check: Check, state: State, account: BusinessAccountRef | None = None) -> Evidence:
    return Evidence(check, account.id if account else None, state, Source.PLATFORM, NOW, {})


def states(marks: list[Mark], number: int = 1) -> dict[str, Progress]:
    mark = next(found for found in marks if found.campaign.id == number)
    return {account.name: state for account, state in mark.units}


TWO_STEP = [
    fact(Check.TWO_STEP, State.NEEDS_ACTION, ACME),
    fact(Check.TWO_STEP, State.PASSING, BOLT),
]


def test_everyone_means_each_of_the_members_business_accounts() -> None:
    checklist = build_checklist(ANA, [ACME, BOLT, CEDAR], TWO_STEP)
    marks = InForce([campaign()]).mark(checklist.accounts, checklist)
    assert states(marks) == {
        "Acme Ads": Progress.OPEN,
        "Bolt Shop": Progress.DONE,
        "Cedar Ads": Progress.OPEN,  # not confirmed yet is still open
    }


def test_one_account_managers_accounts_only() -> None:
    checklist = build_checklist(ANA, [ACME, BOLT, CEDAR], TWO_STEP)
    marks = InForce([campaign(scope=Scope.MANAGER, value="U0DANA")]).mark(
        checklist.accounts, checklist
    )
    assert states(marks) == {"Acme Ads": Progress.OPEN}
    # A member with no account of that manager's is not in scope at all.
    others = build_checklist(ANA, [BOLT], TWO_STEP)
    assert (
        InForce([campaign(scope=Scope.MANAGER, value="U0DANA")]).mark(others.accounts, others) == []
    )


def test_one_platforms_accounts_only() -> None:
    checklist = build_checklist(ANA, [ACME, BOLT, CEDAR], TWO_STEP)
    marks = InForce([campaign(scope=Scope.PLATFORM, value="meta_business")]).mark(
        checklist.accounts, checklist
    )
    assert states(marks) == {"Bolt Shop": Progress.DONE}
    assert not marks[0].open
    assert due_by_check(marks) == {}  # nothing asked of Ana: no deadline on her checklist


def test_a_check_held_by_the_member_counts_on_each_account_in_scope() -> None:
    confirmed = Evidence(Check.RECOVERY_EMAIL, None, State.PASSING, Source.BOT, NOW, {})
    passing = build_checklist(ANA, [ACME, BOLT], [confirmed])
    marks = InForce([campaign(Check.RECOVERY_EMAIL)]).mark(passing.accounts, passing)
    assert states(marks) == {"Acme Ads": Progress.DONE, "Bolt Shop": Progress.DONE}
    missing = build_checklist(ANA, [ACME, BOLT], [])
    marks = InForce([campaign(Check.RECOVERY_EMAIL)]).mark(missing.accounts, missing)
    assert states(marks) == {"Acme Ads": Progress.OPEN, "Bolt Shop": Progress.OPEN}


def test_an_exempt_account_is_exempt_and_asks_nothing() -> None:
    checklist = build_checklist(ANA, [ACME, BOLT], TWO_STEP)
    excused = excuse(
        checklist, {(Check.TWO_STEP, ACME.id): Exempt(NOW + timedelta(days=30), "U0DANA")}
    )
    marks = InForce([campaign()]).mark(excused.accounts, excused)
    assert states(marks) == {"Acme Ads": Progress.EXEMPT, "Bolt Shop": Progress.DONE}
    assert due_by_check(marks) == {}


def test_without_business_accounts_no_campaign_applies() -> None:
    checklist = build_checklist(ANA, [], [])
    assert InForce([campaign()]).mark(checklist.accounts, checklist) == []


def test_the_nearest_deadline_is_the_one_a_member_is_asked_by() -> None:
    checklist = build_checklist(ANA, [ACME, BOLT], TWO_STEP)
    later = campaign(number=1, deadline=date(2027, 1, 29))
    sooner = campaign(scope=Scope.MANAGER, value="U0DANA", number=2, deadline=date(2026, 12, 18))
    done = campaign(
        scope=Scope.PLATFORM, value="meta_business", number=3, deadline=date(2026, 12, 1)
    )
    marks = InForce([later, sooner, done]).mark(checklist.accounts, checklist)
    assert due_by_check(marks) == {Check.TWO_STEP: sooner}
