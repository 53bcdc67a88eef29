"""Queries about compromise cases: the case, who may see it, its timeline, charges and reminders."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import delete, exists, func, or_, select, union
from sqlalchemy.orm import Session, aliased

from storage.case_models import Case, CaseCharge, CaseEvent, CaseReminder, CaseReport
from storage.database import upsert_into
from storage.members import AccountWithManager
from storage.models import Alert, AlertMessage, BusinessAccount, Member, Membership

OPEN_STATUSES = ("reported", "suspended", "investigating")


def case(session: Session, number: int, *, lock: bool = False) -> Case | None:
    """`lock` keeps a parallel change to the same case waiting until this transaction ends."""
    statement = select(Case).where(Case.id == number)
    if lock:
        statement = statement.with_for_update()
    return session.scalars(statement).first()


def open_case_of_account(session: Session, business_account_id: int) -> Case | None:
    return session.scalars(select(Case).where(Case.open_account_id == business_account_id)).first()


def case_by_card(session: Session, channel_id: str, card_ts: str) -> Case | None:
    """The case whose card (the thread's parent message) is `card_ts` in `channel_id`."""
    statement = select(Case).where(Case.channel_id == channel_id, Case.card_ts == card_ts)
    return session.scalars(statement).first()


def account_and_manager(session: Session, business_account_id: int) -> AccountWithManager | None:
    manager = aliased(Member)
    row = session.execute(
        select(BusinessAccount, manager.slack_user_id)
        .outerjoin(manager, manager.id == BusinessAccount.account_manager_id)
        .where(BusinessAccount.id == business_account_id)
    ).first()
    return None if row is None else AccountWithManager(row.BusinessAccount, row.slack_user_id)


def owners(session: Session, business_account_id: int) -> list[str]:
    """The Slack ids of the account's members: the client, told about their case."""
    statement = (
        select(Member.slack_user_id)
        .join(Membership, Membership.member_id == Member.id)
        .where(
            Membership.business_account_id == business_account_id,
            Member.slack_user_id.is_not(None),
        )
        .order_by(Member.id)
    )
    return [user for user in session.scalars(statement) if user]


def reporters(session: Session, case_id: int) -> list[str]:
    """Who reported, first reporter first, each once (Slack ids, or `platform`)."""
    statement = (
        select(CaseReport.reporter, func.min(CaseReport.id).label("first"))
        .where(CaseReport.case_id == case_id)
        .group_by(CaseReport.reporter)
        .order_by("first")
    )
    return [reporter for reporter, _ in session.execute(statement)]


def is_reporter(session: Session, case_id: int, slack_user_id: str) -> bool:
    found = session.scalar(
        select(exists().where(CaseReport.case_id == case_id, CaseReport.reporter == slack_user_id))
    )
    return bool(found)


def report_of_alert(session: Session, platform_alert_id: str) -> CaseReport | None:
    statement = select(CaseReport).where(CaseReport.platform_alert_id == platform_alert_id)
    return session.scalars(statement).first()


def charge_sums(session: Session, case_id: int) -> list[tuple[str, str, int]]:
    """(currency, status, total in minor units) of the case's charges."""
    statement = (
        select(CaseCharge.currency, CaseCharge.status, func.sum(CaseCharge.amount_minor))
        .where(CaseCharge.case_id == case_id)
        .group_by(CaseCharge.currency, CaseCharge.status)
        .order_by(CaseCharge.currency)
    )
    return [
        (currency, status, int(total or 0))
        for currency, status, total in session.execute(statement)
    ]


def charges(session: Session, case_id: int) -> Sequence[CaseCharge]:
    statement = select(CaseCharge).where(CaseCharge.case_id == case_id).order_by(CaseCharge.id)
    return session.scalars(statement).all()


def charge(session: Session, charge_id: int, *, lock: bool = False) -> CaseCharge | None:
    statement = select(CaseCharge).where(CaseCharge.id == charge_id)
    if lock:
        statement = statement.with_for_update()
    return session.scalars(statement).first()


def timeline(session: Session, case_id: int, limit: int) -> list[CaseEvent]:
    """The latest `limit` entries, oldest first."""
    statement = (
        select(CaseEvent)
        .where(CaseEvent.case_id == case_id)
        .order_by(CaseEvent.id.desc())
        .limit(limit)
    )
    return list(reversed(session.scalars(statement).all()))


def latest_event(session: Session, case_id: int, kinds: Iterable[str]) -> CaseEvent | None:
    """The case's newest timeline entry of one of `kinds`."""
    statement = (
        select(CaseEvent)
        .where(CaseEvent.case_id == case_id, CaseEvent.kind.in_(list(kinds)))
        .order_by(CaseEvent.id.desc())
        .limit(1)
    )
    return session.scalars(statement).first()


def event_by_key(session: Session, case_id: int, source_key: str) -> CaseEvent | None:
    statement = select(CaseEvent).where(
        CaseEvent.case_id == case_id, CaseEvent.source_key == source_key
    )
    return session.scalars(statement).first()


class CaseOfAccount(NamedTuple):
    case: Case
    account: BusinessAccount


def open_cases_seen_by(
    session: Session, slack_user_id: str, *, everything: bool, limit: int, unmanaged: bool = False
) -> tuple[list[CaseOfAccount], int]:
    """Open cases, newest first, that a security admin (`everything`) or, otherwise, their
    handler, a reporter or the account's manager may see (and, for the support team,
    `unmanaged`, every unmanaged client's); and how many there are in all."""
    is_open = Case.status.in_(OPEN_STATUSES)
    if everything:
        ids = select(Case.id).where(is_open).subquery()
    else:
        manager = aliased(Member)
        support = select(Case.id).where(Case.managed.is_(False), is_open)
        ids = union(
            *([support] if unmanaged else []),
            select(Case.id).where(Case.handler == slack_user_id, is_open),
            select(CaseReport.case_id)
            .join(Case, Case.id == CaseReport.case_id)
            .where(CaseReport.reporter == slack_user_id, is_open),
            select(Case.id)
            .join(BusinessAccount, BusinessAccount.id == Case.business_account_id)
            .join(manager, manager.id == BusinessAccount.account_manager_id)
            .where(manager.slack_user_id == slack_user_id, is_open),
        ).subquery()
    total = session.scalar(select(func.count()).select_from(ids)) or 0
    rows = session.execute(
        select(Case, BusinessAccount)
        .join(BusinessAccount, BusinessAccount.id == Case.business_account_id)
        .where(Case.id.in_(select(ids.c[0])))
        .order_by(Case.id.desc())
        .limit(limit)
    )
    return [CaseOfAccount(row.Case, row.BusinessAccount) for row in rows], int(total)


def cases_needing_reminders(
    session: Session, *, untaken_before: datetime, quiet_before: datetime
) -> Sequence[Case]:
    """Open cases nobody took since `untaken_before`, or without an update since `quiet_before`."""
    statement = (
        select(Case)
        .where(
            Case.status.in_(OPEN_STATUSES),
            or_(
                (Case.handler.is_(None)) & (Case.opened_at <= untaken_before),
                Case.last_update_at <= quiet_before,
            ),
        )
        .order_by(Case.id)
    )
    return session.scalars(statement).all()


def claim_reminder(session: Session, case_id: int, kind: str, period: str, at: datetime) -> bool:
    """Insert the reminder's row; False when it exists (another process sent it, or will)."""
    created = session.execute(
        upsert_into(session, CaseReminder)
        .values(case_id=case_id, kind=kind, period=period, sent_at=at)
        .on_conflict_do_nothing(index_elements=["case_id", "kind", "period"])
        .returning(CaseReminder.id)
    ).first()
    return created is not None


def release_reminder(session: Session, case_id: int, kind: str, period: str) -> None:
    session.execute(
        delete(CaseReminder).where(
            CaseReminder.case_id == case_id,
            CaseReminder.kind == kind,
            CaseReminder.period == period,
        )
    )


def alerts_without_follow_up(
    session: Session, *, received_before: datetime, received_after: datetime
) -> list[Alert]:
    """Open takeover alerts no case report came from, and open suspicious-login alerts nobody
    was asked about, received in the window: what a lost follow-up (a process stopped after the
    API answered) or `alerts import` left. Older ones are not retried for ever."""
    reported = select(CaseReport.id).where(CaseReport.platform_alert_id == Alert.platform_alert_id)
    asked = select(AlertMessage.id).where(AlertMessage.alert_id == Alert.id)
    statement = (
        select(Alert)
        .where(
            Alert.status == "open",
            Alert.received_at <= received_before,
            Alert.received_at >= received_after,
            or_(
                (Alert.kind == "account_takeover") & ~exists(reported),
                (Alert.kind == "suspicious_login") & ~exists(asked),
            ),
        )
        .order_by(Alert.id)
        .limit(100)
    )
    return list(session.scalars(statement))


class CaseClock(NamedTuple):
    severity: str | None
    opened_via: str
    unauthorized_charges: str
    opened_at: datetime
    taken_at: datetime | None
    resolved_at: datetime | None
    open: bool


def case_clocks(session: Session, since: datetime) -> list[CaseClock]:
    """Every open case, and every case opened since `since`: what the case figures count."""
    statement = select(
        Case.severity,
        Case.opened_via,
        Case.unauthorized_charges,
        Case.opened_at,
        Case.taken_at,
        Case.resolved_at,
        Case.status.in_(OPEN_STATUSES),
    ).where(or_(Case.status.in_(OPEN_STATUSES), Case.opened_at >= since))
    return [CaseClock(*row) for row in session.execute(statement)]
