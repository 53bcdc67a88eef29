"""The account directory import: business accounts, their members and managers, from one file.

The file is the truth for the accounts it lists. Everything is written in one transaction, and
only what differs is written, so importing the same file twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from bot.core import audit
from bot.core.clock import Clock
from bot.core.words import plural
from bot.directory.file import (
    DirectoryRow,
    ParsedDirectory,
    RowError,
    parse_directory,
    progress_bar,
)
from storage import directory as directory_store
from storage import members as member_store
from storage.account_pages import MANAGER_CHANGED, account_target
from storage.database import Database
from storage.models import BusinessAccount, Member, Membership

__all__ = [
    "DirectoryImport",
    "DirectoryRow",
    "ImportReport",
    "ParsedDirectory",
    "RowError",
    "SlackUser",
    "SlackUsers",
    "Tally",
    "parse_directory",
]

MAX_TARGET = 200  # the width of audit_records.target


@dataclass(frozen=True)
class SlackUser:
    """An active, human Slack user with an email, as the workspace's user list shows them."""

    id: str
    team_id: str | None
    email: str
    display_name: str | None
    time_zone: str | None


class SlackUsers(Protocol):
    def all_users(self) -> Iterable[SlackUser]:
        """Every active human user of the workspace (no deleted users, no bots)."""
        ...


@dataclass(frozen=True)
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


@dataclass(frozen=True)
class ImportReport:
    source: str
    accounts: Tally = Tally()
    members: Tally = Tally()
    memberships_added: int = 0
    memberships_removed: int = 0
    memberships_unchanged: int = 0
    unmatched_emails: tuple[str, ...] = ()
    # Matched a Slack user already linked to another member row, so left unlinked.
    conflicting_emails: tuple[str, ...] = ()
    errors: tuple[RowError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changed(self) -> bool:
        return bool(
            self.accounts.created
            or self.accounts.updated
            or self.members.created
            or self.members.updated
            or self.memberships_added
            or self.memberships_removed
        )

    def counts(self) -> dict[str, int]:
        return {
            "accounts_created": self.accounts.created,
            "accounts_updated": self.accounts.updated,
            "accounts_unchanged": self.accounts.unchanged,
            "members_created": self.members.created,
            "members_updated": self.members.updated,
            "members_unchanged": self.members.unchanged,
            "memberships_added": self.memberships_added,
            "memberships_removed": self.memberships_removed,
            "memberships_unchanged": self.memberships_unchanged,
            "unmatched_emails": len(self.unmatched_emails),
        }

    def lines(self) -> list[str]:
        """The report an operator reads after an import."""
        if self.errors:
            bad = plural(len(self.errors), "bad line")
            return [*map(str, self.errors), f"{self.source}: nothing was imported ({bad})"]
        lines = [
            f"{self.source}: " + ("imported" if self.changed else "nothing changed"),
            f"business accounts: {self.accounts}",
            f"members: {self.members}",
            f"memberships: {self.memberships_added} added, {self.memberships_removed} removed, "
            f"{self.memberships_unchanged} unchanged",
        ]
        if self.unmatched_emails:
            lines.append(
                f"no Slack user with this email ({len(self.unmatched_emails)}; kept, "
                "linked when they first use the bot):"
            )
            lines.extend(f"  {email}" for email in self.unmatched_emails)
        if self.conflicting_emails:
            lines.append(
                f"Slack user already linked to another member ({len(self.conflicting_emails)}; "
                "left unlinked):"
            )
            lines.extend(f"  {email}" for email in self.conflicting_emails)
        return lines


class DirectoryImport:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._database = database
        self._clock = clock

    def run(
        self,
        text: str,
        slack_users: SlackUsers,
        *,
        source: str,
        actor: str = audit.SYSTEM,
        progress: bool = False,
    ) -> ImportReport:
        """Check the whole file, then write it in one transaction; a bad file writes nothing."""
        parsed = parse_directory(text, progress=progress)
        if not isinstance(parsed, ParsedDirectory):
            return ImportReport(source=source, errors=tuple(parsed))
        wanted = set(parsed.emails)
        # Slack first, outside the transaction: a slow user list must not hold the database.
        slack: dict[str, SlackUser] = {}
        if wanted:
            for user in slack_users.all_users():
                email = user.email.lower()
                if email in wanted:
                    slack.setdefault(email, user)
        now = self._clock.now()
        with self._database.sessions.begin() as session:
            writer = _Writer(session, now, slack)
            writer.members(parsed.emails)
            writer.accounts(parsed.rows, progress=progress)
            report = writer.report(source)
            for account, before, after in writer.manager_changes:
                audit.record(
                    session,
                    at=now,
                    actor=actor,
                    action=MANAGER_CHANGED,
                    target=account_target(account.id),
                    account=account.platform_account_id,
                    **_manager("old", before),
                    **_manager("new", after),
                )
            if report.changed:
                audit.record(
                    session,
                    at=now,
                    actor=actor,
                    action="directory.imported",
                    target=source[:MAX_TARGET],
                    **report.counts(),
                )
        return report


class _Writer:
    """One import's writes inside the caller's transaction; counts what it changed."""

    def __init__(self, session: Session, now: datetime, slack: dict[str, SlackUser]) -> None:
        self._session = session
        self._now = now
        self._slack = slack
        self._by_email: dict[str, Member] = {}
        self._members = _Counts()
        self._accounts = _Counts()
        self._added = self._removed = self._kept = 0
        self._conflicts: set[str] = set()
        # Existing accounts whose manager changed: (account, before, after).
        self.manager_changes: list[tuple[BusinessAccount, Member | None, Member | None]] = []

    def members(self, emails: list[str]) -> None:
        """Upsert a member per email, linked to their Slack user when one matches."""
        existing = directory_store.members_by_emails(self._session, emails)
        holders = directory_store.members_by_slack_ids(
            self._session, (user.id for user in self._slack.values())
        )
        created: list[Member] = []
        for email in emails:
            user = self._slack.get(email)
            member = existing.get(email)
            adopted = is_new = False
            if member is None and user is not None:
                holder = holders.get(user.id)
                # They met the bot before the directory knew their email: the same person.
                if holder is not None and holder.email is None:
                    member, adopted = holder, True
                    member.email = email
            if member is None:
                member, is_new = Member(email=email, created_at=self._now), True
                created.append(member)
            linked = user is not None and self._link(member, user, holders)
            if is_new:
                self._members.created += 1
            elif adopted or linked:
                self._members.updated += 1
            else:
                self._members.unchanged += 1
            self._by_email[email] = member
        self._session.add_all(created)
        self._session.flush()

    def _link(self, member: Member, user: SlackUser, holders: dict[str, Member]) -> bool:
        """Fill the Slack profile, if it differs; never take a Slack user linked to another member."""
        holder = holders.get(user.id)
        taken = holder is not None and holder is not member
        if taken or member.slack_user_id not in (None, user.id):
            self._conflicts.add(user.email.lower())
            return False
        profile = (user.id, user.team_id, user.display_name, user.time_zone)
        if profile == (member.slack_user_id, member.team_id, member.display_name, member.time_zone):
            return False
        member.slack_user_id, member.team_id, member.display_name, member.time_zone = profile
        member.profile_refreshed_at = self._now
        holders[user.id] = member
        return True

    def accounts(self, rows: tuple[DirectoryRow, ...], *, progress: bool) -> None:
        """Upsert each listed account and make its memberships exactly the listed members."""
        session = self._session
        existing = directory_store.accounts_by_keys(session, (row.key for row in rows))
        current: dict[int, dict[int, Membership]] = {}
        for membership in directory_store.memberships_of_accounts(
            session, (account.id for account in existing.values())
        ):
            by_member = current.setdefault(membership.business_account_id, {})
            by_member[membership.member_id] = membership
        created: list[tuple[BusinessAccount, DirectoryRow]] = []
        stale: list[int] = []
        for row in progress_bar(rows, total=len(rows), desc="importing", enabled=progress):
            manager = row.account_manager_email
            manager_id = self._by_email[manager].id if manager else None
            wanted = (row.account_name, row.managed, manager_id)
            account = existing.get(row.key)
            if account is None:
                account = BusinessAccount(
                    platform=row.platform, platform_account_id=row.account_id, created_at=self._now
                )
                account.name, account.managed, account.account_manager_id = wanted
                created.append((account, row))
                continue
            if (account.name, account.managed, account.account_manager_id) == wanted:
                self._accounts.unchanged += 1
            else:
                if account.account_manager_id != manager_id:
                    self._manager_changed(account, manager)
                account.name, account.managed, account.account_manager_id = wanted
                self._accounts.updated += 1
            stale.extend(self._memberships(account.id, row, current.get(account.id, {})))
        self._accounts.created = len(created)
        session.add_all(account for account, _ in created)
        session.flush()
        for account, row in created:
            self._memberships(account.id, row, {})
        directory_store.delete_memberships(session, stale)
        session.flush()

    def _manager_changed(self, account: BusinessAccount, email: str | None) -> None:
        """Kept for the account's history (audit records `directory.manager_changed`)."""
        before = account.account_manager_id
        old = None if before is None else member_store.member_by_id(self._session, before)
        self.manager_changes.append((account, old, self._by_email[email] if email else None))

    def _memberships(
        self, account_id: int, row: DirectoryRow, current: dict[int, Membership]
    ) -> list[int]:
        """Add the missing memberships; return the ids of those whose member is no longer listed."""
        listed = {self._by_email[email].id for email in row.member_emails}
        missing = listed - current.keys()
        self._session.add_all(
            Membership(member_id=member_id, business_account_id=account_id)
            for member_id in sorted(missing)
        )
        stale = [current[member_id].id for member_id in current.keys() - listed]
        self._added += len(missing)
        self._removed += len(stale)
        self._kept += len(listed) - len(missing)
        return stale

    def report(self, source: str) -> ImportReport:
        return ImportReport(
            source=source,
            accounts=self._accounts.tally(),
            members=self._members.tally(),
            memberships_added=self._added,
            memberships_removed=self._removed,
            memberships_unchanged=self._kept,
            unmatched_emails=tuple(sorted(set(self._by_email) - set(self._slack))),
            conflicting_emails=tuple(sorted(self._conflicts)),
        )


def _manager(which: str, member: Member | None) -> dict[str, str | None]:
    """A manager before or after a change, as the history shows them: by Slack id when linked,
    else by the directory's name or email."""
    if member is None:
        return {f"{which}_slack_id": None, f"{which}_email": None, f"{which}_name": None}
    return {
        f"{which}_slack_id": member.slack_user_id,
        f"{which}_email": member.email,
        f"{which}_name": member.display_name,
    }


@dataclass
class _Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def tally(self) -> Tally:
        return Tally(self.created, self.updated, self.unchanged)
