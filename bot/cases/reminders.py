"""Keeping cases moving, from the scheduled job (handlers/jobs/cases.py):

- a case nobody took within 30 minutes pings its channel again, every 30 minutes;
- a case without an update for 24 hours reminds its handler, every 24 hours;
- after 48 hours without an update, security admins are told, every 48 hours.

Each reminder is claimed by inserting its row (case, kind, period) before it is sent; the row is
unique, so a reminder goes out once per interval even when two app processes run the job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.cases import messages, records
from bot.cases.records import Desk
from bot.core import audit
from storage import cases as case_store
from storage.case_models import Case

NOT_TAKEN_AFTER = timedelta(minutes=30)
HANDLER_AFTER = timedelta(hours=24)
ADMINS_AFTER = timedelta(hours=48)

FOLLOW_UP_GRACE = timedelta(minutes=2)  # the API's own follow-up comes first
FOLLOW_UP_WITHIN = timedelta(days=7)


class Kind(StrEnum):
    NOT_TAKEN = "not_taken"
    HANDLER = "handler"
    ADMINS = "admins"


@dataclass(frozen=True)
class Reminder:
    """One claimed reminder: post `message` to `channel` (a thread when `thread_ts` is set)."""

    case_number: int
    kind: Kind
    period: str
    channel: str
    thread_ts: str | None
    message: dict[str, Any]


class CaseReminders:
    def __init__(self, desk: Desk) -> None:
        self._desk = desk

    def lost_follow_ups(self) -> list[str]:
        """The platform ids of alerts whose follow-up never ran (a process stopped between the
        API's answer and its Slack calls, or the alert came through `alerts import`): received
        after the API's own follow-up had its chance, and within the last week."""
        before = self._desk.clock.now() - FOLLOW_UP_GRACE
        with self._desk.database.sessions() as session:
            alerts = case_store.alerts_without_follow_up(
                session, received_before=before, received_after=before - FOLLOW_UP_WITHIN
            )
            return [alert.platform_alert_id for alert in alerts]

    def due(self) -> list[Reminder]:
        """Claim every reminder due now; the caller sends them (and releases any it could not)."""
        now = self._desk.clock.now()
        claimed: list[Reminder] = []
        with self._desk.database.sessions.begin() as session:
            cases = case_store.cases_needing_reminders(
                session, untaken_before=now - NOT_TAKEN_AFTER, quiet_before=now - HANDLER_AFTER
            )
            for case in cases:
                card = self._desk.card(session, case, now)
                for kind, period, anchor in _due(case, now):
                    targets = self._targets(kind, case)
                    if not targets or not case_store.claim_reminder(
                        session, case.id, kind.value, period, now
                    ):
                        continue
                    waited = now - anchor
                    for channel, thread_ts in targets:
                        if kind is Kind.NOT_TAKEN:
                            message = messages.not_taken_line(card, waited)
                        elif kind is Kind.HANDLER:
                            message = messages.handler_reminder(card, waited)
                        else:
                            message = messages.admins_reminder(card, waited)
                        claimed.append(Reminder(case.id, kind, period, channel, thread_ts, message))
                    records.record(
                        session, now, audit.SYSTEM, "cases.reminder.sent", case.id,
                        kind=kind.value, period=period,
                    )  # fmt: skip
        return claimed

    def release(self, reminder: Reminder) -> None:
        """The reminder could not be sent: let the next run try again."""
        with self._desk.database.sessions.begin() as session:
            case_store.release_reminder(
                session, reminder.case_number, reminder.kind.value, reminder.period
            )

    def _targets(self, kind: Kind, case: Case) -> list[tuple[str, str | None]]:
        if kind is Kind.NOT_TAKEN:
            return [(case.channel_id, case.card_ts)] if case.channel_id and case.card_ts else []
        if kind is Kind.HANDLER:
            return [(case.handler, None)] if case.handler else []
        return [(admin, None) for admin in sorted(self._desk.admins)]


def _due(case: Case, now: datetime) -> list[tuple[Kind, str, datetime]]:
    """(kind, period, since) of each reminder the case is due: the period names the interval
    (its anchor and number), so a later interval is a new reminder and the same one is not."""
    found: list[tuple[Kind, str, datetime]] = []
    if case.handler is None:
        intervals = int((now - case.opened_at) / NOT_TAKEN_AFTER)
        if intervals >= 1:
            found.append((Kind.NOT_TAKEN, _period(case.opened_at, intervals), case.opened_at))
    quiet = now - case.last_update_at
    if case.handler is not None and quiet >= HANDLER_AFTER:
        found.append(
            (
                Kind.HANDLER,
                _period(case.last_update_at, int(quiet / HANDLER_AFTER)),
                case.last_update_at,
            )
        )
    if quiet >= ADMINS_AFTER:
        found.append(
            (
                Kind.ADMINS,
                _period(case.last_update_at, int(quiet / ADMINS_AFTER)),
                case.last_update_at,
            )
        )
    return found


def _period(anchor: datetime, number: int) -> str:
    return f"{int(anchor.timestamp())}#{number}"
