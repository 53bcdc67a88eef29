"""Bulk queries for the account directory import: a few chunked statements, never one per row."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from storage.models import BusinessAccount, Member, Membership

# Well under every backend's limit on bound parameters (SQLite's is 32,766, once 999).
CHUNK = 500

T = TypeVar("T")


def members_by_emails(session: Session, emails: Iterable[str]) -> dict[str, Member]:
    """Members keyed by lower-cased email; emails are compared lower-cased."""
    found: dict[str, Member] = {}
    for chunk in _chunks(sorted({email.lower() for email in emails})):
        statement = select(Member).where(func.lower(Member.email).in_(chunk))
        for member in session.scalars(statement):
            if member.email is not None:
                found[member.email.lower()] = member
    return found


def members_by_slack_ids(session: Session, slack_user_ids: Iterable[str]) -> dict[str, Member]:
    found: dict[str, Member] = {}
    for chunk in _chunks(sorted(set(slack_user_ids))):
        for member in session.scalars(select(Member).where(Member.slack_user_id.in_(chunk))):
            if member.slack_user_id is not None:
                found[member.slack_user_id] = member
    return found


def accounts_by_keys(
    session: Session, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], BusinessAccount]:
    """Business accounts keyed by (platform, platform_account_id); one query per platform chunk."""
    ids_by_platform: dict[str, set[str]] = defaultdict(set)
    for platform, platform_account_id in keys:
        ids_by_platform[platform].add(platform_account_id)
    found: dict[tuple[str, str], BusinessAccount] = {}
    for platform, ids in sorted(ids_by_platform.items()):
        for chunk in _chunks(sorted(ids)):
            statement = select(BusinessAccount).where(
                BusinessAccount.platform == platform,
                BusinessAccount.platform_account_id.in_(chunk),
            )
            for account in session.scalars(statement):
                found[(account.platform, account.platform_account_id)] = account
    return found


def memberships_of_accounts(session: Session, account_ids: Iterable[int]) -> list[Membership]:
    found: list[Membership] = []
    for chunk in _chunks(sorted(set(account_ids))):
        statement = select(Membership).where(Membership.business_account_id.in_(chunk))
        found.extend(session.scalars(statement))
    return found


def delete_memberships(session: Session, membership_ids: Iterable[int]) -> None:
    for chunk in _chunks(sorted(set(membership_ids))):
        session.execute(
            delete(Membership).where(Membership.id.in_(chunk)),
            execution_options={"synchronize_session": False},
        )


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
