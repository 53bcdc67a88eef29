"""Queries about members, their business accounts and their check results."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Engine,
    Integer,
    bindparam,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from storage import nudges as nudge_store
from storage.campaign_models import Campaign
from storage.exemption_models import Exemption
from storage.models import BusinessAccount, CheckResult, Member, Membership
from storage.prepared import PreparedReads, on_cursor
from storage.scope import workspace_id


def member_by_slack_id(session: Session, slack_user_id: str) -> Member | None:
    return session.scalars(select(Member).where(Member.slack_user_id == slack_user_id)).first()


def member_by_id(session: Session, member_id: int) -> Member | None:
    return session.get(Member, member_id)


def business_account(session: Session, business_account_id: int) -> BusinessAccount | None:
    return session.get(BusinessAccount, business_account_id)


def member_by_email(session: Session, email: str) -> Member | None:
    return session.scalars(select(Member).where(Member.email == email)).first()


def members_by_emails(session: Session, emails: Iterable[str]) -> dict[str, Member]:
    wanted = sorted(set(emails))
    found: dict[str, Member] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for member in session.scalars(select(Member).where(Member.email.in_(chunk))):
            if member.email is not None:
                found[member.email] = member
    return found


class AccountWithManager(NamedTuple):
    account: BusinessAccount
    manager_slack_id: str | None


def accounts_of_member(session: Session, member_id: int) -> list[AccountWithManager]:
    """Each business account of the member with its account manager's Slack id, in one query."""
    manager = aliased(Member)
    rows = session.execute(
        select(BusinessAccount, manager.slack_user_id)
        .join(Membership, Membership.business_account_id == BusinessAccount.id)
        .outerjoin(manager, manager.id == BusinessAccount.account_manager_id)
        .where(Membership.member_id == member_id)
        .order_by(BusinessAccount.name, BusinessAccount.id)
    )
    return [AccountWithManager(row.BusinessAccount, row.slack_user_id) for row in rows]


def is_member_of(session: Session, member_id: int, business_account_id: int) -> bool:
    found = session.scalar(
        select(Membership.id).where(
            Membership.member_id == member_id,
            Membership.business_account_id == business_account_id,
        )
    )
    return found is not None


def save_check_result(
    session: Session,
    *,
    member_id: int,
    check: str,
    business_account_id: int | None,
    source: str,
    state: str,
    observed_at: datetime,
    detail: dict[str, Any],
) -> CheckResult:
    """Insert or replace the latest evidence from this source."""
    result = session.scalars(
        select(CheckResult).where(
            CheckResult.member_id == member_id,
            CheckResult.check == check,
            CheckResult.source == source,
            CheckResult.business_account_id.is_(None)
            if business_account_id is None
            else CheckResult.business_account_id == business_account_id,
        )
    ).first()
    if result is None:
        result = CheckResult(
            member_id=member_id,
            check=check,
            business_account_id=business_account_id,
            source=source,
        )
        session.add(result)
    result.state = state
    result.observed_at = observed_at
    result.detail = detail
    session.flush()
    if state == "passing":
        # In the same transaction: the nudges close the gap soon after, or not at all.
        nudge_store.request_recheck(session, member_id)
    return result


# The `/security status` read path: one statement built once, keyed by the Slack user id, run on
# the driver's cursor (storage/prepared.py), so it names the workspace itself (storage/scope.py). It is the hottest path of the bot: SQLAlchemy's
# per-call work would cost more than the query, and each extra round trip to a database server
# waits for a core of its own under load. The member with each business account, and each check
# result, come back as rows of one UNION ALL, told apart by `kind`; each kind leaves the other's
# columns empty.
_MANAGER = aliased(Member)
_MEMBER_ROW, _RESULT_ROW, _EXEMPTION_ROW, _CAMPAIGN_ROW = 0, 1, 2, 3
_ACCOUNT_COLUMNS = (
    BusinessAccount.id.label("account_id"),
    BusinessAccount.platform_account_id,
    BusinessAccount.name.label("account_name"),
    BusinessAccount.platform,
    BusinessAccount.managed,
    _MANAGER.slack_user_id.label("manager_slack_id"),
)
_RESULT_COLUMNS = (
    CheckResult.check,
    CheckResult.business_account_id,
    CheckResult.state,
    CheckResult.source,
    CheckResult.observed_at,
    CheckResult.detail,
)


def _empty(column: Any) -> ColumnElement[Any]:  # a mapped attribute or a labelled column
    """NULL in place of `column`, typed as it, so its value converts alike in either kind of row."""
    return literal_column("NULL", type_=column.type)


_MEMBER_AND_ACCOUNTS = (
    select(
        literal_column(str(_MEMBER_ROW), Integer).label("kind"),
        Member.id,
        Member.display_name,
        Member.profile_refreshed_at,
        Member.locale,
        Member.language,
        *_ACCOUNT_COLUMNS,
        *map(_empty, _RESULT_COLUMNS),
    )
    .select_from(Member)
    .outerjoin(Membership, Membership.member_id == Member.id)
    .outerjoin(BusinessAccount, BusinessAccount.id == Membership.business_account_id)
    .outerjoin(_MANAGER, _MANAGER.id == BusinessAccount.account_manager_id)
    .where(
        Member.workspace_id == bindparam("workspace_id"),
        Member.slack_user_id == bindparam("slack_user_id"),
    )
)
_CHECK_RESULTS_OF_MEMBER = (
    select(
        literal_column(str(_RESULT_ROW), Integer),
        Member.id,
        _empty(Member.display_name),
        _empty(Member.profile_refreshed_at),
        _empty(Member.locale),
        _empty(Member.language),
        *map(_empty, _ACCOUNT_COLUMNS),
        *_RESULT_COLUMNS,
    )
    .join(Member, Member.id == CheckResult.member_id)
    .where(
        Member.workspace_id == bindparam("workspace_id"),
        Member.slack_user_id == bindparam("slack_user_id"),
    )
)
# Approved exemptions in the result columns: check, account, status, who approved, until.
_EXEMPTIONS_OF_MEMBER = (
    select(
        literal_column(str(_EXEMPTION_ROW), Integer),
        Member.id,
        _empty(Member.display_name),
        _empty(Member.profile_refreshed_at),
        _empty(Member.locale),
        _empty(Member.language),
        *map(_empty, _ACCOUNT_COLUMNS),
        Exemption.check,
        Exemption.business_account_id,
        Exemption.status,
        Exemption.decided_by,
        Exemption.ends_at,
        _empty(CheckResult.detail),
    )
    .join(Member, Member.id == Exemption.member_id)
    .where(
        Member.workspace_id == bindparam("workspace_id"),
        Member.slack_user_id == bindparam("slack_user_id"),
        Exemption.status == literal_column("'approved'"),
    )
)
# The workspace's running campaigns (a few rows), with the member's time zone for the countdown;
# each in columns of its type: title, end of the last day, time zone, check, id, scope, scope's
# value (the manager's Slack id or the platform), and the zone the last day ends in.
_CAMPAIGNS_RUNNING = (
    select(
        literal_column(str(_CAMPAIGN_ROW), Integer),
        Member.id,
        Campaign.title,
        Campaign.due_at,
        Member.time_zone,
        Campaign.check,
        Campaign.id,
        Campaign.scope,
        _empty(BusinessAccount.name),
        Campaign.scope_value,
        _empty(BusinessAccount.managed),
        _empty(_MANAGER.slack_user_id),
        Campaign.time_zone,
        *map(_empty, _RESULT_COLUMNS[1:]),
    )
    .select_from(Campaign)
    .join(Member, Member.workspace_id == Campaign.workspace_id)
    .where(
        Campaign.workspace_id == bindparam("workspace_id"),
        Member.slack_user_id == bindparam("slack_user_id"),
        Campaign.status == literal_column("'running'"),
    )
)
_STATUS: CompoundSelect[*tuple[Any, ...]] = union_all(
    _MEMBER_AND_ACCOUNTS, _CHECK_RESULTS_OF_MEMBER, _EXEMPTIONS_OF_MEMBER, _CAMPAIGNS_RUNNING
).order_by(literal_column("kind"), literal_column("account_name"), literal_column("account_id"))
_READ_STATUS = PreparedReads(_STATUS)
_MEMBER_COLUMNS = 6  # kind, id, display name, profile refreshed, locale, language
_ACCOUNTS = slice(_MEMBER_COLUMNS, _MEMBER_COLUMNS + len(_ACCOUNT_COLUMNS))
_RESULTS = slice(_MEMBER_COLUMNS + len(_ACCOUNT_COLUMNS), None)


class StatusAccount(NamedTuple):
    """A business account of the member, with its account manager's Slack id; the fields are
    the labels of _ACCOUNT_COLUMNS, in their order (tests/storage/test_prepared.py)."""

    account_id: int
    platform_account_id: str
    account_name: str
    platform: str
    managed: bool
    manager_slack_id: str | None


class StatusResult(NamedTuple):
    """A check result of the member; the fields are the names of _RESULT_COLUMNS, in order."""

    check: str
    business_account_id: int | None
    state: str
    source: str
    observed_at: datetime
    detail: dict[str, Any]


class StatusExemption(NamedTuple):
    """An approved exemption of the member (in force or ended: the reader tells)."""

    check: str
    business_account_id: int
    approved_by: str
    until: datetime


class StatusCampaign(NamedTuple):
    """A running campaign of the workspace, with the member's time zone (the same on each)."""

    id: int
    check: str
    title: str
    scope: str
    scope_value: str | None
    due_at: datetime
    time_zone: str  # the campaign's: its last day ends at `due_at` there
    member_time_zone: str | None


@dataclass(frozen=True)
class StatusRows:
    member_id: int
    display_name: str | None
    profile_refreshed_at: datetime | None
    locale: str | None
    language: str | None
    accounts: Sequence[StatusAccount]
    check_results: Sequence[StatusResult]
    exemptions: Sequence[StatusExemption] = ()
    campaigns: Sequence[StatusCampaign] = ()


def status_rows(engine: Engine, slack_user_id: str) -> StatusRows | None:
    """Everything a checklist needs, in one statement (so one snapshot), or None for a member
    never seen."""
    rows = on_cursor(
        engine,
        lambda cursor: _READ_STATUS.for_engine(engine).rows(
            cursor, {"workspace_id": workspace_id(), "slack_user_id": slack_user_id}
        ),
    )
    if not rows:
        return None
    _, member_id, display_name, refreshed_at, locale, language = rows[0][:_MEMBER_COLUMNS]
    # A member without business accounts still has their one row, its account columns empty.
    accounts = [
        StatusAccount._make(row[_ACCOUNTS])
        for row in rows
        if row[0] == _MEMBER_ROW and row[_MEMBER_COLUMNS] is not None
    ]
    results = [StatusResult._make(row[_RESULTS]) for row in rows if row[0] == _RESULT_ROW]
    exemptions = [
        StatusExemption(check, account_id, approved_by, until)
        for check, account_id, _status, approved_by, until, _detail in (
            row[_RESULTS] for row in rows if row[0] == _EXEMPTION_ROW
        )
    ]
    campaigns = [
        StatusCampaign(
            row[6], row[5], row[2] or "", row[7], row[9], row[3], row[12] or "UTC", row[4]
        )
        for row in rows
        if row[0] == _CAMPAIGN_ROW
    ]
    return StatusRows(
        member_id,
        display_name,
        refreshed_at,
        locale,
        language,
        accounts,
        results,
        exemptions,
        campaigns,
    )


def language_of(session: Session, slack_user_id: str) -> tuple[str | None, str | None]:
    """The member's Slack locale and own language choice; (None, None) for someone unknown."""
    row = session.execute(
        select(Member.locale, Member.language).where(Member.slack_user_id == slack_user_id)
    ).first()
    return (None, None) if row is None else (row.locale, row.language)


def choose_language(
    session: Session, slack_user_id: str, language: str | None, at: datetime
) -> str | None:
    """Keep the member's choice (None: by their locale), the member made on first contact; their
    Slack locale."""
    member = member_by_slack_id(session, slack_user_id)
    if member is None:
        member = Member(slack_user_id=slack_user_id, created_at=at)
        session.add(member)
    member.language = language
    session.flush()
    return member.locale
