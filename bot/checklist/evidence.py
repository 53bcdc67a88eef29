"""The bot's own word on one of a member's checks (an authenticator linked, a recovery email
confirmed): one place that writes it, with the note the checklist shows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.checklist.model import Check, Source, State
from storage import members as member_store


def record_bot_check(
    session: Session, member_id: int, check: Check, state: State, note: str, at: datetime
) -> None:
    """Replace the bot's evidence for the member's `check`, inside the caller's transaction."""
    member_store.save_check_result(
        session,
        member_id=member_id,
        check=check,
        business_account_id=None,
        source=Source.BOT,
        state=state,
        observed_at=at,
        detail={"note": note},
    )
