"""The authenticator app a member links to the bot, and the codes it asks for before sensitive
actions. Every attempt, Slack or page, goes through `_attempt`, so they share one failure count."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.orm import Session

from bot.checklist.evidence import record_bot_check
from bot.checklist.members import member_for
from bot.checklist.model import Check, State
from bot.core import audit, member_audit
from bot.core.clock import Clock
from bot.core.errors import CodeRejected, DomainError, NotAllowed, StepUpNeeded
from bot.core.i18n import N_, _
from bot.core.lockout import CodeActions, CodeAttempt
from bot.core.secret_box import SecretBox
from bot.twostep import totp
from storage import authenticator as link_store
from storage import members as member_store
from storage.database import Database
from storage.models import AuthenticatorLink, Member

PENDING, ACTIVE = "pending", "active"
REJECTED = "twostep.code.rejected"
_CODES = CodeActions(REJECTED, "twostep.code.refused_locked", "twostep.locked")


@dataclass(frozen=True)
class VerificationPolicy:
    max_failures: int = 5
    failure_window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=15)
    step_up_fresh_for: timedelta = timedelta(minutes=10)


class LinkState(StrEnum):
    NONE = "none"
    PENDING = "pending"
    ACTIVE = "active"


@dataclass(frozen=True)
class LinkStatus:
    state: LinkState
    confirmed_at: datetime | None
    recovery_codes_left: int


@dataclass(frozen=True)
class Enrolment:
    """What the member's app needs: shown only on the one-time page, never sent to Slack."""

    secret: str
    uri: str
    issuer: str
    label: str

    @property
    def grouped_key(self) -> str:
        return totp.grouped(self.secret)


class NoAuthenticator(DomainError):
    pass


class AuthenticatorService:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        box: SecretBox,
        admins: AbstractSet[str],
        policy: VerificationPolicy | None = None,
    ) -> None:
        self._database = database
        self._clock = clock
        self._box = box
        self._admins = admins
        self.policy = policy or VerificationPolicy()

    def status(self, slack_user_id: str) -> LinkStatus:
        with self._database.sessions() as session:
            member = member_store.member_by_slack_id(session, slack_user_id)
            link = link_store.link_of(session, member.id) if member else None
            if link is None:
                return LinkStatus(LinkState.NONE, None, 0)
            left = link_store.remaining_recovery_codes(session, link.id)
            return LinkStatus(LinkState(link.state), link.confirmed_at, left)

    def begin(self, slack_user_id: str) -> Enrolment:
        """Start (or restart) linking: a pending link replaces a pending one, never an active one."""
        now = self._clock.now()
        secret = totp.new_secret()
        with self._database.sessions.begin() as session:
            member = member_for(session, slack_user_id, self._clock)
            link = link_store.link_of(session, member.id)
            if link is not None and link.state == ACTIVE:
                raise NotAllowed(
                    _(
                        "You already have an authenticator linked. Remove it (with a current "
                        "code) before linking a new one."
                    )
                )
            if link is None:
                link = AuthenticatorLink(member_id=member.id, created_at=now)
                session.add(link)
            link.state, link.secret_encrypted, link.created_at = (
                PENDING,
                self._box.seal(secret),
                now,
            )
            link.last_step = None
            member_audit.record(session, now, slack_user_id, "twostep.enrol.started")
            return self._enrolment(member, secret)

    def pending_enrolment(self, slack_user_id: str) -> Enrolment | None:
        with self._database.sessions() as session:
            member = member_store.member_by_slack_id(session, slack_user_id)
            link = link_store.link_of(session, member.id, with_secret=True) if member else None
            if member is None or link is None or link.state != PENDING:
                return None
            return self._enrolment(member, self._box.open(link.secret_encrypted))

    def confirm(self, slack_user_id: str, code: str) -> list[str]:
        """Activate a pending link with a correct code; returns the recovery codes, shown once."""
        codes = totp.new_recovery_codes()
        with self._database.sessions.begin() as session:
            refusal = self._attempt(session, slack_user_id, code, want=PENDING)
            if refusal is None:
                now = self._clock.now()
                member, link = self._member_and_link(session, slack_user_id)
                link.state, link.confirmed_at = ACTIVE, now
                link_store.replace_recovery_codes(
                    session, link.id, [totp.recovery_code_hash(c) for c in codes]
                )
                self._record_check(session, member, State.PASSING, _LINKED)
                member_audit.record(session, now, slack_user_id, "twostep.enrol.confirmed")
        if refusal is not None:
            raise refusal  # after the transaction, so the attempt's audit records are kept
        return codes

    def verify(self, slack_user_id: str, code: str) -> None:
        """A step-up: a current code (or a recovery code) from the member's linked authenticator."""
        with self._database.sessions.begin() as session:
            refusal = self._attempt(session, slack_user_id, code, want=ACTIVE)
        if refusal is not None:
            raise refusal

    def is_fresh(self, slack_user_id: str) -> bool:
        """Whether a step-up happened recently enough to cover a sensitive action now."""
        with self._database.sessions() as session:
            member = member_store.member_by_slack_id(session, slack_user_id)
            link = link_store.link_of(session, member.id) if member else None
        if link is None or link.state != ACTIVE or link.verified_at is None:
            return False
        return self._clock.now() - link.verified_at <= self.policy.step_up_fresh_for

    def asks_for_code(self, slack_user_id: str) -> bool:
        """Whether a step-up is owed: the member has a linked authenticator and no fresh code."""
        if self.status(slack_user_id).state is not LinkState.ACTIVE:
            return False
        return not self.is_fresh(slack_user_id)

    def remove(self, slack_user_id: str, code: str) -> None:
        with self._database.sessions.begin() as session:
            refusal = self._attempt(session, slack_user_id, code, want=ACTIVE)
            if refusal is None:
                member, link = self._member_and_link(session, slack_user_id)
                session.delete(link)
                self._record_check(session, member, State.NEEDS_ACTION, _REMOVED)
                member_audit.record(
                    session, self._clock.now(), slack_user_id, "twostep.authenticator.removed"
                )
        if refusal is not None:
            raise refusal  # after the transaction, so the attempt's audit records are kept

    def new_recovery_codes(self, slack_user_id: str, code: str) -> list[str]:
        codes = totp.new_recovery_codes()
        with self._database.sessions.begin() as session:
            refusal = self._attempt(session, slack_user_id, code, want=ACTIVE)
            if refusal is None:
                _member, link = self._member_and_link(session, slack_user_id)
                link_store.replace_recovery_codes(
                    session, link.id, [totp.recovery_code_hash(c) for c in codes]
                )
                member_audit.record(
                    session, self._clock.now(), slack_user_id, "twostep.recovery_codes.replaced"
                )
        if refusal is not None:
            raise refusal  # after the transaction, so the attempt's audit records are kept
        return codes

    def reset(self, admin: str, subject: str) -> None:
        """A security admin removes another member's link, after the admin's own step-up."""
        now = self._clock.now()
        if admin not in self._admins:
            with self._database.sessions.begin() as session:
                _by_admin(session, now, admin, "twostep.reset.refused", subject)
            raise NotAllowed(_("Only security admins can reset someone's authenticator."))
        if not self.is_fresh(admin):
            raise StepUpNeeded(_("Confirm with a code from your own authenticator first."))
        with self._database.sessions.begin() as session:
            member = member_store.member_by_slack_id(session, subject)
            link = link_store.link_of(session, member.id) if member else None
            if member is None or link is None:
                raise NoAuthenticator(_("That member has no authenticator linked to the bot."))
            session.delete(link)
            self._record_check(session, member, State.NEEDS_ACTION, _RESET)
            _by_admin(session, now, admin, "twostep.authenticator.reset", subject)

    # -- the one place codes are checked ---------------------------------------------------

    def _attempt(
        self, session: Session, slack_user_id: str, code: str, *, want: str
    ) -> CodeRejected | None:
        """None when the code is right; else the refusal to raise once the attempt is stored."""
        now = self._clock.now()
        if not link_store.lock_for_attempt(session, slack_user_id, now):
            raise NoAuthenticator(_(_NO_LINK if want == ACTIVE else _NO_PENDING))
        _member, link = self._member_and_link(session, slack_user_id, with_secret=True)
        if link.state != want:
            raise NoAuthenticator(_(_NO_LINK if want == ACTIVE else _NO_PENDING))
        attempt = CodeAttempt(
            slack_user_id, member_audit.target(slack_user_id), _CODES, self.policy, now
        )
        refusal = attempt.refused_while_locked(session)
        if refusal is not None:
            return refusal
        secret = self._box.open(link.secret_encrypted)
        step = totp.matching_step(secret, code, now, last_step=link.last_step)
        if step is not None:
            link.last_step, link.verified_at = step, now
            member_audit.record(session, now, slack_user_id, "twostep.code.accepted")
            return None
        if link.state == ACTIVE and self._spend_recovery_code(session, link, code, now):
            link.verified_at = now
            member_audit.record(session, now, slack_user_id, "twostep.recovery_code.used")
            return None
        reason = "malformed" if totp.normalise_code(code) is None else "wrong_or_replayed"
        return attempt.rejected(session, reason, _(_WRONG_CODE))

    def _spend_recovery_code(
        self, session: Session, link: AuthenticatorLink, code: str, now: datetime
    ) -> bool:
        if totp.normalise_recovery_code(code) is None:
            return False
        row = link_store.unused_recovery_code(session, link.id, totp.recovery_code_hash(code))
        if row is None:
            return False
        row.used_at = now
        return True

    def _member_and_link(
        self, session: Session, slack_user_id: str, *, with_secret: bool = False
    ) -> tuple[Member, AuthenticatorLink]:
        member = member_store.member_by_slack_id(session, slack_user_id)
        link = link_store.link_of(session, member.id, with_secret=with_secret) if member else None
        if member is None or link is None:
            raise NoAuthenticator(_(_NO_LINK))
        return member, link

    def _record_check(self, session: Session, member: Member, state: State, note: str) -> None:
        record_bot_check(session, member.id, Check.AUTHENTICATOR, state, note, self._clock.now())

    @staticmethod
    def _enrolment(member: Member, secret: str) -> Enrolment:
        label = totp.entry_name(member.email, member.display_name)
        return Enrolment(secret, totp.provisioning_uri(secret, label), totp.ISSUER, label)


def _by_admin(session: Session, at: datetime, admin: str, action: str, subject: str) -> None:
    """A security admin acting on another member's link: audited against that member."""
    audit.record(session, at=at, actor=admin, action=action, target=member_audit.target(subject))


_WRONG_CODE = N_("That code didn't work. Enter the 6-digit code your authenticator app shows now.")
_NO_LINK = N_("You have no authenticator linked to the bot yet. Use `/security 2sv` to link one.")
_NO_PENDING = N_(
    "There is no authenticator waiting to be linked. Start again from `/security 2sv`."
)
# The checklist's note on the authenticator check: stored as the English text of the catalogue,
# translated when the checklist is shown, so each reader reads it in their own language.
_LINKED = N_("Authenticator linked.")
_REMOVED = N_("Removed; link a new one.")
_RESET = N_("Reset by a security admin.")
