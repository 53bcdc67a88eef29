"""Queries about the platform's alerts, the accounts they name and the DMs sent about them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import NamedTuple, TypeVar

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from storage.models import Alert, AlertMessage, BusinessAccount, CheckResult, Member, Membership

# An alert is open until someone acts. A member who says they changed the password makes it
# "waiting" (for the platform to confirm the change); the platform's confirmation closes it.
OPEN, WAITING, CLOSED = "open", "waiting", "closed"
CHUNK = 500  # well under every backend's limit on bound parameters

T = TypeVar("T")


def known_platform_alert_ids(session: Session, platform_alert_ids: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(sorted(set(platform_alert_ids))):
        statement = select(Alert.platform_alert_id).where(Alert.platform_alert_id.in_(chunk))
        found.update(session.scalars(statement))
    return found


def accounts_by_platform_ids(
    session: Session, platform_account_ids: Iterable[str]
) -> dict[str, list[BusinessAccount]]:
    """Business accounts by the platform's account id; one id may exist on several platforms."""
    found: dict[str, list[BusinessAccount]] = defaultdict(list)
    for chunk in _chunks(sorted(set(platform_account_ids))):
        statement = (
            select(BusinessAccount)
            .where(BusinessAccount.platform_account_id.in_(chunk))
            .order_by(BusinessAccount.id)
        )
        for account in session.scalars(statement):
            found[account.platform_account_id].append(account)
    return dict(found)


def people_of_account(session: Session, business_account_id: int) -> list[Member]:
    """The members who work on the account, in a stable order."""
    statement = (
        select(Member)
        .join(Membership, Membership.member_id == Member.id)
        .where(Membership.business_account_id == business_account_id)
        .order_by(Member.id)
    )
    return list(session.scalars(statement))


def open_accounts_of_members(
    session: Session, member_ids: Iterable[int], kind: str, *, status: str = OPEN
) -> dict[int, list[BusinessAccount]]:
    """For each member, their business accounts with an alert of `kind` in `status`."""
    found: dict[int, list[BusinessAccount]] = defaultdict(list)
    for chunk in _chunks(sorted(set(member_ids))):
        open_accounts = select(Alert.business_account_id).where(
            Alert.kind == kind, Alert.status == status
        )
        statement = (
            select(Membership.member_id, BusinessAccount)
            .join(BusinessAccount, BusinessAccount.id == Membership.business_account_id)
            .where(Membership.member_id.in_(chunk), BusinessAccount.id.in_(open_accounts))
            .order_by(BusinessAccount.name, BusinessAccount.id)
        )
        for member_id, account in session.execute(statement):
            found[member_id].append(account)
    return dict(found)


def open_alerts(
    session: Session,
    business_account_id: int,
    kind: str,
    *,
    lock: bool = False,
    statuses: Sequence[str] = (OPEN,),
) -> Sequence[Alert]:
    """The account's alerts of `kind` in `statuses` (open ones by default), oldest first; `lock`
    keeps a parallel closer waiting."""
    statement = (
        select(Alert)
        .where(
            Alert.business_account_id == business_account_id,
            Alert.kind == kind,
            Alert.status.in_(statuses),
        )
        .order_by(Alert.detected_at, Alert.id)
    )
    if lock:
        statement = statement.with_for_update()
    return session.scalars(statement).all()


def alert_by_platform_id(session: Session, platform_alert_id: str) -> Alert | None:
    return session.scalars(
        select(Alert).where(Alert.platform_alert_id == platform_alert_id)
    ).first()


def alert_to_answer(session: Session, alert_key: int) -> Alert | None:
    """The alert, locked until the transaction ends: one answer at a time."""
    return session.get(Alert, alert_key, with_for_update=True)


def was_asked(session: Session, alert_key: int) -> bool:
    """Whether any DM about the alert was sent."""
    statement = select(AlertMessage.id).where(AlertMessage.alert_id == alert_key).limit(1)
    return session.scalars(statement).first() is not None


class AlertOfAccount(NamedTuple):
    alert: Alert
    account: BusinessAccount


def open_alerts_of_member(session: Session, member_id: int, kind: str) -> list[AlertOfAccount]:
    statement = (
        select(Alert, BusinessAccount)
        .join(BusinessAccount, BusinessAccount.id == Alert.business_account_id)
        .join(Membership, Membership.business_account_id == BusinessAccount.id)
        .where(Membership.member_id == member_id, Alert.kind == kind, Alert.status == OPEN)
        .order_by(Alert.detected_at, Alert.id)
    )
    return [AlertOfAccount(row.Alert, row.BusinessAccount) for row in session.execute(statement)]


def close(
    session: Session,
    alert_id: int,
    *,
    at: datetime,
    reason: str,
    by: str,
    seconds_to_remediate: int,
    status: str = CLOSED,
    was: Sequence[str] = (OPEN,),
) -> bool:
    """Move one alert from a status in `was` (open) to `status` (closed); False when a parallel
    request moved it first."""
    statement = (
        update(Alert)
        .where(Alert.id == alert_id, Alert.status.in_(was))
        .values(
            status=status,
            closed_at=at,
            closed_reason=reason,
            closed_by=by,
            seconds_to_remediate=seconds_to_remediate,
        )
        .execution_options(synchronize_session=False)
    )
    closed: int = session.execute(statement).rowcount  # type: ignore[attr-defined]
    return closed == 1


def forget_check_results(
    session: Session,
    member_ids: Iterable[int],
    *,
    check: str,
    business_account_id: int | None,
    source: str,
) -> None:
    """Drop the members' latest evidence from `source` for one check (per account, or member-wide
    when `business_account_id` is None), so evidence from another source is what shows."""
    where_account = (
        CheckResult.business_account_id.is_(None)
        if business_account_id is None
        else CheckResult.business_account_id == business_account_id
    )
    for chunk in _chunks(sorted(set(member_ids))):
        session.execute(
            delete(CheckResult)
            .where(
                CheckResult.member_id.in_(chunk),
                CheckResult.check == check,
                CheckResult.source == source,
                where_account,
            )
            .execution_options(synchronize_session=False)
        )


def messages_of(session: Session, alert_ids: Iterable[int]) -> dict[int, list[AlertMessage]]:
    found: dict[int, list[AlertMessage]] = defaultdict(list)
    for chunk in _chunks(sorted(set(alert_ids))):
        statement = (
            select(AlertMessage).where(AlertMessage.alert_id.in_(chunk)).order_by(AlertMessage.id)
        )
        for message in session.scalars(statement):
            found[message.alert_id].append(message)
    return dict(found)


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
