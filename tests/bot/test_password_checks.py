"""The password check service against a real database with a fake clock: what is kept (the
outcome, per business account), what never is (the password), and the hourly limit."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.checklist.model import Check, Fix, Source, State
from bot.core.clock import FakeClock
from bot.core.errors import InvalidInput
from bot.core.secure_links import LinkPurpose, LinkUnusable
from bot.passwords.rules import Breach
from bot.passwords.service import PasswordChecks, TooManyChecks
from bot.services import Services
from storage.database import Database
from storage.models import AuditRecord, BusinessAccount, CheckResult, Member
from tests.conftest import AccountFactory, MemberFactory, carrying

ANA = "U0ANA"
MARKER = "Qx9MarkerWv"
STRONG = f"{MARKER}-plum-Orbit-42"
FITS = f"{MARKER}#5y"  # 14 characters with every class: TikTok for Business takes it


@pytest.fixture
def ana(member: MemberFactory) -> Member:
    return member(ANA, name="Ana", email="ana@example.com")


@pytest.fixture
def shoes(ana: Member, account: AccountFactory) -> BusinessAccount:
    return account("Acme Shoes Ads", members=[ana])


@pytest.fixture
def hats(ana: Member, account: AccountFactory) -> BusinessAccount:
    return account("Acme Hats Ads", members=[ana], platform="meta_business")


def rows(database: Database, check: Check) -> list[CheckResult]:
    with database.sessions() as session:
        return list(
            session.scalars(
                select(CheckResult)
                .where(CheckResult.check == check)
                .order_by(CheckResult.business_account_id)
            )
        )


def records(database: Database) -> list[AuditRecord]:
    with database.sessions() as session:
        return list(session.scalars(select(AuditRecord).order_by(AuditRecord.id)))


def test_only_the_outcome_is_stored_per_business_account(
    services: Services,
    database: Database,
    clock: FakeClock,
    shoes: BusinessAccount,
    hats: BusinessAccount,
) -> None:
    outcome = services.passwords.check(ANA, {shoes.id: FITS, hats.id: "ana"})

    assert [v.name for v in outcome.verdicts] == ["Acme Shoes Ads", "Acme Hats Ads"]
    fits, weak = outcome.verdicts
    assert fits.passed and fits.breach is Breach.NOT_CONFIGURED
    assert not weak.passed and "user_inputs" in weak.strength.dictionaries  # her own name
    strong_rows = rows(database, Check.STRONG_PASSWORD)
    assert [(r.business_account_id, r.state, r.source) for r in strong_rows] == sorted(
        [(shoes.id, "passing", "bot"), (hats.id, "needs_action", "bot")]
    )
    detail = next(r.detail for r in strong_rows if r.business_account_id == shoes.id)
    assert detail == {
        "score": fits.strength.score,
        "passed": True,
        "accepted": True,
        "breached": "unknown",
        "breach_check": "not_configured",
        "reused": False,
        "checked_at": clock.now().isoformat(),
        "note": f"Strong (score {fits.strength.score} of 4) and accepted by TikTok for Business.",
    }
    (unique,) = rows(database, Check.UNIQUE_PASSWORDS)
    assert (unique.business_account_id, unique.state) == (None, "passing")
    (record,) = records(database)
    assert (record.actor, record.action, record.target) == (
        ANA,
        "password.checked",
        f"member:{ANA}",
    )
    assert record.details == {
        "accounts": [shoes.id, hats.id],
        "passed": [shoes.id],
        "reused": False,
        "breach_lookup_failed": False,
    }
    stored = json.dumps([[r.detail for r in rows(database, c)] for c in Check])
    assert MARKER not in stored and MARKER not in json.dumps(record.details)


def test_the_checklist_shows_verified_results_per_account_with_a_fix(
    services: Services, clock: FakeClock, shoes: BusinessAccount, hats: BusinessAccount
) -> None:
    before = services.members.status(ANA).checklist
    assert before.line(Check.STRONG_PASSWORD).fix is Fix.CHECK_PASSWORDS
    assert before.line(Check.UNIQUE_PASSWORDS).fix is Fix.CHECK_PASSWORDS

    services.passwords.check(ANA, {shoes.id: FITS})
    partly = services.members.status(ANA).checklist
    strong = partly.line(Check.STRONG_PASSWORD)
    assert strong.state is State.UNKNOWN and strong.explanation.endswith("Acme Hats Ads.")
    assert [(a.account.name, a.state) for a in strong.accounts] == [
        ("Acme Hats Ads", State.UNKNOWN),
        ("Acme Shoes Ads", State.PASSING),
    ]
    unique = partly.line(Check.UNIQUE_PASSWORDS)
    assert unique.state is State.UNKNOWN and "check all 2 to confirm" in unique.explanation

    clock.advance(timedelta(minutes=3))
    services.passwords.check(ANA, {shoes.id: FITS, hats.id: STRONG})
    done = services.members.status(ANA).checklist
    for check in (Check.STRONG_PASSWORD, Check.UNIQUE_PASSWORDS):
        line = done.line(check)
        assert (line.state, line.source, line.observed_at, line.fix) == (
            State.PASSING,
            Source.BOT,
            clock.now(),
            None,
        )


def test_blank_fields_are_skipped_and_a_foreign_account_is_refused(
    services: Services,
    database: Database,
    shoes: BusinessAccount,
    hats: BusinessAccount,
    member: MemberFactory,
    account: AccountFactory,
) -> None:
    raj = member("U0RAJ")
    theirs = account("Raj's account", members=[raj])

    with pytest.raises(InvalidInput, match="at least one password"):
        services.passwords.check(ANA, {shoes.id: "", hats.id: ""})
    with pytest.raises(InvalidInput, match="doesn't match your business accounts"):
        services.passwords.check(ANA, {theirs.id: FITS})
    with pytest.raises(InvalidInput):
        services.passwords.check(ANA, {None: FITS})  # the single field is for members without any

    outcome = services.passwords.check(ANA, {shoes.id: FITS, hats.id: ""})
    assert [v.name for v in outcome.verdicts] == ["Acme Shoes Ads"]
    assert [r.business_account_id for r in rows(database, Check.STRONG_PASSWORD)] == [shoes.id]


def test_reuse_fails_unique_passwords_and_names_the_accounts(
    services: Services, shoes: BusinessAccount, hats: BusinessAccount
) -> None:
    outcome = services.passwords.check(ANA, {shoes.id: FITS, hats.id: FITS.lower()})

    assert outcome.reused == (("Acme Shoes Ads", "Acme Hats Ads"),)
    assert outcome.unique is State.NEEDS_ACTION
    shoes_verdict, _ = outcome.verdicts
    assert shoes_verdict.reused_with == ("Acme Hats Ads",)
    assert shoes_verdict.passed and not shoes_verdict.ready_for_rotation
    line = services.members.status(ANA).checklist.line(Check.UNIQUE_PASSWORDS)
    assert line.explanation == (
        "The same or nearly the same password is used on Acme Shoes Ads and Acme Hats Ads."
    )
    assert MARKER not in repr(outcome) and MARKER.lower() not in repr(outcome)


def test_the_score_needed_is_configurable(
    database: Database, clock: FakeClock, shoes: BusinessAccount
) -> None:
    middling = "Shoes2026!x"  # a fair password: score 2 or 3
    lenient = PasswordChecks(database, clock, min_score=2).check(ANA, {shoes.id: middling})
    strict = PasswordChecks(database, clock, min_score=4).check(ANA, {shoes.id: middling})

    assert lenient.verdicts[0].strength.score in (2, 3)
    assert lenient.verdicts[0].passed and not strict.verdicts[0].passed


def test_ten_checks_an_hour_counted_from_the_audit_trail(
    services: Services, database: Database, clock: FakeClock, shoes: BusinessAccount
) -> None:
    for _ in range(10):
        services.passwords.check(ANA, {shoes.id: FITS})
        clock.advance(timedelta(minutes=1))

    with pytest.raises(TooManyChecks) as refused:
        services.passwords.check(ANA, {shoes.id: FITS})
    with pytest.raises(TooManyChecks):
        services.passwords.form_for(ANA)

    assert refused.value.retry_at == clock.now() - timedelta(minutes=10) + timedelta(hours=1)
    assert "10 times in the last hour" in refused.value.user_message
    actions = [r.action for r in records(database)]
    assert actions.count("password.checked") == 10 and actions[-1] == "password.check.refused"
    clock.advance(timedelta(minutes=50))  # the first check leaves the window
    assert services.passwords.form_for(ANA).accounts[0].name == "Acme Shoes Ads"
    services.passwords.check(ANA, {shoes.id: FITS})


def test_parallel_checks_of_one_member_never_pass_the_limit(
    services: Services, database: Database, shoes: BusinessAccount
) -> None:
    for _ in range(8):
        services.passwords.check(ANA, {shoes.id: FITS})
    results: list[str] = []
    barrier = threading.Barrier(6, timeout=30)

    def attempt() -> None:
        barrier.wait()
        try:
            services.passwords.check(ANA, {shoes.id: FITS})
            results.append("checked")
        except TooManyChecks:
            results.append("refused")

    threads = [threading.Thread(target=carrying(attempt)) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == ["checked"] * 2 + ["refused"] * 4
    assert [r.action for r in records(database)].count("password.checked") == 10


def test_the_link_is_used_up_with_the_outcome_and_only_once(
    services: Services, database: Database, shoes: BusinessAccount
) -> None:
    issued = services.secure_links.issue(ANA, LinkPurpose.PASSWORD_CHECK)
    grant = services.secure_links.check(issued.url.rsplit("/", 1)[1], LinkPurpose.PASSWORD_CHECK)

    services.passwords.check(ANA, {shoes.id: FITS}, link=grant)
    with pytest.raises(LinkUnusable):
        services.passwords.check(ANA, {shoes.id: "ana"}, link=grant)  # a weak one, kept nowhere

    actions = [r.action for r in records(database)]
    assert actions.count("password.checked") == 1 and actions.count("secure_link.used") == 1
    (row,) = rows(database, Check.STRONG_PASSWORD)
    assert row.state == "passing"
