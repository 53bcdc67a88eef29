"""One-time links to the bot's own pages: single-use, bound to one member, short-lived.

Only a hash of the token is stored, so a database dump cannot open anyone's page; the token itself
travels once, in the member's DM, and must never be logged.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.orm import Session

from bot.checklist.members import member_for
from bot.core import audit
from bot.core.clock import Clock
from bot.core.errors import DomainError
from bot.core.i18n import N_, _, language_for, ngettext, number
from storage import secure_links as link_store
from storage.database import Database
from storage.models import SecureLink

DEFAULT_LIFETIME = timedelta(minutes=10)


class LinkPurpose(StrEnum):
    LINK_AUTHENTICATOR = "authenticator"
    RECOVERY_CODES = "recovery_codes"
    PASSWORD_CHECK = "password_check"  # noqa: S105 - a page name
    PASSWORD_ROTATION = "password_rotation"  # noqa: S105 - the check after an alert


class LinkUnusable(DomainError):
    """Expired, already used, unknown, or for another page; says how to get a new one.

    `gone` tells a link that existed and is used up or expired from one that never did.
    """

    def __init__(self, user_message: str, *, gone: bool = False) -> None:
        super().__init__(user_message)
        self.gone = gone


@dataclass(frozen=True)
class LinkGrant:
    """Who a valid link acts for, and where the message that carried it is."""

    token_hash: str
    slack_user_id: str
    display_name: str | None
    purpose: LinkPurpose
    slack_channel: str | None = None
    slack_ts: str | None = None
    workspace: str = ""  # the link's workspace: the visit serves it (bot/workspaces/scope.py)
    language: str = "en"  # its member's: the page speaks it


@dataclass(frozen=True)
class IssuedLink:
    url: str
    token_hash: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SecureLinks:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        base_url: str,
        lifetime: timedelta = DEFAULT_LIFETIME,
    ) -> None:
        self._database = database
        self._clock = clock
        self._base_url = base_url.rstrip("/")
        self.lifetime = lifetime

    def issue(self, slack_user_id: str, purpose: LinkPurpose) -> IssuedLink:
        """A fresh link for the member; the URL is returned once and stored only as a hash."""
        token = secrets.token_urlsafe(32)
        now = self._clock.now()
        with self._database.sessions.begin() as session:
            member = member_for(session, slack_user_id, self._clock)
            session.add(
                SecureLink(
                    token_hash=token_hash(token),
                    member_id=member.id,
                    purpose=purpose.value,
                    created_at=now,
                    expires_at=now + self.lifetime,
                )
            )
            _audit(session, now, "secure_link.issued", slack_user_id, purpose)
        return IssuedLink(f"{self._base_url}/secure/{purpose.value}/{token}", token_hash(token))

    def attach_message(self, link: IssuedLink, channel: str, ts: str) -> None:
        """Remember the Slack message carrying the link, so the page can update it afterwards."""
        with self._database.sessions.begin() as session:
            link_store.attach_message(session, link.token_hash, channel, ts)

    def check(self, token: str, purpose: LinkPurpose) -> LinkGrant:
        """The member a usable link acts for, or LinkUnusable with a friendly reason."""
        with self._database.sessions() as session:
            found = link_store.by_token_hash(session, token_hash(token))
        if found is None:
            raise LinkUnusable(_refusal(_(_UNKNOWN), purpose))
        link, member = found.link, found.member
        if link.purpose != purpose.value:
            raise LinkUnusable(_refusal(_(_UNKNOWN), purpose))
        if link.used_at is not None:
            raise LinkUnusable(_refusal(_(_USED), purpose), gone=True)
        if self._clock.now() >= link.expires_at:
            minutes = int(self.lifetime.total_seconds() // 60)
            expired = ngettext(
                "This link has expired; links work for {count} minute.",
                "This link has expired; links work for {count} minutes.",
                minutes,
            ).format(count=number(minutes))
            raise LinkUnusable(_refusal(expired, purpose), gone=True)
        return LinkGrant(
            link.token_hash,
            member.slack_user_id or "",
            member.display_name,
            purpose,
            link.slack_channel,
            link.slack_ts,
            link.workspace_id,
            language_for(member.locale, member.language),
        )

    def spend(self, grant: LinkGrant) -> None:
        """Mark the link used; a second spend of the same link fails (single use, even in a race)."""
        with self._database.sessions.begin() as session:
            spend_within(session, grant, self._clock.now())


def spend_within(session: Session, grant: LinkGrant, now: datetime) -> None:
    """`spend`, inside the caller's transaction: the link is used up together with what it did,
    or not at all."""
    if not link_store.mark_used(session, grant.token_hash, now):
        raise LinkUnusable(_refusal(_(_USED), grant.purpose), gone=True)
    _audit(session, now, "secure_link.used", grant.slack_user_id, grant.purpose)


def _audit(
    session: Session, now: datetime, action: str, slack_user_id: str, purpose: LinkPurpose
) -> None:
    """A link's records are the member's own acts about themselves, and name the page."""
    trail = audit.Trail(session, now, slack_user_id, f"member:{slack_user_id}")
    trail.record(action, purpose=purpose.value)


_UNKNOWN = N_("This link is not valid.")
_USED = N_("This link has already been used; each link works once.")
_BY_COMMAND = N_("Ask for a new one in Slack with {command} (or the button in your checklist).")
_HOW: dict[LinkPurpose, tuple[str, str]] = {  # the sentence, and the command it names
    LinkPurpose.LINK_AUTHENTICATOR: (_BY_COMMAND, "`/security 2sv`"),
    LinkPurpose.RECOVERY_CODES: (_BY_COMMAND, "`/security 2sv`"),
    LinkPurpose.PASSWORD_CHECK: (_BY_COMMAND, "`/security password`"),
    LinkPurpose.PASSWORD_ROTATION: (
        N_(
            'Ask for a new one in Slack with the "I\'ve changed it" button of the alert '
            "(or the button in your checklist)."
        ),
        "",
    ),
}


def _refusal(why: str, purpose: LinkPurpose) -> str:
    """Why the link cannot serve, then how to get a new one: two whole sentences."""
    how, command = _HOW[purpose]
    return f"{why} {_(how).format(command=command)}"
