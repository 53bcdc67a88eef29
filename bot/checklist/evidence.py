"""One source's word on one of a member's checks (the bot's: an authenticator linked, a password
checked; the member's own: "I've turned 2SV on"): one place that writes it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from bot.checklist.model import Check, Source, State
from storage import members as member_store


class NewEvidence(NamedTuple):
    """Evidence to write: what one source says about a member's check, for one business account
    or for them all (model.Evidence is what the checklist reads back)."""

    member_id: int
    check: Check
    state: State
    observed_at: datetime
    detail: dict[str, Any]
    source: Source = Source.BOT
    business_account_id: int | None = None

    def save(self, session: Session) -> None:
        """Replace this source's evidence for the check, inside the caller's transaction."""
        member_store.save_check_result(session, **self._asdict())


def record_bot_check(
    session: Session,
    member_id: int,
    check: Check,
    state: State,
    note: str | dict[str, Any],
    at: datetime,
) -> None:
    """The bot's word, with the note the checklist shows: a catalogue text, or one with its
    values (bot/checklist/notes.note), read in each reader's language."""
    detail = note if isinstance(note, dict) else {"note": note}
    NewEvidence(member_id, check, state, at, detail).save(session)


def self_reported(
    member_id: int, check: Check, at: datetime, detail: dict[str, Any], account: int | None = None
) -> NewEvidence:
    """The member's own word that a check is done: weaker evidence, outranked by the platform's."""
    return NewEvidence(member_id, check, State.PASSING, at, detail, Source.SELF, account)
