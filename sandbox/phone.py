"""The sandbox's stand-in for a member's phone: the code their authenticator app would show now.

Only the sandbox has this: it reads the member's enrolled secret (decrypted with the sandbox's
own keys) so the console can step up without a real phone. A real deployment never shows it.
"""

from __future__ import annotations

from datetime import datetime

import pyotp

from bot.core.secret_box import SecretBox
from storage import authenticator as link_store
from storage import members as member_store
from storage.database import Database


def current_code(
    database: Database, keys: tuple[str, ...], slack_user_id: str, at: datetime
) -> str | None:
    """The code for `at`, or None when the member has no authenticator (pending or linked)."""
    with database.sessions() as session:
        member = member_store.member_by_slack_id(session, slack_user_id)
        link = link_store.link_of(session, member.id, with_secret=True) if member else None
        if link is None:
            return None
        secret = SecretBox(keys).open(link.secret_encrypted)
    return pyotp.TOTP(secret).at(at)
