"""The case thread as timeline: what people write under a card becomes an entry, and so do the
edits and the deletion of those notes. Messages anywhere else are none of the bot's business.

Slack may deliver an event twice; each note, edit and deletion has its own key on the timeline
(`note:<ts>`, `edit:<ts>:<edited ts>`, `delete:<ts>`), so a second delivery changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.cases import records
from bot.cases.access import Operation, Party
from bot.cases.records import Desk
from bot.core.errors import NotAllowed
from storage import cases as case_store
from storage.case_models import Case

NOTE_LIMIT = 4000


class Noted(StrEnum):
    RECORDED = "recorded"
    IGNORED = "ignored"  # not a case thread, not a note, or already recorded
    REFUSED = "refused"  # the writer may not add to this case (audited)


@dataclass(frozen=True)
class NoteResult:
    outcome: Noted
    case_number: int | None = None
    message: str | None = None  # for REFUSED: what to tell the writer, privately


IGNORED = NoteResult(Noted.IGNORED)


class ThreadNotes:
    def __init__(self, desk: Desk) -> None:
        self._desk = desk

    def note(self, channel: str, thread_ts: str, ts: str, author: str, text: str) -> NoteResult:
        number = self._case_of(channel, thread_ts)
        if number is None or ts == thread_ts:
            return IGNORED
        return self._record(author, number, "note", f"note:{ts}", text, check=True)

    def edited(
        self, channel: str, thread_ts: str, ts: str, edited_ts: str, author: str, text: str
    ) -> NoteResult:
        number = self._case_of(channel, thread_ts)
        if number is None or not self._is_note(number, ts):
            return IGNORED
        return self._record(author, number, "note_edited", f"edit:{ts}:{edited_ts}", text)

    def deleted(self, channel: str, thread_ts: str, ts: str, author: str) -> NoteResult:
        number = self._case_of(channel, thread_ts)
        if number is None or not self._is_note(number, ts):
            return IGNORED
        return self._record(author, number, "note_deleted", f"delete:{ts}", "")

    def _case_of(self, channel: str, thread_ts: str) -> int | None:
        with self._desk.database.sessions() as session:
            case = case_store.case_by_card(session, channel, thread_ts)
            return None if case is None else case.id

    def _is_note(self, number: int, ts: str) -> bool:
        with self._desk.database.sessions() as session:
            return case_store.event_by_key(session, number, f"note:{ts}") is not None

    def _record(
        self, author: str, number: int, kind: str, key: str, text: str, *, check: bool = False
    ) -> NoteResult:
        """A note needs a writer who may add to the case; its edits and deletion are recorded
        whoever the writer is now (only the note's author can edit it in Slack)."""

        def apply(session: Session, case: Case, who: Party, now: datetime) -> NoteResult:
            if case_store.event_by_key(session, case.id, key) is not None:
                return IGNORED
            records.event(session, case, now, author, kind, text[:NOTE_LIMIT], source_key=key)
            action = {"note": "added", "note_edited": "edited", "note_deleted": "deleted"}[kind]
            records.record(session, now, author, f"cases.note.{action}", number, key=key)
            return NoteResult(Noted.RECORDED, number)

        operation = Operation.NOTE if check else Operation.VIEW
        try:
            if check:
                return self._desk.act(author, number, operation, apply)
            return self._unchecked(number, apply)
        except NotAllowed as refusal:
            return NoteResult(Noted.REFUSED, number, refusal.user_message)
        except IntegrityError:
            return IGNORED  # a parallel delivery of the same event recorded it

    def _unchecked(
        self, number: int, apply: Callable[[Session, Case, Party, datetime], NoteResult]
    ) -> NoteResult:
        now = self._desk.clock.now()
        with self._desk.database.sessions.begin() as session:
            return apply(session, records.load(session, number, lock=True), Party(), now)
