"""Queries behind a business account's page (`/security account`) and the desk's permissions:
finding an account by the platform's id or by name, who someone is to an account, and the
account's history (posture reports, alerts, cases, changes of manager), newest first."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, aliased

from storage.case_models import Case
from storage.models import Alert, AuditRecord, BusinessAccount, Member, Membership, PostureReport

MANAGER_CHANGED = "directory.manager_changed"


def account_target(business_account_id: int) -> str:
    """How audit records name a business account."""
    return f"business_account:{business_account_id}"


class FoundAccount(NamedTuple):
    account_id: int
    platform_account_id: str
    name: str
    platform: str


def _found(statement: Any) -> Any:
    return statement.order_by(BusinessAccount.name, BusinessAccount.platform, BusinessAccount.id)


_COLUMNS = (
    BusinessAccount.id,
    BusinessAccount.platform_account_id,
    BusinessAccount.name,
    BusinessAccount.platform,
)


def accounts_named(session: Session, words: str, limit: int) -> list[FoundAccount]:
    """Accounts whose platform id is `words`, or whose name is `words` in any case."""
    statement = select(*_COLUMNS).where(
        (BusinessAccount.platform_account_id == words)
        | (func.lower(BusinessAccount.name) == words.lower())
    )
    return [FoundAccount._make(row) for row in session.execute(_found(statement).limit(limit))]


def accounts_containing(session: Session, words: str, limit: int) -> list[FoundAccount]:
    """Accounts whose name holds `words` in any case: suggestions when no name is `words`."""
    pattern = (
        "%" + words.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    )
    statement = select(*_COLUMNS).where(func.lower(BusinessAccount.name).like(pattern, escape="\\"))
    return [FoundAccount._make(row) for row in session.execute(_found(statement).limit(limit))]


class Standing(NamedTuple):
    """What one person is to one business account."""

    account_id: int
    manager_slack_id: str | None
    member: bool  # the person works on it


def standings(session: Session, slack_user_id: str, account_ids: list[int]) -> dict[int, Standing]:
    manager = aliased(Member)
    works_on = exists(
        select(Membership.id)
        .join(Member, Member.id == Membership.member_id)
        .where(
            Membership.business_account_id == BusinessAccount.id,
            Member.slack_user_id == slack_user_id,
        )
    )
    rows = session.execute(
        select(BusinessAccount.id, manager.slack_user_id, works_on)
        .outerjoin(manager, manager.id == BusinessAccount.account_manager_id)
        .where(BusinessAccount.id.in_(sorted(set(account_ids))))
    )
    return {row[0]: Standing(row[0], row[1], bool(row[2])) for row in rows}


def standing(session: Session, slack_user_id: str, account_id: int) -> Standing | None:
    """What the person is to one business account; None when there is no such account."""
    return standings(session, slack_user_id, [account_id]).get(account_id)


def manages_member_of(session: Session, manager_slack_id: str, member_id: int) -> bool:
    """Whether the member works on an account `manager_slack_id` manages."""
    manager = aliased(Member)
    found = session.scalar(
        select(Membership.id)
        .join(BusinessAccount, BusinessAccount.id == Membership.business_account_id)
        .join(manager, manager.id == BusinessAccount.account_manager_id)
        .where(Membership.member_id == member_id, manager.slack_user_id == manager_slack_id)
        .limit(1)
    )
    return found is not None


# -- history -------------------------------------------------------------------------------------


class Person(NamedTuple):
    """Someone a record names by email, as the directory knows them (if it does)."""

    email: str | None
    slack_user_id: str | None
    display_name: str | None


class PostureRow(NamedTuple):
    at: datetime
    person: Person | None  # None: a report about every member of the account
    fields: dict[str, Any]


class AlertRow(NamedTuple):
    at: datetime
    kind: str
    status: str
    person: Person


class CaseRow(NamedTuple):
    at: datetime
    number: int
    status: str
    severity: str | None
    opened_via: str
    charges: str


class ManagerRow(NamedTuple):
    at: datetime
    details: dict[str, Any]


def _person(email: str | None, slack_user_id: str | None, name: str | None) -> Person:
    return Person(email, slack_user_id, name)


def posture_reports(session: Session, account_id: int, limit: int) -> list[PostureRow]:
    named = aliased(Member)
    rows = session.execute(
        select(
            PostureReport.reported_at,
            PostureReport.member_email,
            named.slack_user_id,
            named.display_name,
            PostureReport.fields,
        )
        .outerjoin(named, named.email == PostureReport.member_email)
        .where(PostureReport.business_account_id == account_id)
        .order_by(PostureReport.reported_at.desc(), PostureReport.id.desc())
        .limit(limit)
    )
    return [
        PostureRow(at, None if email is None else _person(email, user, name), dict(fields or {}))
        for at, email, user, name, fields in rows
    ]


def alerts(session: Session, account_id: int, limit: int) -> list[AlertRow]:
    named = aliased(Member)
    rows = session.execute(
        select(
            Alert.detected_at,
            Alert.kind,
            Alert.status,
            Alert.member_email,
            named.slack_user_id,
            named.display_name,
        )
        .outerjoin(named, named.email == Alert.member_email)
        .where(Alert.business_account_id == account_id)
        .order_by(Alert.detected_at.desc(), Alert.id.desc())
        .limit(limit)
    )
    return [
        AlertRow(at, kind, status, _person(email, user, name))
        for at, kind, status, email, user, name in rows
    ]


def cases(session: Session, account_id: int, limit: int) -> list[CaseRow]:
    rows = session.execute(
        select(
            Case.opened_at,
            Case.id,
            Case.status,
            Case.severity,
            Case.opened_via,
            Case.unauthorized_charges,
        )
        .where(Case.business_account_id == account_id)
        .order_by(Case.opened_at.desc(), Case.id.desc())
        .limit(limit)
    )
    return [CaseRow._make(row) for row in rows]


def manager_changes(session: Session, account_id: int, limit: int) -> list[ManagerRow]:
    rows = session.execute(
        select(AuditRecord.at, AuditRecord.details)
        .where(
            AuditRecord.target == account_target(account_id),
            AuditRecord.action == MANAGER_CHANGED,
        )
        .order_by(AuditRecord.at.desc(), AuditRecord.id.desc())
        .limit(limit)
    )
    return [ManagerRow(at, dict(details or {})) for at, details in rows]
