"""The breach lookup against the loopback range API: only a 5-character prefix leaves the bot,
padding is asked for, and a slow or failing service is "could not check", never "not breached"."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator

import pytest

from bot.checklist.model import Check, State
from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.passwords.rules import Breach, BreachLookupFailed, sha1_hex
from bot.passwords.service import PasswordChecks
from bot.services import Services, build_services
from handlers.outbound.pwned import TIMEOUT_SECONDS, PwnedRanges
from sandbox.pwned_standin import PwnedStandIn
from storage.database import Database
from storage.models import BusinessAccount, Member
from tests.conftest import AccountFactory, MemberFactory

ANA = "U0ANA"
BREACHED = "P@ssw0rd-2026-Summer"  # strong to zxcvbn, but in the stand-in's breach list
CLEAN = "plum-Orbit-42-wagon!"


@pytest.fixture
def pwned() -> Iterator[PwnedStandIn]:
    with PwnedStandIn() as server:
        server.add_breached(BREACHED, 1234)
        yield server


@pytest.fixture
def ranges(pwned: PwnedStandIn) -> PwnedRanges:
    return PwnedRanges(pwned.base_url, timeout=0.5)


@pytest.fixture
def checks(database: Database, clock: FakeClock, ranges: PwnedRanges) -> PasswordChecks:
    return PasswordChecks(database, clock, ranges)


@pytest.fixture
def ana(member: MemberFactory) -> Member:
    return member(ANA, email="ana@example.com")


@pytest.fixture
def shoes(ana: Member, account: AccountFactory) -> BusinessAccount:
    return account("Acme Shoes Ads", members=[ana], platform="meta_business")


def test_only_the_five_character_prefix_is_sent_and_padding_is_asked_for(
    ranges: PwnedRanges, pwned: PwnedStandIn
) -> None:
    digest = sha1_hex(BREACHED)

    answer = ranges.range(digest[:5])

    (request,) = pwned.requests()
    assert request.path == f"/range/{digest[:5]}"
    assert digest[5:] not in request.path and BREACHED not in str(request)
    assert request.headers["add-padding"] == "true"
    lines = answer.splitlines()
    assert f"{digest[5:]}:1234" in lines
    assert len(lines) >= 800 and sum(1 for line in lines if line.endswith(":0")) >= 799


def test_a_breached_password_fails_and_a_clean_one_passes(
    checks: PasswordChecks, shoes: BusinessAccount, pwned: PwnedStandIn, services: Services
) -> None:
    breached = checks.check(ANA, {shoes.id: BREACHED}).verdicts[0]
    clean = checks.check(ANA, {shoes.id: CLEAN}).verdicts[0]

    assert breached.strong and breached.acceptance.accepted  # only the breach makes it fail
    assert breached.breach is Breach.FOUND and not breached.passed
    assert breached.state is State.NEEDS_ACTION and not breached.ready_for_rotation
    assert clean.breach is Breach.NOT_FOUND and clean.passed
    assert pwned.paths() == [f"/range/{sha1_hex(BREACHED)[:5]}", f"/range/{sha1_hex(CLEAN)[:5]}"]


def test_a_timeout_is_could_not_check_never_safe(
    checks: PasswordChecks,
    shoes: BusinessAccount,
    pwned: PwnedStandIn,
    services: Services,
    ana: Member,
    account: AccountFactory,
) -> None:
    pwned.delay = 2.0
    hats = account("Acme Hats Ads", members=[ana], platform="meta_business")

    started = time.perf_counter()
    outcome = checks.check(ANA, {shoes.id: CLEAN, hats.id: BREACHED})
    elapsed = time.perf_counter() - started

    assert elapsed < 1.2  # both asked at once: one timeout (0.5 s), not one per password
    assert sorted(pwned.paths()) == sorted(f"/range/{sha1_hex(p)[:5]}" for p in (CLEAN, BREACHED))
    for verdict in outcome.verdicts:
        assert verdict.breach is Breach.FAILED
        assert not verdict.passed and not verdict.ready_for_rotation
        assert verdict.state is State.UNKNOWN
    line = services.members.status(ANA).checklist.line(Check.STRONG_PASSWORD)
    assert line.state is State.UNKNOWN
    assert "could not be checked against known breaches" in line.accounts[0].explanation


@pytest.mark.parametrize("status", [500, 503, 429])
def test_an_error_status_is_a_failed_lookup(
    ranges: PwnedRanges, pwned: PwnedStandIn, status: int
) -> None:
    pwned.status = status
    with pytest.raises(BreachLookupFailed):
        ranges.range("ABCDE")


def test_an_unreachable_service_is_a_failed_lookup(pwned: PwnedStandIn) -> None:
    dead = PwnedRanges(pwned.base_url, timeout=0.5)
    pwned.stop()
    with pytest.raises(BreachLookupFailed):
        dead.range("ABCDE")


def test_the_default_timeout_is_two_seconds_and_prefixes_are_checked(pwned: PwnedStandIn) -> None:
    assert TIMEOUT_SECONDS == 2.0
    assert PwnedRanges(pwned.base_url).timeout == 2.0
    with pytest.raises(ValueError, match="5 upper-case hex"):
        PwnedRanges(pwned.base_url).range("abcdef")


def test_the_composition_root_refuses_a_url_without_a_lookup(
    settings: Settings, clock: FakeClock, database: Database
) -> None:
    configured = dataclasses.replace(settings, pwned_passwords_url="http://127.0.0.1:9")
    with pytest.raises(ValueError, match="PWNED_PASSWORDS_URL"):
        build_services(configured, clock, database)
