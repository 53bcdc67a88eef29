"""A business account's posture across its members, from the desk's rows: each check about
business accounts in the state the member's own checklist shows (bot/checklist/states.py decides
both), approved exemptions counted as exempt rather than as gaps, and the gaps with who owns them.

Pure: rows in, postures out. Built for every account a manager manages on each Home tab, so it
reads evidence as plain values and builds no checklist words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple

from bot.cases.model import ChargesSeen, Status, Via
from bot.cases.severity import Severity
from bot.cases.severity import of as severity_of
from bot.checklist import states
from bot.checklist.model import EXEMPTABLE, STATES, Check, Source, State
from storage.desk import DeskAccount, DeskRows

NEVER = datetime.min.replace(tzinfo=UTC)  # for evidence whose time no state depends on

# The checks an account's posture is made of, in the order a gap's owner should close them: the
# checks about business accounts (model.ACCOUNT_CHECKS), a compromised password first.
GAP_CHECKS = (
    Check.NO_COMPROMISED_PASSWORD,
    Check.TWO_STEP,
    Check.STRONG_PASSWORD,
    Check.UNIQUE_PASSWORDS,
    Check.RECOVERY_EMAIL,
    Check.RECOVERY_PHONE,
)


class _Fact(NamedTuple):
    state: State
    observed_at: datetime


class Gap(NamedTuple):
    check: Check
    state: State  # needs action (a compromised password is one) or unknown


class MemberPosture(NamedTuple):
    """One member as one business account sees them (a tuple: thousands are built per view)."""

    member_id: int
    slack_user_id: str | None
    name: str | None
    team_id: str | None
    gaps: tuple[Gap, ...]
    two_step: State
    two_step_confirmed: bool  # on, as the platform itself reports
    strong_password: State
    compromised: bool
    recovery_ready: bool  # recovery email and recovery phone both pass
    exempt: tuple[Check, ...] = ()  # excused on this account for now

    @property
    def red(self) -> int:
        return sum(1 for gap in self.gaps if gap.state is State.NEEDS_ACTION)


@dataclass(frozen=True, slots=True)
class OpenCase:
    number: int
    status: Status
    severity: Severity


@dataclass(frozen=True, slots=True)
class AccountPosture:
    account_id: int
    platform_account_id: str
    name: str
    platform: str
    managed: bool
    members: tuple[MemberPosture, ...]
    case: OpenCase | None
    open_alerts: int
    gaps: int = field(init=False)
    red: int = field(init=False)
    compromised: int = field(init=False)

    def __post_init__(self) -> None:
        members = self.members
        object.__setattr__(self, "gaps", sum(len(member.gaps) for member in members))
        object.__setattr__(self, "red", sum(member.red for member in members))
        object.__setattr__(self, "compromised", sum(member.compromised for member in members))

    @property
    def owners(self) -> tuple[MemberPosture, ...]:
        """The members with gaps, whoever has most to do first."""
        found = [member for member in self.members if member.gaps]
        found.sort(key=lambda m: (not m.compromised, -m.red, -len(m.gaps), (m.name or "").lower()))
        return tuple(found)

    @property
    def confirmed_two_step(self) -> int:
        """Members whose 2-step verification on this account the platform itself confirms."""
        return sum(member.two_step_confirmed for member in self.members)

    @property
    def strong_passwords(self) -> int:
        return sum(member.strong_password is State.PASSING for member in self.members)

    @property
    def recovery_ready(self) -> int:
        """Members with a confirmed recovery email and a recovery phone."""
        return sum(member.recovery_ready for member in self.members)

    def exempt(self, check: Check) -> int:
        return sum(check in member.exempt for member in self.members)

    @property
    def risk(self) -> tuple[int, int, int, str, int]:
        """Open cases and compromised passwords first, then the most gaps (the most red ones
        first among equals), then by name."""
        tier = (self.case is None) * 2 + (not self.compromised)
        return (tier, -self.gaps, -self.red, self.name.casefold(), self.account_id)


def postures(rows: DeskRows, now: datetime) -> list[AccountPosture]:
    """Every account in `rows`, riskiest first."""
    people = _People(rows, now)
    found = [
        AccountPosture(
            account_id=account.account_id,
            platform_account_id=account.platform_account_id,
            name=account.name,
            platform=account.platform,
            managed=account.managed,
            members=people.on(account.account_id),
            case=_case(account),
            open_alerts=account.open_alerts or 0,
        )
        for account in rows.accounts
    ]
    found.sort(key=lambda posture: posture.risk)
    return found


class _Member(NamedTuple):
    slack_user_id: str | None
    name: str | None
    team_id: str | None
    accounts: list[int]


# Evidence by check and account, then by source. The keys are the stored strings: the checks'
# and sources' enums are StrEnums, equal to them and hashed alike, so either finds the other.
Evidence = dict[tuple[str, int | None], dict[str, _Fact]]
_NONE: dict[str, _Fact] = {}
_PLATFORM, _SELF, _BOT = Source.PLATFORM, Source.SELF, Source.BOT
_PASSING = State.PASSING
_TWO_STEP, _STRONG, _UNIQUE = Check.TWO_STEP, Check.STRONG_PASSWORD, Check.UNIQUE_PASSWORDS
_COMPROMISED, _EMAIL, _PHONE = (
    Check.NO_COMPROMISED_PASSWORD,
    Check.RECOVERY_EMAIL,
    Check.RECOVERY_PHONE,
)
# The word of a source whose time no state depends on, one per state, shared by every row.
_UNTIMED = {state: _Fact(state, NEVER) for state in State}
# Every gap there can be, made once: thousands of members share them.
_GAPS = {(check, state): Gap(check, state) for check in GAP_CHECKS for state in State}


class _People:
    """The rows grouped by member once; each member's checks about all their accounts (recovery,
    unique passwords) decided once, however many accounts in view they work on."""

    def __init__(self, rows: DeskRows, now: datetime) -> None:
        self._members: dict[int, _Member] = {}
        self._on: dict[int, list[int]] = {}
        in_view = {account.account_id for account in rows.accounts}
        for row in rows.memberships:
            member = self._members.get(row.member_id)
            if member is None:
                member = _Member(row.slack_user_id, row.display_name, row.team_id, [])
                self._members[row.member_id] = member
            member.accounts.append(row.account_id)
            if row.account_id in in_view:
                self._on.setdefault(row.account_id, []).append(row.member_id)
        self._evidence: dict[int, Evidence] = {}
        evidence, known = self._evidence, STATES
        # A check or source this version does not know is never asked for: only a state must be
        # known (written by a newer version, the row is left out, as the checklist leaves it).
        for member_id, check, account_id, stored, source, at in rows.evidence:
            state = known.get(stored)
            if state is None:
                continue
            by_key = evidence.get(member_id)
            if by_key is None:
                by_key = evidence[member_id] = {}
            key = (check, account_id)
            sources = by_key.get(key)
            if sources is None:
                sources = by_key[key] = {}
            sources[source] = _UNTIMED[state] if at is None else _Fact(state, at)
        self._exempt: dict[int, set[tuple[str, int]]] = {}
        for exemption in rows.exemptions:
            if exemption.until > now:
                self._exempt.setdefault(exemption.member_id, set()).add(
                    (exemption.check, exemption.business_account_id)
                )
        self._member_wide: dict[int, tuple[State, State, State]] = {}

    def on(self, account_id: int) -> tuple[MemberPosture, ...]:
        return tuple(self._posture(member, account_id) for member in self._on.get(account_id, ()))

    def _posture(self, member_id: int, account_id: int) -> MemberPosture:
        member = self._members[member_id]
        by_key = self._evidence.get(member_id) or {}
        unique, email, phone = self._wide(member_id, member, by_key)
        two_step = by_key.get((_TWO_STEP, account_id), _NONE)
        platform = two_step.get(_PLATFORM)
        two_step_state = states.two_step(platform, two_step.get(_SELF))
        strong_sources = by_key.get((_STRONG, account_id), _NONE)
        strong = states.stated(states.strongest(strong_sources))  # type: ignore[arg-type]
        compromised = states.compromised(
            by_key.get((_COMPROMISED, account_id), _NONE).get(_PLATFORM)
        )
        exempt: tuple[Check, ...] = ()
        excused = self._exempt.get(member_id)
        if excused:  # approved exemptions excuse what does not pass (bot/checklist/exempting.py)
            exempt = tuple(
                check
                for check, state in ((_TWO_STEP, two_step_state), (_STRONG, strong))
                if check in EXEMPTABLE and state is not _PASSING and (check, account_id) in excused
            )
        gaps = [_GAPS[_COMPROMISED, State.NEEDS_ACTION]] if compromised else []
        if two_step_state is not _PASSING and _TWO_STEP not in exempt:
            gaps.append(_GAPS[_TWO_STEP, two_step_state])
        if strong is not _PASSING and _STRONG not in exempt:
            gaps.append(_GAPS[_STRONG, strong])
        for check, state in ((_UNIQUE, unique), (_EMAIL, email), (_PHONE, phone)):
            if state is not _PASSING:
                gaps.append(_GAPS[check, state])
        return MemberPosture(
            member_id,
            member.slack_user_id,
            member.name,
            member.team_id,
            tuple(gaps),
            two_step_state,
            states.platform_confirmed(platform),
            strong,
            compromised,
            email is _PASSING and phone is _PASSING,
            exempt,
        )

    def _wide(
        self, member_id: int, member: _Member, by_key: Evidence
    ) -> tuple[State, State, State]:
        """Unique passwords, recovery email and recovery phone: about all the member's accounts."""
        found = self._member_wide.get(member_id)
        if found is None:
            unique_sources = by_key.get((Check.UNIQUE_PASSWORDS, None), _NONE)
            unique = states.stated(states.strongest(unique_sources))  # type: ignore[arg-type]
            email = states.recovery_email(
                by_key.get((Check.RECOVERY_EMAIL, None), _NONE).get(_BOT),
                _platform(by_key, Check.RECOVERY_EMAIL, member.accounts),
            )
            phone = states.recovery_phone(
                by_key.get((Check.RECOVERY_PHONE, None), _NONE).get(_SELF),
                _platform(by_key, Check.RECOVERY_PHONE, member.accounts),
            )
            found = self._member_wide[member_id] = (unique, email, phone)
        return found


def _platform(by_key: Evidence, check: Check, accounts: list[int]) -> list[State]:
    """What the platform reports about `check` on each of the member's accounts it reported on."""
    found = []
    for account_id in accounts:
        fact = by_key.get((check, account_id), _NONE).get(_PLATFORM)
        if fact is not None:
            found.append(fact.state)
    return found


def _case(account: DeskAccount) -> OpenCase | None:
    if account.case_number is None or account.case_status is None:
        return None
    assert account.case_opened_via is not None and account.case_charges is not None
    severity = severity_of(
        account.case_severity,
        Via(account.case_opened_via),
        ChargesSeen(account.case_charges),
    )
    return OpenCase(account.case_number, Status(account.case_status), severity)
