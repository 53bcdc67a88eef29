"""Queries about the platform's posture reports and the members and evidence they concern."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import CheckResult, Member, Membership, PostureReport

CHUNK = 500  # well under every backend's limit on bound parameters


def _chunks(items: Sequence[str] | Sequence[int]) -> Iterator[Sequence[str] | Sequence[int]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def known_report_ids(session: Session, platform_report_ids: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(sorted(set(platform_report_ids))):
        statement = select(PostureReport.platform_report_id).where(
            PostureReport.platform_report_id.in_(chunk)
        )
        found.update(session.scalars(statement))
    return found


def member_of_account(session: Session, business_account_id: int, email: str) -> Member | None:
    """The member with this email, if they work on the account."""
    return session.scalars(
        select(Member)
        .join(Membership, Membership.member_id == Member.id)
        .where(Membership.business_account_id == business_account_id, Member.email == email)
    ).first()


def platform_evidence_times(
    session: Session, member_ids: Iterable[int], business_account_id: int
) -> dict[tuple[int, str], datetime]:
    """When the platform's stored evidence about each (member, check) on the account was observed."""
    found: dict[tuple[int, str], datetime] = {}
    for chunk in _chunks(sorted(set(member_ids))):
        statement = select(CheckResult.member_id, CheckResult.check, CheckResult.observed_at).where(
            CheckResult.member_id.in_(chunk),
            CheckResult.business_account_id == business_account_id,
            CheckResult.source == "platform",
        )
        for member_id, check, observed_at in session.execute(statement):
            found[(member_id, check)] = observed_at
    return found
