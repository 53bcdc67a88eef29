"""`app.py alerts import FILE`: the API's documents as JSON lines, all or nothing.

Each line is checked exactly as the API checks a delivery. A file with any bad line writes no
alert and reports every bad line with its number; a good file is applied in one transaction, and
ids already received (before, or earlier in the file) are counted as duplicates, so importing the
same file twice changes nothing. The flow is bot/platform/imports.py's, shared with posture reports.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.platform.alert_document import AlertDocument, parse_alert
from bot.platform.alerts import AMBIGUOUS_ACCOUNT, UNKNOWN_ACCOUNT, AlertNotice, accept, checked
from bot.platform.imports import Accounts, DeliveryImport, Imported, ImportReport
from storage import alerts as alert_store
from storage.models import BusinessAccount


@dataclass(frozen=True)
class AlertImportReport(ImportReport):
    NOUN = "alert"

    notices: tuple[AlertNotice, ...] = ()  # the DMs about compromised passwords to send


class AlertImport(
    DeliveryImport[AlertDocument, BusinessAccount, AlertNotice | None, AlertImportReport]
):
    audited_as = "alerts"

    def read(self, line: str, now: datetime) -> AlertDocument:
        return checked(parse_alert(line), now)

    def place(
        self, session: Session, document: AlertDocument, accounts: Accounts
    ) -> BusinessAccount | str:
        """The one business account the alert names, or why there is not exactly one."""
        found = accounts.get(document.account_id, [])
        if len(found) != 1:
            return AMBIGUOUS_ACCOUNT if found else UNKNOWN_ACCOUNT
        return found[0]

    def known_ids(self, session: Session, ids: Iterable[str]) -> set[str]:
        return alert_store.known_platform_alert_ids(session, ids)

    def apply(
        self, session: Session, document: AlertDocument, account: BusinessAccount, now: datetime
    ) -> AlertNotice | None:
        return accept(session, document, account, now, via="import")

    def report(self, source: str, imported: Imported[AlertNotice | None]) -> AlertImportReport:
        notices = tuple(notice for notice in imported.applied if notice is not None)
        return AlertImportReport.of(source, imported, notices=notices)
