"""Members: who they are (profile cached from Slack), and what their checklist says."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.campaigns.deadlines import refs_of, with_deadlines
from bot.checklist.exempting import excuse, in_force
from bot.checklist.model import BusinessAccountRef, Checklist, Evidence, MemberRef, evidence_of
from bot.checklist.rules import build_checklist
from bot.core import audit
from bot.core.clock import Clock
from bot.core.errors import NotAllowed
from bot.core.i18n import ENGLISH, _, language_for
from bot.nudges.hours import zone
from storage import members as member_store
from storage.database import Database
from storage.models import Member

PROFILE_MAX_AGE = timedelta(days=7)


@dataclass(frozen=True)
class Profile:
    """What Slack's users.info tells about a member."""

    slack_user_id: str
    team_id: str | None
    email: str | None
    display_name: str | None
    time_zone: str | None
    locale: str | None = None  # Slack's, with include_locale: "de-DE"


@dataclass(frozen=True)
class StatusView:
    checklist: Checklist
    own: bool
    profile_stale: bool
    language: str = ENGLISH  # the subject's: the reader's on their own view


class MemberService:
    def __init__(self, database: Database, clock: Clock, security_admins: AbstractSet[str]) -> None:
        self._database = database
        self._clock = clock
        self._admins = security_admins

    def is_admin(self, slack_user_id: str) -> bool:
        return slack_user_id in self._admins

    def status(self, viewer: str, subject: str | None = None) -> StatusView:
        """The checklist of `subject` (default: the viewer), if the viewer may see it.

        One statement for a member's own view, whatever the data size.
        """
        subject = subject or viewer
        rows = member_store.status_rows(self._database.reads, subject)
        checklist = _checklist(rows, subject)
        if rows is not None and rows.exemptions:
            checklist = excuse(checklist, in_force(rows.exemptions, self._clock.now()))
        if rows is not None and rows.campaigns:
            today = self._clock.now().astimezone(zone(rows.campaigns[0].member_time_zone)).date()
            checklist = with_deadlines(checklist, refs_of(rows.campaigns), today)
        own = subject == viewer
        if not own:
            allowed = self._may_view(viewer, checklist)
            with self._database.sessions.begin() as session:
                audit.record(
                    session,
                    at=self._clock.now(),
                    actor=viewer,
                    action="checklist.viewed" if allowed else "checklist.view.refused",
                    target=subject,
                )
            if not allowed:
                raise NotAllowed(
                    _(
                        "Only security admins and the member's account manager can see "
                        "someone else's checklist."
                    )
                )
        refreshed = rows.profile_refreshed_at if rows else None
        stale = refreshed is None or self._clock.now() - refreshed > PROFILE_MAX_AGE
        language = language_for(rows.locale, rows.language) if rows else ENGLISH
        return StatusView(checklist=checklist, own=own, profile_stale=stale, language=language)

    def _may_view(self, viewer: str, checklist: Checklist) -> bool:
        if viewer in self._admins:
            return True
        return any(account.account_manager_slack_id == viewer for account in checklist.accounts)

    def profile_is_stale(self, slack_user_id: str) -> bool:
        with self._database.sessions() as session:
            member = member_store.member_by_slack_id(session, slack_user_id)
            return member is None or _profile_stale(member, self._clock, PROFILE_MAX_AGE)

    def remember_profile(self, profile: Profile) -> None:
        """Cache the profile; link a member imported by email to their Slack user on first contact.

        Two first contacts at once (Home tab and a command) may race to create the member: the
        loser finds the winner's row on its second try and updates it.
        """
        try:
            self._remember_profile(profile)
        except IntegrityError:
            self._remember_profile(profile)

    def _remember_profile(self, profile: Profile) -> None:
        now = self._clock.now()
        email = profile.email.lower() if profile.email else None
        with self._database.sessions.begin() as session:
            member = member_store.member_by_slack_id(session, profile.slack_user_id)
            if member is None and email:
                imported = member_store.member_by_email(session, email)
                if imported is not None and imported.slack_user_id is None:
                    member = imported
                    audit.record(
                        session,
                        at=now,
                        actor=audit.SYSTEM,
                        action="member.linked",
                        target=profile.slack_user_id,
                        email=email,
                    )
            if member is None:
                member = Member(slack_user_id=profile.slack_user_id, created_at=now)
                if email and member_store.member_by_email(session, email) is None:
                    member.email = email
                session.add(member)
            member.slack_user_id = profile.slack_user_id
            member.team_id = profile.team_id
            member.display_name = profile.display_name
            member.time_zone = profile.time_zone
            member.locale = profile.locale
            member.profile_refreshed_at = now


def member_for(session: Session, slack_user_id: str, clock: Clock) -> Member:
    """The member row for a Slack user, created on first contact."""
    member = member_store.member_by_slack_id(session, slack_user_id)
    if member is None:
        member = Member(slack_user_id=slack_user_id, created_at=clock.now())
        session.add(member)
        session.flush()
    return member


def business_accounts_of(session: Session, member_id: int) -> list[BusinessAccountRef]:
    """The member's business accounts with their account managers' Slack ids, as the forms that
    ask "which account?" list them."""
    return [
        BusinessAccountRef(
            row.account.id,
            row.account.platform_account_id,
            row.account.name,
            row.account.platform,
            row.account.managed,
            row.manager_slack_id,
        )
        for row in member_store.accounts_of_member(session, member_id)
    ]


def _checklist(rows: member_store.StatusRows | None, slack_user_id: str) -> Checklist:
    if rows is None:
        return build_checklist(MemberRef(None, slack_user_id, None), [], [])
    accounts = [
        BusinessAccountRef(
            account.account_id,
            account.platform_account_id,
            account.account_name,
            account.platform,
            account.managed,
            account.manager_slack_id,
        )
        for account in rows.accounts
    ]
    evidence = [found for row in rows.check_results if (found := _evidence(row)) is not None]
    return build_checklist(
        MemberRef(rows.member_id, slack_user_id, rows.display_name), accounts, evidence
    )


def _evidence(row: member_store.StatusResult) -> Evidence | None:
    return evidence_of(
        row.check, row.business_account_id, row.state, row.source, row.observed_at, row.detail
    )


def _profile_stale(member: Member, clock: Clock, max_age: timedelta) -> bool:
    refreshed = member.profile_refreshed_at
    return refreshed is None or clock.now() - refreshed > max_age
