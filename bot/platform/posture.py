"""The platform's posture reports: accepted once by id, stored, and turned into platform evidence
that outranks what members said (bot/checklist/model.py explains where the two disagree).

Each evidence field is kept per business account, member and check, dated by the report's
`reported_at`, so a report that arrives late never overwrites a newer one: its older fields are
recorded as superseded. A `password_changed_at` after an open compromised-password alert's
detection closes the alert as rotated (bot/platform/compromised.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.checklist.model import Check, Source, State
from bot.core import audit
from bot.core.clock import Clock
from bot.core.i18n import N_
from bot.platform.alerts import AMBIGUOUS_ACCOUNT, UNKNOWN_ACCOUNT
from bot.platform.compromised import PLATFORM, ClosedAlert, close_changed_password
from bot.platform.posture_document import PostureDocument, PostureInvalid, parse_posture
from bot.platform.signature import WINDOW
from storage import alerts as alert_store
from storage import members as member_store
from storage import posture as posture_store
from storage.database import Database
from storage.models import BusinessAccount, Member, PostureReport

NOT_A_MEMBER = "member_email is not a member of that account"
# The report's fields that are checks, each kept per account and member.
CHECKS: dict[str, Check] = {
    "two_step": Check.TWO_STEP,
    "recovery_email_set": Check.RECOVERY_EMAIL,
    "recovery_phone_set": Check.RECOVERY_PHONE,
}
# Kept as catalogue texts: the checklist reads them in each member's language (notes.read_note).
NOTES: dict[Check, tuple[str, str]] = {
    Check.RECOVERY_EMAIL: (
        N_("A recovery email is set on the platform."),
        N_("No recovery email set."),
    ),
    Check.RECOVERY_PHONE: (
        N_("A recovery phone is set on the platform."),
        N_("No recovery phone set."),
    ),
}


class PostureOutcome(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"


class PostureRefused(PostureInvalid):
    """The report names no business account of the directory, or a stranger to it: audited."""


@dataclass(frozen=True)
class Applied:
    """What one report changed: field names that became evidence, and those older than what was
    stored (for at least one member), the members whose checklist changed, the alerts closed."""

    fields: tuple[str, ...] = ()
    superseded: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    closed: tuple[ClosedAlert, ...] = ()


@dataclass(frozen=True)
class PostureReceipt:
    outcome: PostureOutcome
    platform_report_id: str
    applied: Applied = Applied()


class PostureService:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._database = database
        self._clock = clock

    def receive(self, raw: bytes | str, *, via: str = "api") -> PostureReceipt:
        """Apply one report once; raise PostureInvalid (or PostureRefused, audited) otherwise."""
        now = self._clock.now()
        document = checked(parse_posture(raw), now)
        refused: str | None = None
        try:
            with self._database.sessions.begin() as session:
                if posture_store.known_report_ids(session, [document.id]):
                    return PostureReceipt(PostureOutcome.DUPLICATE, document.id)
                subject = resolve(session, document)
                if isinstance(subject, str):
                    refused = subject
                    audit_refused(session, now, document, refused, via=via)
                else:
                    account, people = subject
                    applied = apply_report(session, document, account, people, now, via=via)
        except IntegrityError:  # a parallel delivery of the same id stored it first
            return PostureReceipt(PostureOutcome.DUPLICATE, document.id)
        if refused is not None:
            raise PostureRefused(refused)
        return PostureReceipt(PostureOutcome.ACCEPTED, document.id, applied)


def checked(document: PostureDocument, now: datetime) -> PostureDocument:
    """The report, unless it is dated later than the signature window allows."""
    if document.reported_at > now + WINDOW:
        raise PostureInvalid("reported_at is in the future")
    if document.password_changed_at is not None and document.password_changed_at > now + WINDOW:
        raise PostureInvalid("password_changed_at is in the future")
    return document


def resolve(
    session: Session,
    document: PostureDocument,
    accounts: dict[str, list[BusinessAccount]] | None = None,
) -> tuple[BusinessAccount, list[Member]] | str:
    """The account and the members the report is about, or why it cannot be placed."""
    if accounts is None:
        accounts = alert_store.accounts_by_platform_ids(session, [document.account_id])
    found = accounts.get(document.account_id, [])
    if len(found) != 1:
        return UNKNOWN_ACCOUNT if not found else AMBIGUOUS_ACCOUNT
    account = found[0]
    if document.member_email is None:
        return account, alert_store.people_of_account(session, account.id)
    person = posture_store.member_of_account(session, account.id, document.member_email)
    return NOT_A_MEMBER if person is None else (account, [person])


def apply_report(
    session: Session,
    document: PostureDocument,
    account: BusinessAccount,
    people: Sequence[Member],
    now: datetime,
    *,
    via: str,
) -> Applied:
    """Store the report and its evidence. Raises IntegrityError when the id is already stored."""
    stored = posture_store.platform_evidence_times(
        session, [person.id for person in people], account.id
    )
    fields: set[str] = set()
    superseded: set[str] = set()
    changed: set[str] = set()
    for name, check in CHECKS.items():
        value: bool | None = getattr(document, name)
        if value is None:
            continue
        for person in people:
            newer = stored.get((person.id, check.value))
            if newer is not None and newer > document.reported_at:
                superseded.add(name)
                continue
            member_store.save_check_result(
                session,
                member_id=person.id,
                check=check,
                business_account_id=account.id,
                source=Source.PLATFORM,
                state=State.PASSING if value else State.NEEDS_ACTION,
                observed_at=document.reported_at,
                detail=_detail(document, check, value),
            )
            fields.add(name)
            if person.slack_user_id:
                changed.add(person.slack_user_id)
    closed: list[ClosedAlert] = []
    if document.password_changed_at is not None:
        closed = close_changed_password(
            session, account, document.member_email, document.password_changed_at, now
        )
        if closed:
            fields.add("password_changed_at")
    summary = {"fields": sorted(fields), "superseded": sorted(superseded)}
    session.add(
        PostureReport(
            platform_report_id=document.id,
            business_account_id=account.id,
            member_email=document.member_email,
            fields=document.evidence(),
            applied=summary,
            reported_at=document.reported_at,
            received_at=now,
            received_via=via,
        )
    )
    session.flush()  # a parallel delivery of the same id fails here, on the unique id
    target = f"business_account:{account.id}"
    _audit(session, now, "posture.received", target, document, via, members=len(people), **summary)
    return Applied(
        fields=tuple(sorted(fields)),
        superseded=tuple(sorted(superseded)),
        members=tuple(sorted(changed)),
        closed=tuple(closed),
    )


def audit_refused(
    session: Session, now: datetime, document: PostureDocument, reason: str, *, via: str
) -> None:
    target = f"platform_account:{document.account_id}"
    _audit(session, now, "posture.refused", target, document, via, reason=reason)


def _audit(
    session: Session,
    now: datetime,
    action: str,
    target: str,
    document: PostureDocument,
    via: str,
    **details: Any,
) -> None:
    """The platform's records about a report: which report, and how it came (API or import)."""
    audit.Trail(session, now, PLATFORM, target).record(
        action, report=document.id, via=via, **details
    )


def _detail(document: PostureDocument, check: Check, value: bool) -> dict[str, Any]:
    detail: dict[str, Any] = {"report": document.id}
    if check is Check.TWO_STEP:
        if value and document.two_step_method:
            detail["method"] = document.two_step_method
    else:
        detail["note"] = NOTES[check][0 if value else 1]
    return detail
