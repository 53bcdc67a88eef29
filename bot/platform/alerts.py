"""The platform's alerts: accepted once by id, stored, turned into checks and DMs, and closed
once the platform confirms the fix.

Every alert is stored and audited; `suspicious_login` and `account_takeover` wait there for the
cases they will open. A `compromised_password` marks "no compromised password" as needing action
for every member of the account, per account and member-wide, in the same transaction as the
alert itself, so `/security status` shows it from the rows it already reads.

A compromised password goes through three states:

- open: red on the checklist, urgent for the reminders, "I've changed it" on every DM;
- waiting: a member said they changed it ("I've changed it", or the one-time page after it). The
  member is not held up (no authenticator needed, see `report_changed`): the alert is closed as
  self-reported, waiting for the platform, audited `alerts.self_reported`, and the checklist shows
  it as waiting (not red, not green) with the date it was reported;
- closed as rotated: a posture report's `password_changed_at` later than the detection, with the
  time from detection to that change.

If the platform never confirms, the alert stays waiting, with its date, for as long as that takes:
the bot cannot know the password changed. A new compromised-password alert about the account is a
new open alert, so the check turns red again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.checklist.model import Check, Source, State
from bot.core import audit
from bot.core.clock import Clock
from bot.core.errors import NotAllowed
from bot.core.words import plural
from bot.platform.alert_document import AlertDocument, AlertInvalid, AlertKind, parse_alert
from bot.platform.signature import WINDOW
from bot.twostep.authenticator import AuthenticatorService
from storage import alerts as alert_store
from storage import members as member_store
from storage import nudges as nudge_store
from storage.database import Database
from storage.models import Alert, AlertMessage, BusinessAccount, Member

PLATFORM = "platform"  # the actor of what the platform sent
ROTATED = "rotated"
SELF_REPORTED = "self_reported"  # waiting for the platform to confirm the change
COMPROMISED = AlertKind.COMPROMISED_PASSWORD.value
UNKNOWN_ACCOUNT = "unknown account_id"
AMBIGUOUS_ACCOUNT = "account_id names business accounts on several platforms"


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"


class Role(StrEnum):
    MEMBER = "member"
    MANAGER = "manager"


class UnknownAccount(AlertInvalid):
    """The alert names no business account in the directory: refused, audited, and reported."""

    def __init__(self, reason: str, document: AlertDocument) -> None:
        super().__init__(reason)
        self.document = document


@dataclass(frozen=True)
class Recipient:
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


@dataclass(frozen=True)
class SentMessage:
    slack_user_id: str
    role: Role
    channel: str
    ts: str


@dataclass(frozen=True)
class ClosedAlert:
    """An alert just closed: as rotated (the platform confirmed), or as self-reported (a member
    said they changed the password; `time_to_remediate` then runs to when they said so)."""

    platform_alert_id: str
    business_account_id: int
    account_name: str
    detected_at: datetime
    closed_at: datetime
    closed_by: str
    time_to_remediate: timedelta
    messages: tuple[SentMessage, ...]
    platform: str
    platform_account_id: str
    reason: str  # ROTATED or SELF_REPORTED

    @property
    def waiting(self) -> bool:
        """Self-reported: the platform has not confirmed the change yet."""
        return self.reason == SELF_REPORTED


@dataclass(frozen=True)
class OpenAlert:
    platform_alert_id: str
    business_account_id: int
    account_name: str
    detected_at: datetime


CONFIRM_FIRST = "Confirm with a code from your authenticator app first: press the button again."


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
                OpenAlert(alert.platform_alert_id, account.id, account.name, alert.detected_at)
                for alert, account in rows
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
            raise NotAllowed(CONFIRM_FIRST)
        now = self._clock.now()
        with self._database.sessions.begin() as session:
            member = member_store.member_by_slack_id(session, slack_user_id)
            if member is None:
                return []
            wanted = {
                account.id
                for alert, account in alert_store.open_alerts_of_member(
                    session, member.id, COMPROMISED
                )
                if business_account_id in (None, account.id)
            }
            reported: list[ClosedAlert] = []
            for account_id in sorted(wanted):
                account = member_store.business_account(session, account_id)
                if account is not None:
                    reported += _self_report(session, account, slack_user_id, now)
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
            return _self_report(session, account, slack_user_id, now, via="password_page")

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
    audit.record(
        session,
        at=now,
        actor=PLATFORM,
        action="alerts.received",
        target=f"business_account:{account.id}",
        alert=document.id,
        kind=document.kind.value,
        via=via,
    )
    if document.kind is not AlertKind.COMPROMISED_PASSWORD:
        return None  # stored and audited; cases will act on them
    people = alert_store.people_of_account(session, account.id)
    detail = {
        "note": "The platform reported this password compromised: change it now.",
        "alert": document.id,
    }
    for person in people:
        _save(session, person.id, account.id, State.NEEDS_ACTION, now, detail)
    _refresh_member_wide(session, [person.id for person in people], now, None)
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


def close_changed_password(
    session: Session,
    account: BusinessAccount,
    member_email: str | None,
    changed_at: datetime,
    now: datetime,
) -> list[ClosedAlert]:
    """Close, as rotated, the account's compromised-password alerts, open or waiting for the
    platform, detected before the password changed at `changed_at` (only those naming
    `member_email`, when the platform named whose password changed), each with the time from
    detection to the change. The check turns green for the account's members once it has no
    open or waiting alert left."""
    closed: list[tuple[Alert, int]] = []
    unsettled = (alert_store.OPEN, alert_store.WAITING)
    for alert in alert_store.open_alerts(
        session, account.id, COMPROMISED, lock=True, statuses=unsettled
    ):
        if alert.detected_at >= changed_at:
            continue  # changed before the compromise was detected: not a remedy
        if member_email is not None and alert.member_email != member_email:
            continue
        seconds = max(0, int((changed_at - alert.detected_at).total_seconds()))
        if alert_store.close(
            session,
            alert.id,
            at=now,
            reason=ROTATED,
            by=PLATFORM,
            seconds_to_remediate=seconds,
            was=unsettled,
        ):
            closed.append((alert, seconds))
    if not closed:
        return []
    longest = timedelta(seconds=max(seconds for _, seconds in closed))
    people = alert_store.people_of_account(session, account.id)
    if not alert_store.open_alerts(session, account.id, COMPROMISED, statuses=unsettled):
        note = f"Changed {remediation_time(longest)} after the alert, as the platform reports."
        for person in people:
            _save(session, person.id, account.id, State.PASSING, now, {"note": note})
    _refresh_member_wide(session, [person.id for person in people], now, longest)
    return _announce_closed(session, account, closed, now=now, by=PLATFORM, via="posture")


def _self_report(
    session: Session, account: BusinessAccount, by: str, now: datetime, *, via: str = "slack"
) -> list[ClosedAlert]:
    """Close the account's open compromised-password alerts as self-reported by `by`, waiting
    for the platform: the account's red evidence gives way to the member's word, so the checklist
    shows the account waiting and the reminders stop pressing; the platform's confirmation (or a
    new alert) still outranks it."""
    closed: list[tuple[Alert, int]] = []
    for alert in alert_store.open_alerts(session, account.id, COMPROMISED, lock=True):
        seconds = max(0, int((now - alert.detected_at).total_seconds()))
        if alert_store.close(
            session,
            alert.id,
            at=now,
            reason=SELF_REPORTED,
            by=by,
            seconds_to_remediate=seconds,
            status=alert_store.WAITING,
        ):
            closed.append((alert, seconds))
    if not closed:
        return []
    people = [person.id for person in alert_store.people_of_account(session, account.id)]
    if not alert_store.open_alerts(session, account.id, COMPROMISED):
        alert_store.forget_check_results(
            session,
            people,
            check=Check.NO_COMPROMISED_PASSWORD,
            business_account_id=account.id,
            source=Source.PLATFORM,
        )
        detail = {"note": WAITING_NOTE, "reported_by": by}
        for person_id in people:
            _save(session, person_id, account.id, State.UNKNOWN, now, detail, Source.SELF)
    _refresh_member_wide(session, people, now, None)
    for person_id in people:  # no longer urgent: the reminders look again
        nudge_store.request_recheck(session, person_id)
    return _announce_closed(
        session, account, closed, now=now, by=by, action="alerts.self_reported", via=via
    )


WAITING_NOTE = "Reported changed; waiting for the platform to confirm the new password."


def _announce_closed(
    session: Session,
    account: BusinessAccount,
    closed: list[tuple[Alert, int]],
    *,
    now: datetime,
    by: str,
    action: str = "alerts.rotated",
    **details: str,
) -> list[ClosedAlert]:
    """Audit the alerts just closed (as rotated, or self-reported), and describe each with the
    Slack messages that announced it, so those can be updated."""
    audit.record(
        session,
        at=now,
        actor=by,
        action=action,
        target=f"business_account:{account.id}",
        alerts=[alert.platform_alert_id for alert, _ in closed],
        seconds_to_remediate=[seconds for _, seconds in closed],
        **details,
    )
    messages = alert_store.messages_of(session, [alert.id for alert, _ in closed])
    return [
        ClosedAlert(
            platform_alert_id=alert.platform_alert_id,
            business_account_id=account.id,
            account_name=account.name,
            detected_at=alert.detected_at,
            closed_at=now,
            closed_by=by,
            time_to_remediate=timedelta(seconds=seconds),
            messages=tuple(
                SentMessage(m.slack_user_id, Role(m.role), m.slack_channel, m.slack_ts)
                for m in messages.get(alert.id, [])
            ),
            platform=account.platform,
            platform_account_id=account.platform_account_id,
            reason=SELF_REPORTED if action == "alerts.self_reported" else ROTATED,
        )
        for alert, seconds in closed
    ]


def remediation_time(delta: timedelta) -> str:
    """How long an alert stayed open, in words a member reads at a glance."""
    minutes = max(0, int(delta.total_seconds())) // 60
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if days:
        parts.append(plural(days, "day"))
    if hours:
        parts.append(f"{hours} h")
    if minutes and not days:
        parts.append(f"{minutes} min")
    return " ".join(parts) or "under a minute"


def checked(document: AlertDocument, now: datetime) -> AlertDocument:
    """The document, unless it claims a detection later than the signature window allows."""
    if document.detected_at > now + WINDOW:
        raise AlertInvalid("detected_at is in the future")
    return document


def _audit_refused(
    session: Session, now: datetime, document: AlertDocument, reason: str, *, via: str
) -> None:
    audit.record(
        session,
        at=now,
        actor=PLATFORM,
        action="alerts.refused.unknown_account",
        target=f"platform_account:{document.account_id}",
        alert=document.id,
        kind=document.kind.value,
        reason=reason,
        via=via,
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


def _refresh_member_wide(
    session: Session, member_ids: Iterable[int], now: datetime, resolved_in: timedelta | None
) -> None:
    """The member-wide check, which the checklist reads: red while any account has an open
    alert, naming those accounts; waiting (the member's word, not the platform's) while the
    others only wait for the platform; green once none has either."""
    wanted = list(member_ids)
    open_accounts = alert_store.open_accounts_of_members(session, wanted, COMPROMISED)
    waiting_accounts = alert_store.open_accounts_of_members(
        session, wanted, COMPROMISED, status=alert_store.WAITING
    )
    for member_id in wanted:
        accounts = open_accounts.get(member_id, [])
        if accounts:
            names = " and ".join(account.name for account in accounts)
            detail = {
                "note": f"The platform found the password of {names} compromised: "
                "change it now, then press “I've changed it”.",
                "accounts": [{"id": a.id, "name": a.name} for a in accounts],
            }
            _save(session, member_id, None, State.NEEDS_ACTION, now, detail)
            continue
        waiting = waiting_accounts.get(member_id, [])
        if waiting:
            names = " and ".join(account.name for account in waiting)
            detail = {
                "note": f"Waiting for the platform: the password of {names} was reported "
                "changed after the platform's alert, and the platform has not confirmed it yet.",
                "accounts": [{"id": a.id, "name": a.name} for a in waiting],
            }
            # The member's word, so it must not show as the platform's: only self-reported.
            alert_store.forget_check_results(
                session,
                [member_id],
                check=Check.NO_COMPROMISED_PASSWORD,
                business_account_id=None,
                source=Source.PLATFORM,
            )
            _save(session, member_id, None, State.UNKNOWN, now, detail, Source.SELF)
            continue
        note = "No open alert from the platform."
        if resolved_in is not None:
            note += f" The last one was fixed {remediation_time(resolved_in)} after the alert."
        _save(session, member_id, None, State.PASSING, now, {"note": note, "accounts": []})


def _save(
    session: Session,
    member_id: int,
    business_account_id: int | None,
    state: State,
    now: datetime,
    detail: Mapping[str, Any],
    source: Source = Source.PLATFORM,
) -> None:
    member_store.save_check_result(
        session,
        member_id=member_id,
        check=Check.NO_COMPROMISED_PASSWORD,
        business_account_id=business_account_id,
        source=source,
        state=state,
        observed_at=now,
        detail=dict(detail),
    )
