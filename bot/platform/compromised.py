"""Compromised-password alerts once stored: the "no compromised password" check they drive, per
account and member-wide, and their closing (self-reported by a member, or rotated).

A compromised password goes through three states:

- open: red on the checklist, urgent for the reminders, "I've changed it" on every DM;
- waiting: a member said they changed it ("I've changed it", or the one-time page after it). The
  member is not held up (no authenticator needed, see `AlertService.report_changed`): the alert is
  closed as self-reported, waiting for the platform, audited `alerts.self_reported`, and the
  checklist shows it as waiting (not red, not green) with the date it was reported;
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

from sqlalchemy.orm import Session

from bot.checklist.model import Check, Source, State
from bot.checklist.notes import note as note_of
from bot.checklist.notes import remediation_time as remediation_time
from bot.checklist.notes import span
from bot.core import audit
from bot.core.i18n import N_
from bot.platform.alert_document import AlertKind
from storage import alerts as alert_store
from storage import members as member_store
from storage import nudges as nudge_store
from storage.models import Alert, BusinessAccount

PLATFORM = "platform"  # the actor of what the platform sent
ROTATED = "rotated"
SELF_REPORTED = "self_reported"  # waiting for the platform to confirm the change
COMPROMISED = AlertKind.COMPROMISED_PASSWORD.value


class Role(StrEnum):
    MEMBER = "member"
    MANAGER = "manager"


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


def mark_compromised(
    session: Session, account: BusinessAccount, member_ids: list[int], alert_id: str, now: datetime
) -> None:
    """A new compromised-password alert: the check turns red for each of the account's members,
    on the account and member-wide."""
    detail = note_of(N_("The platform reported this password compromised: change it now."))
    detail["alert"] = alert_id
    for member_id in member_ids:
        _save(session, member_id, account.id, State.NEEDS_ACTION, now, detail)
    refresh_member_wide(session, member_ids, now, None)


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
        timed = _close(session, alert, changed_at, now, ROTATED, PLATFORM, was=unsettled)
        if timed:
            closed.append(timed)
    if not closed:
        return []
    longest = timedelta(seconds=max(seconds for _, seconds in closed))
    people = alert_store.people_of_account(session, account.id)
    if not alert_store.open_alerts(session, account.id, COMPROMISED, statuses=unsettled):
        changed = note_of(
            N_("Changed {took} after the alert, as the platform reports."), took=span(longest)
        )
        for person in people:
            _save(session, person.id, account.id, State.PASSING, now, changed)
    refresh_member_wide(session, [person.id for person in people], now, longest)
    return _announce_closed(session, account, closed, now=now, by=PLATFORM, via="posture")


def _close(
    session: Session,
    alert: Alert,
    fixed_at: datetime,
    now: datetime,
    reason: str,
    by: str,
    *,
    status: str = alert_store.CLOSED,
    was: Sequence[str] = (alert_store.OPEN,),
) -> tuple[Alert, int] | None:
    """Close one alert (`was` to `status`), with the seconds from its detection to `fixed_at`;
    None when another delivery or press moved it first."""
    seconds = max(0, int((fixed_at - alert.detected_at).total_seconds()))
    if alert_store.close(
        session,
        alert.id,
        at=now,
        reason=reason,
        by=by,
        seconds_to_remediate=seconds,
        status=status,
        was=was,
    ):
        return alert, seconds
    return None


def self_report(
    session: Session, account: BusinessAccount, by: str, now: datetime, *, via: str = "slack"
) -> list[ClosedAlert]:
    """Close the account's open compromised-password alerts as self-reported by `by`, waiting
    for the platform: the account's red evidence gives way to the member's word, so the checklist
    shows the account waiting and the reminders stop pressing; the platform's confirmation (or a
    new alert) still outranks it."""
    closed: list[tuple[Alert, int]] = []
    for alert in alert_store.open_alerts(session, account.id, COMPROMISED, lock=True):
        timed = _close(session, alert, now, now, SELF_REPORTED, by, status=alert_store.WAITING)
        if timed:
            closed.append(timed)
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
        detail = note_of(WAITING_NOTE)
        detail["reported_by"] = by
        for person_id in people:
            _save(session, person_id, account.id, State.UNKNOWN, now, detail, Source.SELF)
    refresh_member_wide(session, people, now, None)
    for person_id in people:  # no longer urgent: the reminders look again
        nudge_store.request_recheck(session, person_id)
    return _announce_closed(
        session, account, closed, now=now, by=by, action="alerts.self_reported", via=via
    )


WAITING_NOTE = N_("Reported changed; waiting for the platform to confirm the new password.")


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


def refresh_member_wide(
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
            detail = _naming(accounts, _FOUND_NOTE)
            _save(session, member_id, None, State.NEEDS_ACTION, now, detail)
            continue
        waiting = waiting_accounts.get(member_id, [])
        if waiting:
            detail = _naming(waiting, _WAITING_NOTE)
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
        if resolved_in is None:
            detail = note_of(N_("No open alert from the platform."))
        else:
            detail = note_of(
                N_(
                    "No open alert from the platform. The last one was fixed {took} after the alert."
                ),
                took=span(resolved_in),
            )
        detail["accounts"] = []
        _save(session, member_id, None, State.PASSING, now, detail)


_FOUND_NOTE = N_(
    "The platform found the password of {names} compromised: "
    "change it now, then press “I've changed it”."
)
_WAITING_NOTE = N_(
    "Waiting for the platform: the password of {names} was reported "
    "changed after the platform's alert, and the platform has not confirmed it yet."
)


def _naming(accounts: Sequence[BusinessAccount], note: str) -> dict[str, Any]:
    """The member-wide check's detail about `accounts`: the note naming them, and their ids."""
    detail = note_of(note, names=[account.name for account in accounts])
    detail["accounts"] = [{"id": a.id, "name": a.name} for a in accounts]
    return detail


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
