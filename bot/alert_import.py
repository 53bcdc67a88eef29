"""`app.py alerts import FILE`: the API's documents as JSON lines, all or nothing.

Each line is checked exactly as the API checks a delivery. A file with any bad line writes no
alert and reports every bad line with its number; a good file is applied in one transaction, and
ids already received (before, or earlier in the file) are counted as duplicates, so importing the
same file twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import audit
from bot.alert_document import AlertDocument, AlertInvalid, parse_alert
from bot.alerts import AMBIGUOUS_ACCOUNT, UNKNOWN_ACCOUNT, AlertNotice, accept, checked
from bot.clock import Clock
from bot.directory_file import RowError
from storage import alerts as alert_store
from storage.database import Database

AUDITED_LINES = 50
MAX_TARGET = 200  # the width of audit_records.target


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
            bad = f"{len(self.errors)} bad line" + ("s" if len(self.errors) > 1 else "")
            return [*map(str, self.errors), f"{self.source}: nothing was imported ({bad})"]
        return [
            f"{self.source}: {self.accepted} alert(s) accepted, "
            f"{self.duplicates} already received before"
        ]


class AlertImport:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._database = database
        self._clock = clock

    def run(self, text: str, *, source: str, actor: str = audit.SYSTEM) -> AlertImportReport:
        """JSON lines, each checked like an API delivery; any bad line and nothing is applied."""
        now = self._clock.now()
        errors: list[RowError] = []
        documents: list[tuple[int, AlertDocument]] = []
        for number, line in enumerate(text.removeprefix("\ufeff").split("\n"), start=1):
            if not line.strip():
                continue
            try:
                documents.append((number, checked(parse_alert(line), now)))
            except AlertInvalid as invalid:
                errors.append(RowError(number, invalid.reason))
        with self._database.sessions.begin() as session:
            ids = (document.account_id for _, document in documents)
            accounts = alert_store.accounts_by_platform_ids(session, ids)
            for number, document in documents:
                found = accounts.get(document.account_id, [])
                if len(found) != 1:
                    errors.append(RowError(number, AMBIGUOUS_ACCOUNT if found else UNKNOWN_ACCOUNT))
            if errors:
                errors.sort(key=lambda error: error.line)
                audit.record(
                    session,
                    at=now,
                    actor=actor,
                    action="alerts.import.refused",
                    target=source[:MAX_TARGET],
                    bad_lines=[str(error) for error in errors[:AUDITED_LINES]],
                )
                return AlertImportReport(source, errors=tuple(errors))
            known = alert_store.known_platform_alert_ids(session, (d.id for _, d in documents))
            notices: list[AlertNotice] = []
            duplicates = 0
            for _, document in documents:
                if document.id in known:
                    duplicates += 1
                    continue
                known.add(document.id)
                account = accounts[document.account_id][0]
                notice = accept(session, document, account, now, via="import")
                if notice is not None:
                    notices.append(notice)
            accepted = len(documents) - duplicates
            if accepted:
                audit.record(
                    session,
                    at=now,
                    actor=actor,
                    action="alerts.imported",
                    target=source[:MAX_TARGET],
                    accepted=accepted,
                    duplicates=duplicates,
                )
        return AlertImportReport(source, accepted, duplicates, notices=tuple(notices))
