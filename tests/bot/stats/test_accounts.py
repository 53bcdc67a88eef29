"""Figures per business account and platform, from a hand-built directory on a real database:
each share counted as the members' own checklists judge their evidence, exempted gaps apart, in
one statement whatever the number of accounts, and only the served workspace's accounts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot.checklist.model import AccountLine, Check, CheckLine, Source, State
from bot.core.clock import FakeClock
from bot.services import Services
from bot.stats.accounts import PASSWORD_CHECK_RECENT, AccountFigures, PlatformFigures, Share
from storage import account_stats
from storage import members as member_store
from storage.exemption_models import Exemption
from storage.models import BusinessAccount, Member
from storage.scope import serving
from storage.tracing import executed_statements
from tests.conftest import ADMIN, AccountFactory, MemberFactory

DAY = timedelta(days=1)
Evidence = Callable[..., None]


@pytest.fixture
def evidence(services: Services, clock: FakeClock) -> Evidence:
    """evidence(ana, "two_step", "platform", "passing", account=acme, age=DAY)"""

    def make(
        who: Member,
        check: str,
        source: str,
        state: str = "passing",
        *,
        account: BusinessAccount | None = None,
        age: timedelta = DAY,
    ) -> None:
        with services.database.sessions.begin() as session:
            member_store.save_check_result(
                session, member_id=who.id, check=check,
                business_account_id=account.id if account else None, source=source,
                state=state, observed_at=clock.now() - age, detail={},
            )  # fmt: skip

    return make


def exempt(
    services: Services, who: Member, account: BusinessAccount, check: str, ends: datetime
) -> None:
    with services.database.sessions.begin() as session:
        session.add(
            Exemption(
                member_id=who.id, business_account_id=account.id, check=check,
                reason="Shared account, 2SV held by the agency", ends_at=ends,
                status="approved", requested_at=ends - 30 * DAY, decided_by="U0DANA",
                decided_at=ends - 29 * DAY,
            )
        )  # fmt: skip


def recovered(evidence: Evidence, who: Member) -> None:
    """A confirmed recovery email and a recovery phone the member gave."""
    evidence(who, "recovery_email", "bot")
    evidence(who, "recovery_phone", "self")


@pytest.fixture
def directory(
    services: Services,
    member: MemberFactory,
    account: AccountFactory,
    evidence: Evidence,
    clock: FakeClock,
) -> dict[str, BusinessAccount]:
    """Two platforms. TikTok for Business: Acme Ads (everything confirmed), Bolt Ads (Ben's 2SV
    unconfirmed, his password check too old, his recovery email unconfirmed), Shared Ads (Cleo's
    gaps all exempt) and Empty Ads (no members). Meta Business: Dora Shop (2SV confirmed, no
    password check, a recovery email the platform reports missing)."""
    ana, raj, ben = member("U0ANA"), member("U0RAJ"), member("U0BEN")
    cleo, dora = member("U0CLEO"), member("U0DORA")
    dana = member("U0DANA")
    acme = account("Acme Ads", members=[ana, raj], manager=dana)
    bolt = account("Bolt Ads", members=[ana, ben], manager=dana)
    shared = account("Shared Ads", members=[cleo], manager=dana)
    empty = account("Empty Ads")
    shop = account("Dora Shop", members=[dora], platform="meta_business")
    now = clock.now()
    for who, where in ((ana, acme), (raj, acme), (ana, bolt), (dora, shop)):
        evidence(who, "two_step", "platform", account=where)
    for who, where in ((ana, acme), (raj, acme), (ana, bolt)):
        evidence(who, "strong_password", "bot", account=where, age=10 * DAY)
    evidence(ben, "two_step", "platform", "needs_action", account=bolt)
    evidence(ben, "two_step", "self", account=bolt, age=2 * DAY)  # older than the platform's
    evidence(ben, "strong_password", "bot", account=bolt, age=PASSWORD_CHECK_RECENT + DAY)
    evidence(cleo, "two_step", "platform", "needs_action", account=shared)
    evidence(cleo, "strong_password", "bot", "needs_action", account=shared)
    exempt(services, cleo, shared, "two_step", now + 30 * DAY)
    exempt(services, cleo, shared, "strong_password", now + 30 * DAY)
    exempt(services, ben, bolt, "two_step", now - DAY)  # ended yesterday: counts no more
    evidence(dora, "strong_password", "bot", "needs_action", account=shop)  # failed the policy
    for who in (ana, raj, cleo, dora):
        recovered(evidence, who)
    evidence(ana, "recovery_phone", "platform", account=acme)  # the platform's word, on
    evidence(dora, "recovery_email", "platform", "needs_action", account=shop)
    evidence(ben, "recovery_phone", "self")  # but no confirmed recovery email
    del empty
    return {"acme": acme, "bolt": bolt, "shared": shared, "shop": shop}


def test_the_shares_per_platform_count_whole_accounts(
    services: Services, directory: dict[str, BusinessAccount]
) -> None:
    figures = services.stats.build().accounts

    assert [line.platform for line in figures.platforms] == ["meta_business", "tiktok_business"]
    meta, tiktok = figures.platforms
    assert tiktok.name == "TikTok for Business" and meta.name == "Meta Business"
    assert (tiktok.accounts, tiktok.without_members) == (4, 1)
    assert tiktok.two_step == Share(confirmed=1, of=4, exempt=1)  # Acme; Shared is exempt
    assert tiktok.passwords == Share(confirmed=1, of=4, exempt=1)  # Ben's check is too old
    assert tiktok.recovery == Share(confirmed=2, of=4)  # Acme and Shared; not Ben's Bolt
    assert tiktok.two_step.percent == 25.0
    assert meta == PlatformFigures(
        "meta_business", 1, 0, Share(1, 1), Share(0, 1), Share(0, 1)
    )  # the platform reports Dora's recovery email missing
    assert figures.all_platforms == PlatformFigures(
        "", 5, 1, Share(2, 5, 1), Share(1, 5, 1), Share(2, 5)
    )


def test_the_shares_agree_with_the_members_checklists(
    services: Services, directory: dict[str, BusinessAccount], clock: FakeClock
) -> None:
    """Each account judged from its members' checklists as they show them, against the SQL."""
    since = clock.now() - PASSWORD_CHECK_RECENT
    expected: dict[str, dict[str, list[str]]] = {}
    for name, where in directory.items():
        states: dict[str, list[str]] = {"two_step": [], "passwords": [], "recovery": []}
        members = {
            "acme": ["U0ANA", "U0RAJ"],
            "bolt": ["U0ANA", "U0BEN"],
            "shared": ["U0CLEO"],
            "shop": ["U0DORA"],
        }[name]
        for person in members:
            checklist = services.members.status(person).checklist
            two_step = _account_line(checklist.line(Check.TWO_STEP), where.id)
            password = _account_line(checklist.line(Check.STRONG_PASSWORD), where.id)
            states["two_step"].append(
                "ok"
                if two_step.state is State.PASSING and two_step.source is Source.PLATFORM
                else "exempt"
                if two_step.exempt is not None
                else "open"
            )
            fresh = password.observed_at is not None and password.observed_at >= since
            states["passwords"].append(
                "ok"
                if password.state is State.PASSING and fresh
                else "exempt"
                if password.exempt is not None
                else "open"
            )
            recovery = all(
                checklist.line(check).state is State.PASSING
                for check in (Check.RECOVERY_EMAIL, Check.RECOVERY_PHONE)
            )
            states["recovery"].append("ok" if recovery else "open")
        expected[name] = states

    def share(figure: str, platform: str) -> Share:
        accounts = [n for n, a in directory.items() if a.platform == platform]
        judged = [expected[n][figure] for n in accounts]
        empty = sum(1 for a in _all_accounts(services) if a == platform) - len(accounts)
        return Share(
            confirmed=sum(1 for states in judged if set(states) == {"ok"}),
            of=len(accounts) + empty,
            exempt=sum(1 for states in judged if "open" not in states and "exempt" in states),
        )

    figures = services.stats.build().accounts
    for line in figures.platforms:
        assert line.two_step == share("two_step", line.platform), line.platform
        assert line.passwords == share("passwords", line.platform), line.platform
        assert line.recovery == share("recovery", line.platform), line.platform


def _account_line(line: CheckLine, account_id: int) -> AccountLine:
    return next(found for found in line.accounts if found.account.id == account_id)


def _all_accounts(services: Services) -> list[str]:
    with services.database.sessions() as session:
        return list(session.scalars(select(BusinessAccount.platform)))


def test_the_figures_cost_one_statement_for_five_accounts_as_for_five_hundred(
    services: Services,
    member: MemberFactory,
    account: AccountFactory,
    evidence: Evidence,
) -> None:
    def statements() -> int:
        now = services.clock.now()
        with (
            services.database.sessions() as session,
            executed_statements(services.database.engine) as seen,
        ):
            account_stats.posture_by_platform(session, now, now - PASSWORD_CHECK_RECENT)
        return len(seen)

    def accounts(first: int, last: int) -> None:
        for number in range(first, last):
            people = [member(f"U0P{number:03d}{n}") for n in range(2)]
            shop = account(f"Shop {number}", members=people, platform=f"p{number % 3}")
            evidence(people[0], "two_step", "platform", account=shop)
            recovered(evidence, people[1])

    accounts(0, 5)
    few = statements()
    accounts(5, 500)
    assert statements() == few == 1
    assert services.stats.build().accounts.accounts == 500


def test_another_workspace_s_accounts_do_not_count(
    services: Services, directory: dict[str, BusinessAccount], account: AccountFactory
) -> None:
    before = services.stats.build().accounts
    with serving("T0OTHER"):
        account("Other Shop")
        other = services.stats.build().accounts
    assert other.accounts == 1 and other.all_platforms.two_step == Share(0, 1)
    assert services.stats.build().accounts == before


def test_no_accounts_yet(services: Services) -> None:
    assert services.stats.report(ADMIN).accounts == AccountFigures()
