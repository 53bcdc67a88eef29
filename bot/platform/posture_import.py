"""`app.py posture import FILE`: the API's reports as JSON lines, all or nothing.

Each line is checked exactly as the API checks a delivery, and must name a business account (and
member) of the directory. A file with any bad line applies nothing and reports every bad line with
its number; a good file is applied in one transaction, in the file's order. Ids received before,
or earlier in the file, are counted as duplicates, so importing the same file twice changes
nothing; and a line dated earlier than evidence already stored never overwrites it. The flow is
bot/platform/imports.py's, shared with alerts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.core import audit
from bot.core.clock import Clock
from bot.core.words import plural
from bot.directory.file import RowError
from bot.platform.alerts import ClosedAlert
from bot.platform.imports import DeliveryKind, import_lines, refused_lines
from bot.platform.posture import apply_report, checked, resolve
from bot.platform.posture_document import PostureDocument, PostureInvalid, parse_posture
from storage import posture as posture_store
from storage.database import Database
from storage.models import BusinessAccount, Member


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
            return refused_lines(self.source, self.errors)
        summary = (
            f"{self.source}: {plural(self.accepted, 'report')} accepted, "
            f"{self.duplicates} already received before"
        )
        if self.superseded:
            summary += f", {self.superseded} with fields older than the evidence stored (kept)"
        if self.closed:
            summary += (
                f"; {plural(len(self.closed), 'compromised-password alert')} closed as rotated"
            )
        return [summary]


def _read(line: str, now: datetime) -> PostureDocument:
    return checked(parse_posture(line), now)


POSTURE = DeliveryKind(
    read=_read,
    invalid=PostureInvalid,
    place=resolve,
    known_ids=posture_store.known_report_ids,
    refused_action="posture.import.refused",
    imported_action="posture.imported",
)


class PostureImport:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._database = database
        self._clock = clock

    def run(self, text: str, *, source: str, actor: str = audit.SYSTEM) -> PostureImportReport:
        now = self._clock.now()
        superseded = 0
        closed: list[ClosedAlert] = []
        members: set[str] = set()

        def apply(
            session: Session,
            document: PostureDocument,
            subject: tuple[BusinessAccount, list[Member]],
        ) -> None:
            nonlocal superseded
            account, people = subject
            applied = apply_report(session, document, account, people, now, via="import")
            superseded += bool(applied.superseded)
            closed.extend(applied.closed)
            members.update(applied.members)

        imported = import_lines(
            self._database, POSTURE, text, apply, now=now, source=source, actor=actor
        )
        return PostureImportReport(
            source,
            imported.accepted,
            imported.duplicates,
            superseded,
            imported.errors,
            closed=tuple(closed),
            members=tuple(sorted(members)),
        )
