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

from bot.core.words import plural
from bot.platform.compromised import ClosedAlert
from bot.platform.imports import DeliveryImport, DeliveryKind, Imported, ImportReport
from bot.platform.posture import Applied, apply_report, checked, resolve
from bot.platform.posture_document import PostureDocument, PostureInvalid, parse_posture
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


def _read(line: str, now: datetime) -> PostureDocument:
    return checked(parse_posture(line), now)


def _apply(session: Session, document: PostureDocument, subject: Subject, now: datetime) -> Applied:
    account, people = subject
    return apply_report(session, document, account, people, now, via="import")


def _report(source: str, imported: Imported[Applied]) -> PostureImportReport:
    applied = imported.applied
    return PostureImportReport.of(
        source,
        imported,
        superseded=sum(bool(each.superseded) for each in applied),
        closed=tuple(closed for each in applied for closed in each.closed),
        members=tuple(sorted({member for each in applied for member in each.members})),
    )


POSTURE = DeliveryKind(
    read=_read,
    invalid=PostureInvalid,
    place=resolve,
    known_ids=posture_store.known_report_ids,
    apply=_apply,
    report=_report,
    refused_action="posture.import.refused",
    imported_action="posture.imported",
)


class PostureImport(DeliveryImport[PostureDocument, Subject, Applied, PostureImportReport]):
    kind = POSTURE
