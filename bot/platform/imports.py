"""What `app.py alerts import` and `app.py posture import` share: a file of the platform's
deliveries as JSON lines, all or nothing.

Each line is read exactly as the API reads a delivery and placed in the directory. A file with any
bad line applies nothing, audits the refusal and reports every bad line with its number; a good
file is applied in one transaction, in the file's order, and ids received before (or earlier in
the file) are counted as duplicates, so importing the same file twice changes nothing. Only how a
line is read, placed and applied, and what the report says, differ between alerts and posture
reports: the `DeliveryKind` methods.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Generic, Protocol, Self, TypeVar

from sqlalchemy.orm import Session

from bot.core import audit
from bot.core.clock import Clock
from bot.core.words import plural
from bot.directory.file import RowError
from bot.platform.alert_document import AlertInvalid
from storage import alerts as alert_store
from storage.database import Database
from storage.models import BusinessAccount

AUDITED_LINES = 50
MAX_TARGET = 200  # the width of audit_records.target

Accounts = dict[str, list[BusinessAccount]]  # by the platform's account id


class Delivery(Protocol):
    """A checked document from the platform: an alert or a posture report."""

    @property
    def id(self) -> str: ...

    @property
    def account_id(self) -> str: ...


D = TypeVar("D", bound=Delivery)
S = TypeVar("S")  # what a delivery is about: its business account (and members)
A = TypeVar("A")  # what storing one delivery changed
R = TypeVar("R", bound="ImportReport")


@dataclass(frozen=True)
class ImportReport:
    """What an import did: counts when applied, every bad line (and nothing applied) otherwise."""

    NOUN: ClassVar[str] = "delivery"

    source: str
    accepted: int = 0
    duplicates: int = 0
    errors: tuple[RowError, ...] = ()

    @classmethod
    def of(cls, source: str, imported: Imported[Any], **more: Any) -> Self:
        """The report on `imported`, with what the kind adds (`more`)."""
        return cls(source, imported.accepted, imported.duplicates, imported.errors, **more)

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self) -> list[str]:
        if self.errors:
            bad = plural(len(self.errors), "bad line")
            return [*map(str, self.errors), f"{self.source}: nothing was imported ({bad})"]
        return [self.summary()]

    def summary(self) -> str:
        return (
            f"{self.source}: {plural(self.accepted, self.NOUN)} accepted, "
            f"{self.duplicates} already received before"
        )


@dataclass(frozen=True)
class Imported(Generic[A]):
    """The counts, the bad lines, and what each delivery applied changed, in the file's order."""

    accepted: int = 0
    duplicates: int = 0
    errors: tuple[RowError, ...] = ()
    applied: tuple[A, ...] = ()


class DeliveryKind(Generic[D, S, A, R]):
    """How one kind of delivery is read from a line, placed in the directory, recognised, stored
    and reported; audited as `<audited_as>.import.refused` and `<audited_as>.imported`."""

    audited_as: ClassVar[str]

    def read(self, line: str, now: datetime) -> D:
        """Parse and check one line as the API does; AlertInvalid (safe to show) when it is bad."""
        raise NotImplementedError

    def place(self, session: Session, document: D, accounts: Accounts) -> S | str:
        """What the delivery is about, or why it cannot be placed."""
        raise NotImplementedError

    def known_ids(self, session: Session, ids: Iterable[str]) -> set[str]:
        """The ids among these received before."""
        raise NotImplementedError

    def apply(self, session: Session, document: D, subject: S, now: datetime) -> A:
        """Store one new delivery, as the API does."""
        raise NotImplementedError

    def report(self, source: str, imported: Imported[A]) -> R:
        """The operator's report on the file `source`."""
        raise NotImplementedError


class DeliveryImport(DeliveryKind[D, S, A, R]):
    """`app.py alerts import FILE`, `app.py posture import FILE`: one service per kind."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._database = database
        self._clock = clock

    def run(self, text: str, *, source: str, actor: str = audit.SYSTEM) -> R:
        """JSON lines, each checked like an API delivery; any bad line and nothing is applied."""
        now = self._clock.now()
        imported = import_lines(self._database, self, text, now=now, source=source, actor=actor)
        return self.report(source, imported)


def import_lines(
    database: Database,
    kind: DeliveryKind[D, S, A, R],
    text: str,
    *,
    now: datetime,
    source: str,
    actor: str,
) -> Imported[A]:
    """Read and place every line; only when none is bad, apply each new delivery, in order."""
    errors: list[RowError] = []
    documents: list[tuple[int, D]] = []
    for number, line in enumerate(text.removeprefix("\ufeff").split("\n"), start=1):
        if not line.strip():
            continue
        try:
            documents.append((number, kind.read(line, now)))
        except AlertInvalid as invalid:
            errors.append(RowError(number, invalid.reason))
    with database.sessions.begin() as session:
        trail = audit.Trail(session, now, actor, source[:MAX_TARGET])
        ids = (document.account_id for _, document in documents)
        accounts = alert_store.accounts_by_platform_ids(session, ids)
        placed: list[tuple[D, S]] = []
        for number, document in documents:
            subject = kind.place(session, document, accounts)
            if isinstance(subject, str):
                errors.append(RowError(number, subject))
            else:
                placed.append((document, subject))
        if errors:
            errors.sort(key=lambda error: error.line)
            bad_lines = [str(error) for error in errors[:AUDITED_LINES]]
            trail.record(f"{kind.audited_as}.import.refused", bad_lines=bad_lines)
            return Imported(errors=tuple(errors))
        known = kind.known_ids(session, (d.id for _, d in documents))
        duplicates = 0
        applied: list[A] = []
        for document, subject in placed:
            if document.id in known:
                duplicates += 1
                continue
            known.add(document.id)
            applied.append(kind.apply(session, document, subject, now))
        accepted = len(documents) - duplicates
        if accepted:
            trail.record(f"{kind.audited_as}.imported", accepted=accepted, duplicates=duplicates)
    return Imported(accepted, duplicates, applied=tuple(applied))
