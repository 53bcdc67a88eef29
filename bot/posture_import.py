"""`app.py posture import FILE`: the API's reports as JSON lines, all or nothing.

Each line is checked exactly as the API checks a delivery, and must name a business account (and
member) of the directory. A file with any bad line applies nothing and reports every bad line with
its number; a good file is applied in one transaction, in the file's order. Ids received before,
or earlier in the file, are counted as duplicates, so importing the same file twice changes
nothing; and a line dated earlier than evidence already stored never overwrites it.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import audit
from bot.alert_import import AUDITED_LINES, MAX_TARGET
from bot.alerts import ClosedAlert
from bot.clock import Clock
from bot.directory_file import RowError
from bot.posture import apply_report, checked, resolve
from bot.posture_document import PostureDocument, PostureInvalid, parse_posture
from storage import alerts as alert_store
from storage import posture as posture_store
from storage.database import Database


@dataclass(frozen=True)
class PostureImportReport:
    source: str
    accepted: int = 0
    duplicates: int = 0
    superseded: int = 0
    errors: tuple[RowError, ...] = ()
    closed: tuple[ClosedAlert, ...] = ()
    members: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self) -> list[str]:
        if self.errors:
            bad = f"{len(self.errors)} bad line" + ("s" if len(self.errors) > 1 else "")
            return [*map(str, self.errors), f"{self.source}: nothing was imported ({bad})"]
        summary = (
            f"{self.source}: {self.accepted} report(s) accepted, "
            f"{self.duplicates} already received before"
        )
        if self.superseded:
            summary += f", {self.superseded} with fields older than the evidence stored (kept)"
        if self.closed:
            summary += f"; {len(self.closed)} compromised-password alert(s) closed as rotated"
        return [summary]


class PostureImport:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._database = database
        self._clock = clock

    def run(self, text: str, *, source: str, actor: str = audit.SYSTEM) -> PostureImportReport:
        now = self._clock.now()
        errors: list[RowError] = []
        documents: list[tuple[int, PostureDocument]] = []
        for number, line in enumerate(text.removeprefix("\ufeff").split("\n"), start=1):
            if not line.strip():
                continue
            try:
                documents.append((number, checked(parse_posture(line), now)))
            except PostureInvalid as invalid:
                errors.append(RowError(number, invalid.reason))
        with self._database.sessions.begin() as session:
            ids = (document.account_id for _, document in documents)
            accounts = alert_store.accounts_by_platform_ids(session, ids)
            subjects = []
            for number, document in documents:
                subject = resolve(session, document, accounts)
                if isinstance(subject, str):
                    errors.append(RowError(number, subject))
                else:
                    subjects.append((document, subject))
            if errors:
                errors.sort(key=lambda error: error.line)
                audit.record(
                    session,
                    at=now,
                    actor=actor,
                    action="posture.import.refused",
                    target=source[:MAX_TARGET],
                    bad_lines=[str(error) for error in errors[:AUDITED_LINES]],
                )
                return PostureImportReport(source, errors=tuple(errors))
            known = posture_store.known_report_ids(session, (d.id for _, d in documents))
            duplicates = superseded = 0
            closed: list[ClosedAlert] = []
            members: set[str] = set()
            for document, (account, people) in subjects:
                if document.id in known:
                    duplicates += 1
                    continue
                known.add(document.id)
                applied = apply_report(session, document, account, people, now, via="import")
                superseded += bool(applied.superseded)
                closed.extend(applied.closed)
                members.update(applied.members)
            accepted = len(documents) - duplicates
            if accepted:
                audit.record(
                    session,
                    at=now,
                    actor=actor,
                    action="posture.imported",
                    target=source[:MAX_TARGET],
                    accepted=accepted,
                    duplicates=duplicates,
                )
        return PostureImportReport(
            source,
            accepted,
            duplicates,
            superseded,
            closed=tuple(closed),
            members=tuple(sorted(members)),
        )
