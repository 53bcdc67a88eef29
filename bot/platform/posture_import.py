"""`app.py posture import FILE`: the API's reports as JSON lines, all or nothing.

Each line is checked exactly as the API checks a delivery, and must name a business account (and
member) of the directory. A file with any bad line applies nothing and reports every bad line with
its number; a good file is applied in one transaction, in the file's order. Ids received before,
or earlier in the file, are counted as duplicates, so importing the same file twice changes
nothing; and a line dated earlier than evidence already stored never overwrites it. The flow is
bot/platform/imports.py's, shared with alerts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.core.words import plural
from bot.platform.compromised import ClosedAlert
from bot.platform.imports import Accounts, DeliveryImport, Imported, ImportReport
from bot.platform.posture import Applied, apply_report, checked, resolve
from bot.platform.posture_document import PostureDocument, parse_posture
from storage import posture as posture_store
from storage.models import BusinessAccount, Member

Subject = tuple[BusinessAccount, list[Member]]


@dataclass(frozen=True)
class PostureImportReport(ImportReport):
    NOUN = "report"

    superseded: int = 0
    closed: tuple[ClosedAlert, ...] = ()
    members: tuple[str, ...] = ()

    def summary(self) -> str:
        summary = super().summary()
        if self.superseded:
            summary += f", {self.superseded} with fields older than the evidence stored (kept)"
        if self.closed:
            summary += (
                f"; {plural(len(self.closed), 'compromised-password alert')} closed as rotated"
            )
        return summary


class PostureImport(DeliveryImport[PostureDocument, Subject, Applied, PostureImportReport]):
    audited_as = "posture"

    def read(self, line: str, now: datetime) -> PostureDocument:
        return checked(parse_posture(line), now)

    def place(
        self, session: Session, document: PostureDocument, accounts: Accounts
    ) -> Subject | str:
        return resolve(session, document, accounts)

    def known_ids(self, session: Session, ids: Iterable[str]) -> set[str]:
        return posture_store.known_report_ids(session, ids)

    def apply(
        self, session: Session, document: PostureDocument, subject: Subject, now: datetime
    ) -> Applied:
        account, people = subject
        return apply_report(session, document, account, people, now, via="import")

    def report(self, source: str, imported: Imported[Applied]) -> PostureImportReport:
        applied = imported.applied
        return PostureImportReport.of(
            source,
            imported,
            superseded=sum(bool(each.superseded) for each in applied),
            closed=tuple(closed for each in applied for closed in each.closed),
            members=tuple(sorted({member for each in applied for member in each.members})),
        )
