"""`app.py alerts import FILE`: the API's documents as JSON lines, all or nothing.

Each line is checked exactly as the API checks a delivery. A file with any bad line writes no
alert and reports every bad line with its number; a good file is applied in one transaction, and
ids already received (before, or earlier in the file) are counted as duplicates, so importing the
same file twice changes nothing. The flow is bot/platform/imports.py's, shared with posture reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.core import audit
from bot.core.clock import Clock
from bot.core.words import plural
from bot.directory.file import RowError
from bot.platform.alert_document import AlertDocument, AlertInvalid, parse_alert
from bot.platform.alerts import AMBIGUOUS_ACCOUNT, UNKNOWN_ACCOUNT, AlertNotice, accept, checked
from bot.platform.imports import Accounts, DeliveryKind, import_lines, refused_lines
from storage import alerts as alert_store
from storage.database import Database
from storage.models import BusinessAccount


@dataclass(frozen=True)
class AlertImportReport:
    source: str
    accepted: int = 0
    duplicates: int = 0
    errors: tuple[RowError, ...] = ()
    notices: tuple[AlertNotice, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self) -> list[str]:
        if self.errors:
            return refused_lines(self.source, self.errors)
        return [
            f"{self.source}: {plural(self.accepted, 'alert')} accepted, "
            f"{self.duplicates} already received before"
        ]


def _read(line: str, now: datetime) -> AlertDocument:
    return checked(parse_alert(line), now)


def _account(_: Session, document: AlertDocument, accounts: Accounts) -> BusinessAccount | str:
    """The one business account the alert names, or why there is not exactly one."""
    found = accounts.get(document.account_id, [])
    if len(found) != 1:
        return AMBIGUOUS_ACCOUNT if found else UNKNOWN_ACCOUNT
    return found[0]


ALERTS = DeliveryKind(
    read=_read,
    invalid=AlertInvalid,
    place=_account,
    known_ids=alert_store.known_platform_alert_ids,
    refused_action="alerts.import.refused",
    imported_action="alerts.imported",
)


class AlertImport:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._database = database
        self._clock = clock

    def run(self, text: str, *, source: str, actor: str = audit.SYSTEM) -> AlertImportReport:
        """JSON lines, each checked like an API delivery; any bad line and nothing is applied."""
        now = self._clock.now()
        notices: list[AlertNotice] = []

        def apply(session: Session, document: AlertDocument, account: BusinessAccount) -> None:
            notice = accept(session, document, account, now, via="import")
            if notice is not None:
                notices.append(notice)

        imported = import_lines(
            self._database, ALERTS, text, apply, now=now, source=source, actor=actor
        )
        return AlertImportReport(
            source, imported.accepted, imported.duplicates, imported.errors, tuple(notices)
        )
