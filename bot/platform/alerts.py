"""The platform's alerts: accepted once by id, stored, audited, and turned into DMs.

Every alert is stored and audited; `suspicious_login` and `account_takeover` wait there for the
cases they will open. A `compromised_password` marks "no compromised password" as needing action
for every member of the account, per account and member-wide, in the same transaction as the
alert itself, so `/security status` shows it from the rows it already reads; how such an alert is
closed again, and what the check says meanwhile, is bot/platform/compromised.py's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core import audit
from bot.core.clock import Clock
from bot.core.errors import NotAllowed
from bot.core.i18n import N_, _
from bot.platform.alert_document import AlertDocument, AlertInvalid, AlertKind, parse_alert
from bot.platform.compromised import (
    COMPROMISED,
    PLATFORM,
    ClosedAlert,
    Role,
    close_changed_password,
    mark_compromised,
    self_report,
)
from bot.platform.signature import WINDOW
from bot.twostep.authenticator import AuthenticatorService
from storage import alerts as alert_store
from storage import members as member_store
from storage.database import Database
from storage.models import Alert, AlertMessage, BusinessAccount, Member

# The platform reads these in the API's answer (English); security admins read them in their DM.
UNKNOWN_ACCOUNT = N_("unknown account_id")
AMBIGUOUS_ACCOUNT = N_("account_id names business accounts on several platforms")


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"


class UnknownAccount(AlertInvalid):
    """The alert names no business account in the directory: refused, audited, and reported."""

    def __init__(self, reason: str, document: AlertDocument) -> None:
        super().__init__(reason)
        self.document = document


class Recipient(NamedTuple):
    """Who to DM about an alert, as which role: a plain pair."""

    slack_user_id: str
    role: Role


@dataclass(frozen=True)
class AlertNotice:
    """What to DM about a newly accepted compromised-password alert, and to whom."""

    alert_key: int
    platform_alert_id: str
    business_account_id: int
    account_name: str
    platform: str
    platform_account_id: str
    detail: str
    detected_at: datetime
    members: int
    recipients: tuple[Recipient, ...]


@dataclass(frozen=True)
class Receipt:
    outcome: Outcome
    platform_alert_id: str
    notice: AlertNotice | None = None


class OpenAlert(NamedTuple):
    """An open alert as read for the member: a plain row."""

    platform_alert_id: str
    business_account_id: int
    account_name: str
    detected_at: datetime


CONFIRM_FIRST = N_("Confirm with a code from your authenticator app first: press the button again.")


class AlertService:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        authenticator: AuthenticatorService | None = None,
    ) -> None:
        """`authenticator` says who must confirm with a code before reporting a password changed;
        without it (the import command, which reports nothing) `report_changed` refuses."""
        self._database = database
        self._clock = clock
        self._authenticator = authenticator

    def receive(self, raw: bytes | str, *, via: str = "api") -> Receipt:
        """Accept one document once; raise AlertInvalid (or UnknownAccount, audited) otherwise."""
        now = self._clock.now()
        document = checked(parse_alert(raw), now)
        refused: str | None = None
        notice: AlertNotice | None = None
        try:
            with self._database.sessions.begin() as session:
                if alert_store.known_platform_alert_ids(session, [document.id]):
                    return Receipt(Outcome.DUPLICATE, document.id)
                accounts = alert_store.accounts_by_platform_ids(session, [document.account_id])
                found = accounts.get(document.account_id, [])
                if len(found) != 1:
                    refused = UNKNOWN_ACCOUNT if not found else AMBIGUOUS_ACCOUNT
                    _audit_refused(session, now, document, refused, via=via)
                else:
                    notice = accept(session, document, found[0], now, via=via)
        except IntegrityError:
            return Receipt(Outcome.DUPLICATE, document.id)  # a parallel delivery stored it first
        if refused is not None:
            raise UnknownAccount(refused, document)
        return Receipt(Outcome.ACCEPTED, document.id, notice)

    def remember_message(self, alert_key: int, recipient: Recipient, channel: str, ts: str) -> None:
        """Keep where a DM about the alert went, so it can be updated in place when it closes."""
        with self._database.sessions.begin() as session:
            session.add(
                AlertMessage(
                    alert_id=alert_key,
                    slack_user_id=recipient.slack_user_id,
                    role=recipient.role.value,
                    slack_channel=channel,
                    slack_ts=ts,
                    sent_at=self._clock.now(),
                )
            )

    def open_compromised(self, slack_user_id: str) -> list[OpenAlert]:
        """The open compromised-password alerts on the member's business accounts."""
        with self._database.sessions() as session:
            member = member_store.member_by_slack_id(session, slack_user_id)
            if member is None:
                return []
            rows = alert_store.open_alerts_of_member(session, member.id, COMPROMISED)
            return [
                OpenAlert(
                    row.alert.platform_alert_id,
                    row.account.id,
                    row.account.name,
                    row.alert.detected_at,
                )
                for row in rows
            ]

    def asks_for_code(self, slack_user_id: str) -> bool:
        """Whether saying "I've changed it" needs a fresh code first: only for a member with an
        authenticator linked to the bot who has not stepped up lately. A member without one is
        never sent to link one first: in an emergency the rotation comes first."""
        return self._authenticator is None or self._authenticator.asks_for_code(slack_user_id)

    def report_changed(
        self, slack_user_id: str, business_account_id: int | None = None
    ) -> list[ClosedAlert]:
        """The member says they changed the password of `business_account_id` (None: of every
        account of theirs with an open compromised-password alert): those alerts close as
        self-reported, waiting for the platform, and the check stops being red for everyone on
        the account. Refused (NotAllowed) while the member owes a code (`asks_for_code`)."""
        if self.asks_for_code(slack_user_id):
            raise NotAllowed(_(CONFIRM_FIRST))
        now = self._clock.now()
        with self._database.sessions.begin() as session:
            member = member_store.member_by_slack_id(session, slack_user_id)
            if member is None:
                return []
            wanted = {
                row.account.id
                for row in alert_store.open_alerts_of_member(session, member.id, COMPROMISED)
                if business_account_id in (None, row.account.id)
            }
            reported: list[ClosedAlert] = []
            for account_id in sorted(wanted):
                account = member_store.business_account(session, account_id)
                if account is not None:
                    reported += self_report(session, account, slack_user_id, now)
            return reported

    def close_for_rotation(self, slack_user_id: str, business_account_id: int) -> list[ClosedAlert]:
        """The member's new password for the account passed the one-time page: their word that
        it changed, as "I've changed it" is (only the platform can confirm the change itself).
        Nothing for a non-member, or when the alerts already wait for the platform."""
        now = self._clock.now()
        with self._database.sessions.begin() as session:
            member = member_store.member_by_slack_id(session, slack_user_id)
            account = member_store.business_account(session, business_account_id)
            if (
                member is None
                or account is None
                or not member_store.is_member_of(session, member.id, business_account_id)
            ):
                return []
            return self_report(session, account, slack_user_id, now, via="password_page")

    def close_for_password_change(
        self, business_account_id: int, member_email: str | None, changed_at: datetime
    ) -> list[ClosedAlert]:
        """The platform reports a password change on the account (by `member_email`, if named):
        see `close_changed_password`."""
        now = self._clock.now()
        with self._database.sessions.begin() as session:
            account = member_store.business_account(session, business_account_id)
            if account is None:
                return []
            return close_changed_password(session, account, member_email, changed_at, now)


def accept(
    session: Session,
    document: AlertDocument,
    account: BusinessAccount,
    now: datetime,
    *,
    via: str,
) -> AlertNotice | None:
    """Store a checked document for `account`; for a compromised password, mark the checks and
    say whom to DM. Raises IntegrityError when the id is already stored (a parallel delivery)."""
    alert = Alert(
        platform_alert_id=document.id,
        kind=document.kind.value,
        business_account_id=account.id,
        member_email=document.member_email,
        detail=document.detail,
        detected_at=document.detected_at,
        received_at=now,
        received_via=via,
        status=alert_store.OPEN,
    )
    session.add(alert)
    session.flush()  # a parallel delivery of the same id fails here, on the unique id
    _audit(session, now, document, "alerts.received", f"business_account:{account.id}", via=via)
    if document.kind is not AlertKind.COMPROMISED_PASSWORD:
        return None  # stored and audited; cases will act on them
    people = alert_store.people_of_account(session, account.id)
    mark_compromised(session, account, [person.id for person in people], document.id, now)
    return AlertNotice(
        alert_key=alert.id,
        platform_alert_id=document.id,
        business_account_id=account.id,
        account_name=account.name,
        platform=account.platform,
        platform_account_id=account.platform_account_id,
        detail=document.detail,
        detected_at=document.detected_at,
        members=len(people),
        recipients=_recipients(session, account, people),
    )


def checked(document: AlertDocument, now: datetime) -> AlertDocument:
    """The document, unless it claims a detection later than the signature window allows."""
    if document.detected_at > now + WINDOW:
        raise AlertInvalid("detected_at is in the future")
    return document


def _audit_refused(
    session: Session, now: datetime, document: AlertDocument, reason: str, *, via: str
) -> None:
    target = f"platform_account:{document.account_id}"
    _audit(session, now, document, "alerts.refused.unknown_account", target, via=via, reason=reason)


def _audit(
    session: Session, now: datetime, document: AlertDocument, action: str, target: str, **more: str
) -> None:
    """An audit record of the platform's about one alert, naming the alert and its kind."""
    audit.record(
        session,
        at=now,
        actor=PLATFORM,
        action=action,
        target=target,
        alert=document.id,
        kind=document.kind.value,
        **more,
    )


def _recipients(
    session: Session, account: BusinessAccount, people: Sequence[Member]
) -> tuple[Recipient, ...]:
    """Every member with a Slack user, then the account manager of a managed account."""
    recipients = [
        Recipient(person.slack_user_id, Role.MEMBER) for person in people if person.slack_user_id
    ]
    if account.managed and account.account_manager_id is not None:
        manager = member_store.member_by_id(session, account.account_manager_id)
        told = {recipient.slack_user_id for recipient in recipients}
        if manager is not None and manager.slack_user_id and manager.slack_user_id not in told:
            recipients.append(Recipient(manager.slack_user_id, Role.MANAGER))
    return tuple(recipients)
