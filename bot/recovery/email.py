"""The recovery email: an address the member types in Slack, confirmed only once they type back
the 6-digit code mailed to it.

Codes are valid for 10 minutes, used once, kept only as an HMAC under the bot's own keys and
compared in constant time. Five wrong codes within 15 minutes refuse codes for 15 minutes; at most
five codes are mailed an hour. Both limits are counted from the audit trail, which records every
request, mail, attempt and refusal.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.checklist.evidence import record_bot_check
from bot.checklist.members import member_for
from bot.checklist.model import Check, State
from bot.checklist.notes import note
from bot.core import audit
from bot.core.clock import Clock
from bot.core.errors import CodeRejected, DomainError, InvalidInput
from bot.core.i18n import N_, _, ngettext, number
from bot.core.lockout import CodeActions, CodeAttempt, minutes_left
from bot.core.masking import mask_email
from bot.recovery.mail import Mail, Mailer
from storage import audit as audit_store
from storage import members as member_store
from storage import recovery as recovery_store
from storage.database import Database
from storage.models import Member, RecoveryEmail

logger = logging.getLogger("security_bot.recovery")
REJECTED = "recovery.email.code.rejected"
SENT = "recovery.email.code_sent"
_CODES = CodeActions(REJECTED, "recovery.email.code.refused_locked", "recovery.email.locked")
MAX_ADDRESS = 254  # what SMTP carries (RFC 5321)
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


@dataclass(frozen=True)
class RecoveryEmailPolicy:
    code_valid_for: timedelta = timedelta(minutes=10)
    max_failures: int = 5
    failure_window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=15)
    max_mails: int = 5
    mail_window: timedelta = timedelta(hours=1)


@dataclass(frozen=True)
class CodeToSend:
    """A code just issued, for `deliver` to mail after the member's modal was answered."""

    slack_user_id: str
    address: str = field(repr=False)
    code: str = field(repr=False)
    expires_at: datetime

    @property
    def masked(self) -> str:
        return mask_email(self.address)


class TooManyMails(DomainError):
    pass


@dataclass(frozen=True)
class RecoveryEmailStatus:
    confirmed: str | None  # masked
    confirmed_at: datetime | None
    pending: str | None  # masked, while an unexpired code waits
    pending_expires_at: datetime | None


class RecoveryEmailService:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        mailer: Mailer,
        keys: tuple[str, ...],
        policy: RecoveryEmailPolicy | None = None,
    ) -> None:
        self._database = database
        self._clock = clock
        self._mailer = mailer
        self._keys = tuple(key.encode() for key in keys)
        self.policy = policy or RecoveryEmailPolicy()

    def status(self, slack_user_id: str) -> RecoveryEmailStatus:
        now = self._clock.now()
        with self._database.sessions() as session:
            row = recovery_store.email_of_slack_user(session, slack_user_id)
        if row is None:
            return RecoveryEmailStatus(None, None, None, None)
        waiting = _waiting(row, now)
        return RecoveryEmailStatus(
            mask_email(row.address) if row.address else None,
            row.confirmed_at,
            mask_email(row.pending_address) if waiting and row.pending_address else None,
            row.code_expires_at if waiting else None,
        )

    def request_code(self, slack_user_id: str, address: str) -> CodeToSend:
        """Check the address and the mail limit, and issue a new code (replacing any earlier one).

        The mail itself goes out with `deliver`, after the member's modal has been answered.
        """
        if not self._keys:  # serve, socket and the sandbox always have one (bot/core/config.py)
            raise RuntimeError("SECURITY_BOT_KEYS is needed to issue recovery-email codes")
        wanted = normalise_address(address)
        now = self._clock.now()
        with self._database.sessions.begin() as session:
            member = member_for(session, slack_user_id, self._clock)
            row = recovery_store.lock_email(session, member.id, now)
            target = _target(slack_user_id)
            since = now - self.policy.mail_window
            sent = audit_store.times_of(session, target, (SENT,), since)
            sent = [at for at in sent if at > since]  # a mail an hour old no longer counts
            if len(sent) >= self.policy.max_mails:
                _record(
                    session,
                    now,
                    slack_user_id,
                    "recovery.email.code_refused",
                    reason="too_many_mails",
                )
                refusal = TooManyMails(_too_many_mails(sent[0] + self.policy.mail_window, now))
            else:
                code = f"{secrets.randbelow(10**6):06d}"
                row.pending_address = wanted
                row.code_hash = self._hash(member.id, code, self._keys[0])
                row.code_sent_at, row.code_expires_at = now, now + self.policy.code_valid_for
                if row.address is None:
                    self._record_check(session, member, State.NEEDS_ACTION, _pending_note(wanted))
                _record(session, now, slack_user_id, SENT, address=mask_email(wanted))
                return CodeToSend(slack_user_id, wanted, code, now + self.policy.code_valid_for)
        raise refusal

    def deliver(self, issued: CodeToSend) -> str:
        """Mail the code; raise MailNotSent (audited, and logged without the address) on failure."""
        minutes = int(self.policy.code_valid_for.total_seconds() // 60)
        mail = Mail(
            to=issued.address,
            subject=_("Your code to confirm your recovery email"),
            body=ngettext(
                "Your confirmation code is {code}\n\n"
                "Type it into Slack within {minutes} minute to confirm this address as your "
                "recovery email with the account-security bot. It works once.\n\n"
                "If you did not ask for it, ignore this email and tell your security team.\n",
                "Your confirmation code is {code}\n\n"
                "Type it into Slack within {minutes} minutes to confirm this address as your "
                "recovery email with the account-security bot. It works once.\n\n"
                "If you did not ask for it, ignore this email and tell your security team.\n",
                minutes,
            ).format(code=issued.code, minutes=number(minutes)),
            at=self._clock.now(),
        )
        try:
            where = self._mailer.send(mail)
        except DomainError as failure:
            logger.warning(
                "could not mail a recovery-email code via %s (%s)",
                self._mailer.where,
                type(failure.__cause__).__name__ if failure.__cause__ else "refused",
            )
            self._audit_only(issued.slack_user_id, "recovery.email.mail_failed")
            raise
        logger.debug("a recovery-email code went to the %s", self._mailer.where)
        return where

    def confirm(self, slack_user_id: str, code: str) -> str:
        """Confirm the pending address with its code; returns the address, masked."""
        now = self._clock.now()
        with self._database.sessions.begin() as session:
            member = member_store.member_by_slack_id(session, slack_user_id)
            if member is None:
                raise CodeRejected(_(_NO_CODE))
            row = recovery_store.lock_email(session, member.id, now)
            attempt = CodeAttempt(slack_user_id, _target(slack_user_id), _CODES, self.policy, now)
            outcome = attempt.refused_while_locked(session) or self._check(
                session, member, row, code, attempt
            )
        if outcome is not None:
            raise outcome
        assert row.address is not None
        return mask_email(row.address)

    def _check(
        self, session: Session, member: Member, row: RecoveryEmail, code: str, attempt: CodeAttempt
    ) -> CodeRejected | None:
        now = attempt.now
        digits = re.sub(r"[\s-]", "", code)
        if row.code_hash is None:
            reason, message = "used", _(_NO_CODE)
        elif not re.fullmatch(r"[0-9]{6}", digits):
            reason, message = "malformed", _(_MALFORMED)
        elif not self._matches(member.id, digits, row.code_hash):
            reason, message = "wrong", _(_WRONG)
        elif row.code_expires_at is None or now >= row.code_expires_at:
            reason, message = "expired", _(_EXPIRED)
        else:
            address = row.pending_address or ""
            row.address, row.confirmed_at = address, now
            row.pending_address = row.code_hash = None
            row.code_expires_at = None
            self._record_check(session, member, State.PASSING, _confirmed_note(address))
            _record(
                session, now, attempt.actor, "recovery.email.confirmed", address=mask_email(address)
            )
            return None
        return attempt.rejected(session, reason, message)

    def _matches(self, member_id: int, code: str, stored: str) -> bool:
        """Under every key, so a key rotation does not void a code just mailed; constant time."""
        found = False
        for key in self._keys:
            found |= hmac.compare_digest(self._hash(member_id, code, key), stored)
        return found

    @staticmethod
    def _hash(member_id: int, code: str, key: bytes) -> str:
        message = f"recovery-email:{member_id}:{code}".encode()
        return hmac.new(key, message, hashlib.sha256).hexdigest()

    def _record_check(
        self, session: Session, member: Member, state: State, said: dict[str, Any]
    ) -> None:
        record_bot_check(session, member.id, Check.RECOVERY_EMAIL, state, said, self._clock.now())

    def _audit_only(self, slack_user_id: str, action: str) -> None:
        with self._database.sessions.begin() as session:
            _record(session, self._clock.now(), slack_user_id, action)


def normalise_address(address: str) -> str:
    """The address as typed, trimmed, with the domain in lower case; InvalidInput if it is not one."""
    wanted = address.strip()
    if len(wanted) > MAX_ADDRESS or not _ADDRESS.fullmatch(wanted) or ".." in wanted:
        raise InvalidInput(_("That doesn't look like an email address, e.g. ana@example.com."))
    local, _at, domain = wanted.rpartition("@")
    return f"{local}@{domain.lower()}"


def _waiting(row: RecoveryEmail, now: datetime) -> bool:
    return bool(
        row.code_hash and row.pending_address and row.code_expires_at and now < row.code_expires_at
    )


def _record(
    session: Session, at: datetime, slack_user_id: str, action: str, **details: str
) -> None:
    """What happened to the member's recovery address, audited against it."""
    target = _target(slack_user_id)
    audit.record(session, at=at, actor=slack_user_id, action=action, target=target, **details)


def _target(slack_user_id: str) -> str:
    return f"recovery_email:{slack_user_id}"


def _pending_note(address: str) -> dict[str, Any]:
    masked = mask_email(address)
    return note(
        N_("A code was sent to {address}: enter it to confirm the address."), address=masked
    )


def _confirmed_note(address: str) -> dict[str, Any]:
    return note(N_("{address}, confirmed with a code."), address=mask_email(address))


def _too_many_mails(until: datetime, now: datetime) -> str:
    return _(
        "I've sent you 5 codes in the last hour, the most I send. "
        "Please try again in {minutes}, or use a code already sent."
    ).format(minutes=minutes_left(until, now))


_NO_CODE = N_(
    "There is no code waiting to be entered: it was used already, or none was sent. "
    "Ask for a new one with `/security recovery`."
)
_MALFORMED = N_("Enter the 6 digits from the email.")
_WRONG = N_("That code didn't work. Check the latest email from the bot and enter its 6 digits.")
_EXPIRED = N_("That code has expired (codes work for 10 minutes). Ask for a new one.")
