"""The security checklist: what each check says about a member, computed from stored evidence."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any


class Check(StrEnum):
    TWO_STEP = "two_step"
    AUTHENTICATOR = "authenticator"
    STRONG_PASSWORD = "strong_password"
    UNIQUE_PASSWORDS = "unique_passwords"
    NO_COMPROMISED_PASSWORD = "no_compromised_password"
    RECOVERY_EMAIL = "recovery_email"
    RECOVERY_PHONE = "recovery_phone"


class State(StrEnum):
    PASSING = "passing"
    NEEDS_ACTION = "needs_action"
    UNKNOWN = "unknown"


class Source(StrEnum):
    PLATFORM = "platform"
    SELF = "self"
    BOT = "bot"


class Fix(StrEnum):
    """The fixes that work today; a check without one shows no button."""

    REPORT_TWO_STEP = "report_two_step"
    LINK_AUTHENTICATOR = "link_authenticator"
    REPORT_RECOVERY_PHONE = "report_recovery_phone"


class TwoStepMethod(StrEnum):
    AUTHENTICATOR_APP = "authenticator_app"
    SMS = "sms"
    EMAIL = "email"


TITLES: dict[Check, str] = {
    Check.TWO_STEP: "2-step verification on each business account",
    Check.AUTHENTICATOR: "Authenticator linked to the bot",
    Check.STRONG_PASSWORD: "Strong password",
    Check.UNIQUE_PASSWORDS: "Unique passwords",
    Check.NO_COMPROMISED_PASSWORD: "No compromised password",
    Check.RECOVERY_EMAIL: "Recovery email",
    Check.RECOVERY_PHONE: "Recovery phone",
}

METHOD_NAMES: dict[TwoStepMethod, str] = {
    TwoStepMethod.AUTHENTICATOR_APP: "authenticator app",
    TwoStepMethod.SMS: "SMS",
    TwoStepMethod.EMAIL: "email",
}


@dataclass(frozen=True)
class BusinessAccountRef:
    id: int
    platform_account_id: str
    name: str
    platform: str
    managed: bool
    account_manager_slack_id: str | None


@dataclass(frozen=True)
class Evidence:
    check: Check
    business_account_id: int | None
    state: State
    source: Source
    observed_at: datetime
    detail: dict[str, Any]


@dataclass(frozen=True)
class MemberRef:
    id: int | None
    slack_user_id: str
    display_name: str | None


@dataclass(frozen=True)
class AccountLine:
    """One business account's part of a per-account check."""

    account: BusinessAccountRef
    state: State
    source: Source | None
    observed_at: datetime | None
    explanation: str


@dataclass(frozen=True)
class CheckLine:
    check: Check
    state: State
    source: Source | None
    observed_at: datetime | None
    explanation: str
    fix: Fix | None
    accounts: tuple[AccountLine, ...] = ()

    @property
    def title(self) -> str:
        return TITLES[self.check]


@dataclass(frozen=True)
class Checklist:
    member: MemberRef
    accounts: tuple[BusinessAccountRef, ...]
    lines: tuple[CheckLine, ...]

    @property
    def passing(self) -> int:
        return sum(1 for line in self.lines if line.state is State.PASSING)

    @property
    def summary(self) -> str:
        return f"{self.passing} of {len(self.lines)} checks pass"

    def line(self, check: Check) -> CheckLine:
        return next(line for line in self.lines if line.check is check)


def build_checklist(
    member: MemberRef, accounts: Sequence[BusinessAccountRef], evidence: Iterable[Evidence]
) -> Checklist:
    """Turn stored evidence into the seven checks, in the order members should fix them."""
    by_key: dict[tuple[Check, int | None], dict[Source, Evidence]] = {}
    for item in evidence:
        by_key.setdefault((item.check, item.business_account_id), {})[item.source] = item
    member_wide = {check: _strongest(by_key.get((check, None), {})) for check in Check}
    lines = (
        _two_step(accounts, by_key),
        _authenticator(member_wide[Check.AUTHENTICATOR]),
        _reported(Check.STRONG_PASSWORD, member_wide[Check.STRONG_PASSWORD], "Not checked yet."),
        _reported(Check.UNIQUE_PASSWORDS, member_wide[Check.UNIQUE_PASSWORDS], "Not checked yet."),
        _reported(
            Check.NO_COMPROMISED_PASSWORD,
            member_wide[Check.NO_COMPROMISED_PASSWORD],
            "No report from the platform yet.",
        ),
        _bot_owned(Check.RECOVERY_EMAIL, member_wide[Check.RECOVERY_EMAIL], "Not confirmed yet."),
        _recovery_phone(member_wide[Check.RECOVERY_PHONE]),
    )
    return Checklist(member=member, accounts=tuple(accounts), lines=lines)


def _strongest(sources: dict[Source, Evidence]) -> Evidence | None:
    """The platform outranks what the bot verified, which outranks what the member said."""
    for source in (Source.PLATFORM, Source.BOT, Source.SELF):
        if source in sources:
            return sources[source]
    return None


def _two_step(
    accounts: Sequence[BusinessAccountRef],
    by_key: dict[tuple[Check, int | None], dict[Source, Evidence]],
) -> CheckLine:
    if not accounts:
        return CheckLine(
            check=Check.TWO_STEP,
            state=State.UNKNOWN,
            source=None,
            observed_at=None,
            explanation="No business accounts are on record for you yet.",
            fix=None,
        )
    account_lines = tuple(
        _two_step_account(account, by_key.get((Check.TWO_STEP, account.id), {}))
        for account in accounts
    )
    states = {line.state for line in account_lines}
    if states == {State.PASSING}:
        state = State.PASSING
        explanation = "On for every business account."
    elif State.NEEDS_ACTION in states:
        state = State.NEEDS_ACTION
        missing = [line.account.name for line in account_lines if line.state is State.NEEDS_ACTION]
        explanation = "Needs turning on: " + ", ".join(missing) + "."
    else:
        state = State.UNKNOWN
        unknown = [line.account.name for line in account_lines if line.state is State.UNKNOWN]
        explanation = "Not confirmed yet for: " + ", ".join(unknown) + "."
    dated = [line for line in account_lines if line.observed_at is not None]
    newest = max(dated, key=lambda line: line.observed_at or line.account.id, default=None)
    return CheckLine(
        check=Check.TWO_STEP,
        state=state,
        source=newest.source if newest else None,
        observed_at=newest.observed_at if newest else None,
        explanation=explanation,
        fix=None if state is State.PASSING else Fix.REPORT_TWO_STEP,
        accounts=account_lines,
    )


def _two_step_account(account: BusinessAccountRef, sources: dict[Source, Evidence]) -> AccountLine:
    platform, said = sources.get(Source.PLATFORM), sources.get(Source.SELF)
    if platform is not None:
        if platform.state is not State.PASSING and said is not None and said.state is State.PASSING:
            explanation = "Reported on by the member, but the platform reports it off."
        elif platform.state is State.PASSING:
            explanation = "On, as the platform reports" + _method(platform) + "."
        else:
            explanation = "Off, as the platform reports."
        return AccountLine(
            account, platform.state, platform.source, platform.observed_at, explanation
        )
    if said is not None:
        explanation = "On, self-reported" + _method(said) + "."
        return AccountLine(account, said.state, said.source, said.observed_at, explanation)
    return AccountLine(account, State.UNKNOWN, None, None, "Not confirmed yet.")


def _method(evidence: Evidence) -> str:
    raw = evidence.detail.get("method")
    try:
        return f" (with {METHOD_NAMES[TwoStepMethod(str(raw))]})"
    except ValueError:
        return ""


def _bot_owned(check: Check, evidence: Evidence | None, missing: str) -> CheckLine:
    if evidence is None:
        return CheckLine(check, State.NEEDS_ACTION, None, None, missing, None)
    return CheckLine(
        check, evidence.state, evidence.source, evidence.observed_at, _said(evidence), None
    )


def _authenticator(evidence: Evidence | None) -> CheckLine:
    """Read from the check result the authenticator service writes, so no extra query is needed."""
    line = _bot_owned(Check.AUTHENTICATOR, evidence, "Not linked yet.")
    if line.state is State.PASSING:
        return line
    return replace(line, fix=Fix.LINK_AUTHENTICATOR)


def _reported(check: Check, evidence: Evidence | None, missing: str) -> CheckLine:
    if evidence is None:
        return CheckLine(check, State.UNKNOWN, None, None, missing, None)
    return CheckLine(
        check, evidence.state, evidence.source, evidence.observed_at, _said(evidence), None
    )


def _recovery_phone(evidence: Evidence | None) -> CheckLine:
    if evidence is None:
        return CheckLine(
            Check.RECOVERY_PHONE,
            State.UNKNOWN,
            None,
            None,
            "Not on record yet.",
            Fix.REPORT_RECOVERY_PHONE,
        )
    fix = None if evidence.state is State.PASSING else Fix.REPORT_RECOVERY_PHONE
    return CheckLine(
        Check.RECOVERY_PHONE,
        evidence.state,
        evidence.source,
        evidence.observed_at,
        _said(evidence),
        fix,
    )


def _said(evidence: Evidence) -> str:
    words = {
        State.PASSING: "Passing",
        State.NEEDS_ACTION: "Needs action",
        State.UNKNOWN: "Unknown",
    }
    note = evidence.detail.get("note")
    return f"{words[evidence.state]}." if not isinstance(note, str) else note
