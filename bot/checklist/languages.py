"""Each member's language: their own choice (`/security language de|en|auto`), else their Slack
locale, else English. Asked whenever text is built for someone, so it is kept per process for a
minute; a member's own choice is in force at once in the process that took it."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from bot.core import audit
from bot.core.clock import Clock
from bot.core.errors import DomainError
from bot.core.i18n import LANGUAGES, _, language_for
from bot.workspaces.scope import workspace_id
from storage import members as member_store
from storage.database import Database

KEEP_FOR = timedelta(seconds=60)
AUTO = "auto"
CHOICES = (*LANGUAGES, AUTO)


class UnknownLanguage(DomainError):
    def __init__(self) -> None:
        super().__init__(
            _("Choose `de` (Deutsch), `en` (English) or `auto` (your Slack language).")
        )


class MemberLanguages:
    def __init__(self, database: Database, clock: Clock, keep_for: timedelta = KEEP_FOR) -> None:
        self._database = database
        self._clock = clock
        self._keep_for = keep_for
        self._known: dict[tuple[str, str], tuple[str, datetime]] = {}
        self._lock = threading.Lock()

    def of(self, slack_user_id: str) -> str:
        """The language text for this member is built in."""
        key = (workspace_id(), slack_user_id)
        now = self._clock.now()
        with self._lock:
            found = self._known.get(key)
        if found is not None and now - found[1] < self._keep_for:
            return found[0]
        with self._database.sessions() as session:
            locale, chosen = member_store.language_of(session, slack_user_id)
        language = language_for(locale, chosen)
        with self._lock:
            if len(self._known) > 50_000:
                self._known.clear()
            self._known[key] = (language, now)
        return language

    def forget(self, slack_user_id: str) -> None:
        """Look the member's language up again next time: their profile (and locale) was just
        read, and the language kept from before it may be the English of an unknown locale."""
        with self._lock:
            self._known.pop((workspace_id(), slack_user_id), None)

    def choose(self, slack_user_id: str, choice: str) -> str:
        """The member's own choice ("auto": by their Slack locale again); the language now in
        force. Audited: what a member reads security messages in is theirs to set."""
        choice = choice.strip().lower()
        if choice not in CHOICES:
            raise UnknownLanguage
        now = self._clock.now()
        with self._database.sessions.begin() as session:
            locale = member_store.choose_language(
                session, slack_user_id, None if choice == AUTO else choice, now
            )
            audit.record(
                session,
                at=now,
                actor=slack_user_id,
                action="member.language.chosen",
                target=slack_user_id,
                choice=choice,
            )
        language = language_for(locale, None if choice == AUTO else choice)
        with self._lock:
            self._known[(workspace_id(), slack_user_id)] = (language, now)
        return language
