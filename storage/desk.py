"""What the account manager's desk reads: the business accounts in view (every account a manager
manages, or one account), each with its open case (if any) and its open alerts; then the
memberships, evidence and approved exemptions of everyone who works on them. Two statements
whatever the number of accounts, the second only when there is an account to read about.

The reads run on the driver's cursor (storage/prepared.py), as the `/security status` read does,
so they name the workspace themselves (storage/scope.py). The people's three kinds of rows come
back as one UNION ALL, told apart by `kind`; each kind fills its own columns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    CompoundSelect,
    Engine,
    Integer,
    Select,
    String,
    bindparam,
    case,
    func,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from storage.case_models import Case
from storage.exemption_models import Exemption
from storage.models import Alert, BusinessAccount, CheckResult, Member, Membership
from storage.prepared import PreparedReads, on_cursor
from storage.scope import workspace_id
from storage.types import UTCDateTime

MEMBERSHIP, EVIDENCE, EXEMPTION = 1, 2, 3
OPEN_ALERT = "open"
# The member's link to the bot is not about a business account: the desk never reads it.
NOT_READ = "authenticator"
PER_ACCOUNT_ONLY = "no_compromised_password"
# The one check whose state compares the times of two sources (bot/checklist/states.py).
TIMED = "two_step"


class DeskAccount(NamedTuple):
    """A business account in view, with its open case (if any) and its open alerts."""

    account_id: int
    platform_account_id: str
    name: str
    platform: str
    managed: bool
    case_number: int | None
    case_status: str | None
    case_severity: str | None  # None: derived from how it opened (bot/cases/severity.of)
    case_opened_via: str | None
    case_charges: str | None
    open_alerts: int


class DeskMembership(NamedTuple):
    """A member working on a business account: any account of theirs, not only those in view,
    as their checklist counts them all."""

    member_id: int
    account_id: int
    slack_user_id: str | None
    display_name: str | None
    team_id: str | None


class DeskEvidence(NamedTuple):
    member_id: int
    check: str
    business_account_id: int | None
    state: str
    source: str
    observed_at: datetime | None  # only where a state depends on it (TIMED)


class DeskExemption(NamedTuple):
    """An approved exemption (in force or ended: the reader tells by `until`)."""

    member_id: int
    check: str
    business_account_id: int
    until: datetime
    approved_by: str


@dataclass(frozen=True)
class DeskRows:
    accounts: Sequence[DeskAccount]
    memberships: Sequence[DeskMembership]
    evidence: Sequence[DeskEvidence]
    exemptions: Sequence[DeskExemption]


def _empty(type_: Any) -> Any:
    return literal_column("NULL", type_=type_)


def _literal(value: str) -> Any:
    """A constant inside the statement: a prepared read binds only the values it is given."""
    return literal_column(f"'{value}'")


def _accounts(in_view: Any) -> Select[*tuple[Any, ...]]:
    open_alerts = (
        select(func.count(Alert.id))
        .where(
            Alert.business_account_id == BusinessAccount.id, Alert.status == _literal(OPEN_ALERT)
        )
        .scalar_subquery()
    )
    return (
        select(
            BusinessAccount.id,
            BusinessAccount.platform_account_id,
            BusinessAccount.name,
            BusinessAccount.platform,
            BusinessAccount.managed,
            Case.id,
            Case.status,
            Case.severity,
            Case.opened_via,
            Case.unauthorized_charges,
            open_alerts,
        )
        .select_from(BusinessAccount)
        .outerjoin(Case, Case.open_account_id == BusinessAccount.id)
        .where(BusinessAccount.id.in_(in_view))
        .order_by(BusinessAccount.id)
    )


_TEXT, _MOMENT = String(), UTCDateTime()


def _people(in_view: Any) -> CompoundSelect[Any]:
    """Memberships, evidence and exemptions of everyone working on the accounts `in_view`, as
    rows of (kind, member, account, a, b, c, at)."""
    people = (
        select(Membership.member_id)
        .where(Membership.business_account_id.in_(in_view))
        .distinct()
        .cte("desk_people")
    )
    # Joined, not `IN (...)`: the people are distinct already, and a semi-join would make
    # PostgreSQL deduplicate them again for each kind of row.
    person = people.c.member_id
    memberships = (
        select(
            literal_column(str(MEMBERSHIP), Integer),
            Membership.member_id,
            Membership.business_account_id,
            Member.slack_user_id,
            Member.display_name,
            Member.team_id,
            _empty(_MOMENT),
        )
        .select_from(people)
        .join(Membership, Membership.member_id == person)
        .join(Member, Member.id == Membership.member_id)
    )
    evidence = (
        select(
            literal_column(str(EVIDENCE), Integer),
            CheckResult.member_id,
            CheckResult.business_account_id,
            CheckResult.check,
            CheckResult.state,
            CheckResult.source,
            case(
                (CheckResult.check == _literal(TIMED), CheckResult.observed_at),
                else_=_empty(_MOMENT),
            ),
        )
        .select_from(people)
        .join(CheckResult, CheckResult.member_id == person)
        .where(
            CheckResult.check != _literal(NOT_READ),
            # The member-wide word on compromised passwords sums up the accounts': the desk reads
            # each account's own.
            or_(
                CheckResult.check != _literal(PER_ACCOUNT_ONLY),
                CheckResult.business_account_id.is_not(None),
            ),
        )
    )
    exemptions = select(
        literal_column(str(EXEMPTION), Integer),
        Exemption.member_id,
        Exemption.business_account_id,
        Exemption.check,
        Exemption.decided_by,
        _empty(_TEXT),
        Exemption.ends_at,
    ).where(Exemption.member_id.in_(select(person)), Exemption.status == _literal("approved"))
    return union_all(memberships, evidence, exemptions)


class _PeopleRead:
    """The people read, converted by hand: only a few of its rows carry a time to convert, and
    the generic conversion of every value of every row would cost more than the query."""

    def __init__(self, statement: CompoundSelect[Any]) -> None:
        self._reads = PreparedReads(statement)

    def rows(self, engine: Engine, cursor: Any, values: Mapping[str, str | int]) -> list[Any]:
        read = self._reads.for_engine(engine)
        cursor.execute(read.sql, read.parameters(values))
        return list(cursor.fetchall())

    def moment(self, engine: Engine) -> Any:
        """How a time read from `engine` becomes an aware UTC datetime."""
        return _MOMENT.dialect_impl(engine.dialect).result_processor(engine.dialect, None)


_MANAGER = aliased(Member)
_MANAGED = (
    select(BusinessAccount.id)
    .join(_MANAGER, _MANAGER.id == BusinessAccount.account_manager_id)
    .where(
        _MANAGER.workspace_id == bindparam("workspace_id"),
        _MANAGER.slack_user_id == bindparam("manager"),
        BusinessAccount.workspace_id == bindparam("workspace_id"),
    )
)
_ONE = select(BusinessAccount.id).where(
    BusinessAccount.workspace_id == bindparam("workspace_id"),
    BusinessAccount.id == bindparam("account"),
)
_MANAGED_ACCOUNTS, _MANAGED_PEOPLE = (
    PreparedReads(_accounts(_MANAGED)),
    _PeopleRead(_people(_MANAGED)),
)
_ONE_ACCOUNT, _ONE_PEOPLE = PreparedReads(_accounts(_ONE)), _PeopleRead(_people(_ONE))


def managed_by(engine: Engine, manager_slack_id: str) -> DeskRows:
    """Every business account `manager_slack_id` manages, with its people: two statements."""
    values = {"workspace_id": workspace_id(), "manager": manager_slack_id}
    return _rows(engine, _MANAGED_ACCOUNTS, _MANAGED_PEOPLE, values)


def of_account(engine: Engine, business_account_id: int) -> DeskRows:
    """One business account with its people, read as the desk reads its accounts."""
    values: dict[str, str | int] = {"workspace_id": workspace_id(), "account": business_account_id}
    return _rows(engine, _ONE_ACCOUNT, _ONE_PEOPLE, values)


def _rows(
    engine: Engine, accounts: PreparedReads, people: _PeopleRead, values: Mapping[str, str | int]
) -> DeskRows:
    def read(cursor: Any) -> tuple[list[Any], list[Any]]:
        if not (found := accounts.for_engine(engine).rows(cursor, values)):
            return [], []  # no account in view: the people are not asked for
        return found, people.rows(engine, cursor, values)

    account_rows, people_rows = on_cursor(engine, read)
    moment = people.moment(engine) or (lambda value: value)
    memberships: list[DeskMembership] = []
    evidence: list[DeskEvidence] = []
    exemptions: list[DeskExemption] = []
    for kind, member, account, a, b, c, at in people_rows:
        if kind == EVIDENCE:
            evidence.append(
                DeskEvidence(member, a, account, b, c, None if at is None else moment(at))
            )
        elif kind == MEMBERSHIP:
            memberships.append(DeskMembership(member, account, a, b, c))
        else:
            exemptions.append(DeskExemption(member, a, account, moment(at), b or ""))
    return DeskRows(
        [DeskAccount._make(row) for row in account_rows], memberships, evidence, exemptions
    )
