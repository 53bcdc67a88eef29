"""The recovery email in the domain: a code mailed to the address confirms it, once, within 10
minutes; wrong codes and mails are throttled; everything is audited. Real database, fake clock."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from bot.checklist.model import Check, CheckLine, Source, State
from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.core.errors import CodeRejected, InvalidInput
from bot.recovery.email import RecoveryEmailService, TooManyMails
from bot.services import Services, build_services
from storage.database import Database
from storage.models import AuditRecord, RecoveryEmail
from tests.conftest import MemberFactory
from tests.mailbox import Mailbox

ADDRESS = "Ana.Private@Example.COM"
MINUTE = timedelta(minutes=1)


@pytest.fixture
def mailbox() -> Mailbox:
    return Mailbox()


@pytest.fixture
def services(
    settings: Settings, clock: FakeClock, database: Database, mailbox: Mailbox
) -> Services:
    return build_services(settings, clock, database, mailer=mailbox)


@pytest.fixture
def recovery(services: Services, member: MemberFactory) -> RecoveryEmailService:
    member("U0ANA")
    return services.recovery_email


def send_code(recovery: RecoveryEmailService, mailbox: Mailbox, address: str = ADDRESS) -> str:
    recovery.deliver(recovery.request_code("U0ANA", address))
    return mailbox.last_code()


def audit_actions(database: Database) -> list[str]:
    with database.sessions() as session:
        return list(session.scalars(select(AuditRecord.action).order_by(AuditRecord.id)))


def stored(database: Database) -> RecoveryEmail:
    with database.sessions() as session:
        row = session.scalars(select(RecoveryEmail)).one()
    return row


def recovery_line(services: Services) -> CheckLine:
    return services.members.status("U0ANA").checklist.line(Check.RECOVERY_EMAIL)


def test_the_code_mailed_to_the_address_confirms_it(
    recovery: RecoveryEmailService, mailbox: Mailbox, services: Services
) -> None:
    code = send_code(recovery, mailbox)

    [mail] = mailbox.mails
    assert mail.to == "Ana.Private@example.com"  # the domain is case-insensitive, the rest is not
    assert "10 minutes" in mail.body
    pending = recovery_line(services)
    assert pending.state is State.NEEDS_ACTION
    assert (
        pending.explanation
        == "A code was sent to A•••@example.com: enter it to confirm the address."
    )

    assert recovery.confirm("U0ANA", f" {code[:3]} {code[3:]} ") == "A•••@example.com"

    line = recovery_line(services)
    assert (line.state, line.source) == (State.PASSING, Source.BOT)
    assert line.explanation == "A•••@example.com, confirmed with a code."
    assert line.fix is None
    status = recovery.status("U0ANA")
    assert (status.confirmed, status.pending) == ("A•••@example.com", None)
    assert audit_actions(services.database) == [
        "recovery.email.code_sent",
        "recovery.email.confirmed",
    ]


def test_only_a_keyed_hash_of_the_code_is_stored_and_cleared_once_used(
    recovery: RecoveryEmailService, mailbox: Mailbox, database: Database
) -> None:
    code = send_code(recovery, mailbox)
    row = stored(database)
    assert row.code_hash is not None and len(row.code_hash) == 64
    assert code not in row.code_hash
    assert row.code_hash != hashlib.sha256(code.encode()).hexdigest()

    recovery.confirm("U0ANA", code)
    row = stored(database)
    assert (row.code_hash, row.pending_address, row.address) == (
        None,
        None,
        "Ana.Private@example.com",
    )


def test_a_wrong_code_is_refused_and_audited_and_the_right_one_still_works(
    recovery: RecoveryEmailService, mailbox: Mailbox, database: Database
) -> None:
    code = send_code(recovery, mailbox)
    wrong = f"{(int(code) + 1) % 10**6:06d}"

    with pytest.raises(CodeRejected, match="didn't work"):
        recovery.confirm("U0ANA", wrong)
    with pytest.raises(CodeRejected, match="6 digits"):
        recovery.confirm("U0ANA", "12ab")

    recovery.confirm("U0ANA", code)
    with database.sessions() as session:
        reasons = session.scalars(
            select(AuditRecord.details).where(AuditRecord.action == "recovery.email.code.rejected")
        ).all()
    assert [details["reason"] for details in reasons] == ["wrong", "malformed"]


def test_an_expired_code_is_refused(
    recovery: RecoveryEmailService, mailbox: Mailbox, clock: FakeClock, services: Services
) -> None:
    code = send_code(recovery, mailbox)
    clock.advance(10 * MINUTE)

    with pytest.raises(CodeRejected, match="expired"):
        recovery.confirm("U0ANA", code)
    assert recovery_line(services).state is State.NEEDS_ACTION
    assert recovery.status("U0ANA").pending is None  # nothing to enter any more


def test_a_code_works_once(recovery: RecoveryEmailService, mailbox: Mailbox) -> None:
    code = send_code(recovery, mailbox)
    recovery.confirm("U0ANA", code)

    with pytest.raises(CodeRejected, match="used already"):
        recovery.confirm("U0ANA", code)


def test_a_new_code_replaces_the_earlier_one(
    recovery: RecoveryEmailService, mailbox: Mailbox, clock: FakeClock
) -> None:
    first = send_code(recovery, mailbox)
    clock.advance(MINUTE)
    second = send_code(recovery, mailbox, "other@example.com")
    if first == second:  # one in a million: the test would prove nothing
        pytest.skip("the two random codes are equal")

    with pytest.raises(CodeRejected):
        recovery.confirm("U0ANA", first)
    assert recovery.confirm("U0ANA", second) == "o•••@example.com"


def test_a_confirmed_address_stays_until_a_new_one_is_confirmed(
    recovery: RecoveryEmailService, mailbox: Mailbox, services: Services
) -> None:
    recovery.confirm("U0ANA", send_code(recovery, mailbox))
    send_code(recovery, mailbox, "new@example.com")

    line = recovery_line(services)
    assert line.state is State.PASSING
    assert "A•••@example.com" in line.explanation
    assert recovery.status("U0ANA").pending == "n•••@example.com"


def test_five_wrong_codes_refuse_codes_for_15_minutes(
    recovery: RecoveryEmailService, mailbox: Mailbox, clock: FakeClock, database: Database
) -> None:
    code = send_code(recovery, mailbox)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(4):
        with pytest.raises(CodeRejected) as rejection:
            recovery.confirm("U0ANA", wrong)
        assert not rejection.value.locked_now
    with pytest.raises(CodeRejected) as fifth:
        recovery.confirm("U0ANA", wrong)
    assert fifth.value.locked_now
    assert "next 15 minutes" in fifth.value.user_message

    clock.advance(14 * MINUTE)
    with pytest.raises(CodeRejected, match="next 1 minute"):
        recovery.confirm("U0ANA", code)  # even the right code, and the code is expired now anyway

    clock.advance(MINUTE)
    fresh = send_code(recovery, mailbox)
    assert recovery.confirm("U0ANA", fresh) == "A•••@example.com"
    assert audit_actions(database).count("recovery.email.locked") == 1
    assert audit_actions(database).count("recovery.email.code.refused_locked") == 1


def test_requesting_new_codes_does_not_reset_the_count_of_wrong_ones(
    recovery: RecoveryEmailService, mailbox: Mailbox
) -> None:
    for _ in range(5):
        code = send_code(recovery, mailbox)
        with pytest.raises(CodeRejected):
            recovery.confirm("U0ANA", f"{(int(code) + 1) % 10**6:06d}")
    with pytest.raises(CodeRejected, match="Too many wrong codes"):
        recovery.confirm("U0ANA", mailbox.last_code())


def test_at_most_five_mails_an_hour(
    recovery: RecoveryEmailService, mailbox: Mailbox, clock: FakeClock, database: Database
) -> None:
    for _ in range(5):
        send_code(recovery, mailbox)
        clock.advance(10 * MINUTE)

    with pytest.raises(TooManyMails, match="try again in 10 minutes"):
        recovery.request_code("U0ANA", ADDRESS)
    assert len(mailbox.mails) == 5
    assert audit_actions(database)[-1] == "recovery.email.code_refused"

    clock.advance(10 * MINUTE)  # the first mail is an hour old now
    send_code(recovery, mailbox)
    assert len(mailbox.mails) == 6


@pytest.mark.parametrize(
    "typed", ["", "ana", "ana@", "@example.com", "ana@example", "a b@example.com", "a..b@x.com"]
)
def test_an_address_that_is_not_one_is_refused(
    recovery: RecoveryEmailService, mailbox: Mailbox, typed: str
) -> None:
    with pytest.raises(InvalidInput, match="doesn't look like an email address"):
        recovery.request_code("U0ANA", typed)
    assert mailbox.mails == []


def test_a_failed_mail_is_audited_and_told(
    recovery: RecoveryEmailService, mailbox: Mailbox, database: Database
) -> None:
    issued = recovery.request_code("U0ANA", ADDRESS)
    mailbox.failing = True

    with pytest.raises(Exception, match="couldn't send the email"):
        recovery.deliver(issued)
    assert audit_actions(database)[-1] == "recovery.email.mail_failed"


def test_a_code_issued_before_a_key_rotation_still_works(
    settings: Settings, clock: FakeClock, database: Database, member: MemberFactory
) -> None:
    member("U0ANA")
    mailbox = Mailbox()
    before = RecoveryEmailService(database, clock, mailbox, settings.security_bot_keys)
    before.deliver(before.request_code("U0ANA", ADDRESS))
    rotated = (Fernet.generate_key().decode(), *settings.security_bot_keys)
    after = RecoveryEmailService(database, clock, mailbox, rotated)

    assert after.confirm("U0ANA", mailbox.last_code()) == "A•••@example.com"


def test_without_a_code_requested_there_is_nothing_to_confirm(
    recovery: RecoveryEmailService,
) -> None:
    with pytest.raises(CodeRejected, match="none was sent"):
        recovery.confirm("U0ANA", "123456")
    with pytest.raises(CodeRejected, match="none was sent"):
        recovery.confirm("U0NOBODY", "123456")
