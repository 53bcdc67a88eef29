"""Linking an authenticator to the bot and checking its codes, against the real database."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import func, select, text, update

from bot.checklist.model import Check, State
from bot.core.clock import FakeClock
from bot.core.errors import CodeRejected, NotAllowed, StepUpNeeded
from bot.services import Services
from bot.twostep.authenticator import NoAuthenticator
from storage.models import AuditRecord, Member
from tests.conftest import ADMIN, MemberFactory, carrying


def _code(secret: str, clock: FakeClock, steps_off: int = 0) -> str:
    return pyotp.TOTP(secret).at(clock.now().timestamp() + 30 * steps_off)


def _linked(services: Services, clock: FakeClock, user: str = "U0ANA") -> tuple[str, list[str]]:
    secret = services.authenticator.begin(user).secret
    codes = services.authenticator.confirm(user, _code(secret, clock))
    clock.advance(timedelta(seconds=30))  # the next code is from a new step
    return secret, codes


def _actions(services: Services) -> list[str]:
    with services.database.sessions() as session:
        return list(session.scalars(select(AuditRecord.action).order_by(AuditRecord.id)))


def test_linking_needs_a_correct_code_and_turns_the_check_green(
    services: Services, clock: FakeClock, member: MemberFactory
) -> None:
    member("U0ANA", email="ana@example.com")
    enrolment = services.authenticator.begin("U0ANA")
    assert enrolment.label == "ana@example.com"
    assert enrolment.uri.startswith("otpauth://totp/Account%20Security:ana%40example.com?")
    assert (
        services.members.status("U0ANA").checklist.line(Check.AUTHENTICATOR).state
        is State.NEEDS_ACTION
    )

    with pytest.raises(CodeRejected):
        services.authenticator.confirm("U0ANA", "000000")
    codes = services.authenticator.confirm("U0ANA", _code(enrolment.secret, clock))

    assert len(codes) == 10
    line = services.members.status("U0ANA").checklist.line(Check.AUTHENTICATOR)
    assert (line.state, line.observed_at) == (State.PASSING, clock.now())
    assert services.authenticator.status("U0ANA").recovery_codes_left == 10
    assert _actions(services) == [
        "twostep.enrol.started",
        "twostep.code.rejected",
        "twostep.code.accepted",
        "twostep.enrol.confirmed",
    ]


def test_starting_again_replaces_a_pending_link_but_not_an_active_one(
    services: Services, clock: FakeClock, member: MemberFactory
) -> None:
    member("U0ANA")
    first = services.authenticator.begin("U0ANA").secret
    second = services.authenticator.begin("U0ANA").secret
    assert first != second
    with pytest.raises(CodeRejected):
        services.authenticator.confirm("U0ANA", _code(first, clock))
    services.authenticator.confirm("U0ANA", _code(second, clock))
    with pytest.raises(NotAllowed, match="Remove it"):
        services.authenticator.begin("U0ANA")


def test_a_code_is_not_accepted_twice(
    services: Services, clock: FakeClock, member: MemberFactory
) -> None:
    member("U0ANA")
    secret, _ = _linked(services, clock)
    code = _code(secret, clock)
    services.authenticator.verify("U0ANA", code)
    with pytest.raises(CodeRejected):
        services.authenticator.verify("U0ANA", code)
    with pytest.raises(CodeRejected):  # nor one from the step before, once a later one was used
        services.authenticator.verify("U0ANA", _code(secret, clock, -1))


def test_lockout_after_five_failures_refuses_even_a_correct_code_until_it_expires(
    services: Services, clock: FakeClock, member: MemberFactory
) -> None:
    member("U0ANA")
    secret, _ = _linked(services, clock)
    for attempt in range(5):
        with pytest.raises(CodeRejected) as raised:
            services.authenticator.verify("U0ANA", "12345a" if attempt == 0 else "000000")
        clock.advance(timedelta(minutes=1))
    assert raised.value.locked_now
    with pytest.raises(CodeRejected, match="Too many wrong codes"):
        services.authenticator.verify("U0ANA", _code(secret, clock))

    clock.advance(timedelta(minutes=13, seconds=59))  # fifth failure + 14:59
    with pytest.raises(CodeRejected, match="Too many wrong codes"):
        services.authenticator.verify("U0ANA", _code(secret, clock))
    clock.advance(timedelta(seconds=1))  # fifth failure + 15:00
    services.authenticator.verify("U0ANA", _code(secret, clock))
    assert _actions(services).count("twostep.locked") == 1
    assert _actions(services).count("twostep.code.refused_locked") == 2


def test_failures_spread_beyond_the_window_do_not_lock(
    services: Services, clock: FakeClock, member: MemberFactory
) -> None:
    member("U0ANA")
    secret, _ = _linked(services, clock)
    for _ in range(8):
        with pytest.raises(CodeRejected) as raised:
            services.authenticator.verify("U0ANA", "000000")
        assert not raised.value.locked_now
        clock.advance(timedelta(minutes=4))
    services.authenticator.verify("U0ANA", _code(secret, clock))


def test_a_burst_of_parallel_wrong_codes_cannot_get_past_the_limit(
    services: Services, clock: FakeClock, member: MemberFactory
) -> None:
    member("U0ANA")
    secret, _ = _linked(services, clock)
    right = _code(secret, clock)

    def attempt(code: str) -> str:
        try:
            services.authenticator.verify("U0ANA", code)
        except CodeRejected as error:
            return "locked" if "Too many" in error.user_message else "wrong"
        return "ok"

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(carrying(attempt), ["000000"] * 12))
    assert results.count("wrong") == 4 and results.count("locked") == 8
    assert attempt(right) == "locked"
    assert _actions(services).count("twostep.code.rejected") == 5


def test_recovery_codes_work_once_in_place_of_a_code(
    services: Services, clock: FakeClock, member: MemberFactory
) -> None:
    member("U0ANA")
    _, codes = _linked(services, clock)
    services.authenticator.verify("U0ANA", codes[3].lower())
    with pytest.raises(CodeRejected):
        services.authenticator.verify("U0ANA", codes[3])
    assert services.authenticator.status("U0ANA").recovery_codes_left == 9


def test_new_recovery_codes_cancel_the_old_set(
    services: Services, clock: FakeClock, member: MemberFactory
) -> None:
    member("U0ANA")
    secret, old = _linked(services, clock)
    new = services.authenticator.new_recovery_codes("U0ANA", _code(secret, clock))
    with pytest.raises(CodeRejected):
        services.authenticator.verify("U0ANA", old[0])
    services.authenticator.verify("U0ANA", new[0])


def test_removing_needs_a_code(services: Services, clock: FakeClock, member: MemberFactory) -> None:
    member("U0ANA")
    secret, _ = _linked(services, clock)
    with pytest.raises(CodeRejected):
        services.authenticator.remove("U0ANA", "000000")
    services.authenticator.remove("U0ANA", _code(secret, clock))
    assert (
        services.members.status("U0ANA").checklist.line(Check.AUTHENTICATOR).state
        is State.NEEDS_ACTION
    )
    with pytest.raises(NoAuthenticator):
        services.authenticator.verify("U0ANA", _code(secret, clock, 1))
    services.authenticator.begin("U0ANA")  # and a new one can be linked


def test_step_up_is_fresh_for_ten_minutes(
    services: Services, clock: FakeClock, member: MemberFactory
) -> None:
    member("U0ANA")
    secret, _ = _linked(services, clock)
    clock.advance(timedelta(minutes=11))
    assert not services.authenticator.is_fresh("U0ANA")
    services.authenticator.verify("U0ANA", _code(secret, clock))
    clock.advance(timedelta(minutes=10))
    assert services.authenticator.is_fresh("U0ANA")
    clock.advance(timedelta(seconds=1))
    assert not services.authenticator.is_fresh("U0ANA")


def test_admin_reset_needs_the_admins_own_step_up(
    services: Services, clock: FakeClock, member: MemberFactory
) -> None:
    member("U0ANA")
    member(ADMIN)
    member("U0RAJ")
    _linked(services, clock)
    admin_secret, _ = _linked(services, clock, ADMIN)
    clock.advance(timedelta(minutes=11))

    with pytest.raises(NotAllowed):
        services.authenticator.reset("U0RAJ", "U0ANA")
    with pytest.raises(StepUpNeeded):
        services.authenticator.reset(ADMIN, "U0ANA")
    services.authenticator.verify(ADMIN, _code(admin_secret, clock))
    services.authenticator.reset(ADMIN, "U0ANA")

    assert services.authenticator.status("U0ANA").state == "none"
    assert "twostep.reset.refused" in _actions(services)
    assert _actions(services)[-1] == "twostep.authenticator.reset"


def test_no_secret_in_plain_text_in_the_database(
    services: Services, clock: FakeClock, member: MemberFactory
) -> None:
    member("U0ANA")
    secret, codes = _linked(services, clock)
    pending_secret = services.authenticator.begin("U0RAJ").secret
    with services.database.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            dump = "\n".join(connection.connection.driver_connection.iterdump())  # type: ignore[union-attr]
        else:
            tables = [
                row[0]
                for row in connection.execute(
                    text(
                        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
                    )
                )
            ]
            dump = "\n".join(
                str(row)
                for table in tables
                for row in connection.execute(text(f'SELECT * FROM "{table}"'))
            )
    assert len(dump) > 1000
    for needle in (secret, pending_secret, *codes, *(c.replace("-", "") for c in codes)):
        assert needle not in dump
        assert needle.encode().hex() not in dump


def test_keys_rotate_reencrypts_under_the_first_key(
    services: Services, clock: FakeClock, member: MemberFactory
) -> None:
    from cryptography.fernet import Fernet

    from bot.core.keys import rotate_keys
    from bot.core.secret_box import SecretBox

    member("U0ANA")
    secret, _ = _linked(services, clock)
    old_key = services.settings.security_bot_keys[0]
    new_key = Fernet.generate_key().decode()

    assert rotate_keys(services.database, SecretBox((new_key, old_key))) == 1

    with services.database.engine.connect() as connection:
        sealed = connection.execute(
            text("SELECT secret_encrypted FROM authenticator_links")
        ).scalar_one()
    assert SecretBox((new_key,)).open(bytes(sealed)) == secret
    with services.database.sessions() as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(AuditRecord)
                .where(AuditRecord.action == "keys.rotated")
            )
            == 1
        )


@pytest.mark.parametrize(
    ("email", "name", "label", "uri_label"),
    [
        (None, "Sam Rivera", "Sam Rivera", "Account%20Security:Sam%20Rivera"),
        (None, None, "your Slack account", "Account%20Security:your%20Slack%20account"),
    ],
)
def test_the_app_entry_names_the_member_as_they_know_themselves_never_by_slack_id(
    services: Services,
    member: MemberFactory,
    email: str | None,
    name: str | None,
    label: str,
    uri_label: str,
) -> None:
    sam = member("U0SAM")
    with services.database.sessions.begin() as session:  # no email (yet) in the directory
        session.execute(
            update(Member).where(Member.id == sam.id).values(email=email, display_name=name)
        )

    enrolment = services.authenticator.begin("U0SAM")

    assert (enrolment.issuer, enrolment.label) == ("Account Security", label)
    assert enrolment.uri.startswith(f"otpauth://totp/{uri_label}?")
    assert "U0SAM" not in enrolment.uri
