"""A business account's history for its page: the platform's posture reports and alerts, its
cases, and its changes of manager, newest first, each with its time (shown in the reader's zone)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.cases.model import ChargesSeen, Status, Via
from bot.cases.severity import Severity
from bot.cases.severity import of as severity_of
from storage import account_pages as store
from storage.account_pages import Person

SHOWN = 20  # entries on the page, all kinds together
_PER_KIND = SHOWN  # read at most this many of each kind, then keep the newest SHOWN


@dataclass(frozen=True)
class PostureEntry:
    at: datetime
    person: Person | None  # None: about every member of the account
    fields: dict[str, Any]  # what the report said: two_step, recovery_email_set, ...


@dataclass(frozen=True)
class AlertEntry:
    at: datetime
    kind: str  # compromised_password, suspicious_login or account_takeover
    status: str  # open, waiting or closed
    person: Person


@dataclass(frozen=True)
class CaseEntry:
    at: datetime
    number: int
    status: Status
    severity: Severity


@dataclass(frozen=True)
class ManagerEntry:
    at: datetime
    before: Person | None
    after: Person | None


Entry = PostureEntry | AlertEntry | CaseEntry | ManagerEntry


def history(session: Session, account_id: int) -> tuple[Entry, ...]:
    """The newest SHOWN entries of every kind, newest first."""
    entries: list[Entry] = [
        PostureEntry(row.at, row.person, row.fields)
        for row in store.posture_reports(session, account_id, _PER_KIND)
    ]
    entries += [
        AlertEntry(row.at, row.kind, row.status, row.person)
        for row in store.alerts(session, account_id, _PER_KIND)
    ]
    entries += [
        CaseEntry(
            row.at,
            row.number,
            Status(row.status),
            severity_of(row.severity, Via(row.opened_via), ChargesSeen(row.charges)),
        )
        for row in store.cases(session, account_id, _PER_KIND)
    ]
    entries += [
        ManagerEntry(row.at, _manager(row.details, "old"), _manager(row.details, "new"))
        for row in store.manager_changes(session, account_id, _PER_KIND)
    ]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return tuple(entries[:SHOWN])


def _manager(details: dict[str, Any], which: str) -> Person | None:
    """The manager before or after a change, as the directory import recorded them."""
    email = details.get(f"{which}_email")
    user = details.get(f"{which}_slack_id")
    name = details.get(f"{which}_name")
    if email is None and user is None:
        return None
    return Person(email, user, name)
