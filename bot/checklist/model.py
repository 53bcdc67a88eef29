"""The security checklist: what each check says about a member, computed from stored evidence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from bot.checklist.notes import Readable
from bot.core.i18n import N_, _, ngettext, number


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
    CONFIRM_RECOVERY_EMAIL = "confirm_recovery_email"
    CHANGED_PASSWORD = "changed_password"
    CHECK_PASSWORDS = "check_passwords"


class TwoStepMethod(StrEnum):
    AUTHENTICATOR_APP = "authenticator_app"
    SMS = "sms"
    EMAIL = "email"


# Catalogue texts: shown with `_()` (`CheckLine.title` does).
TITLES: dict[Check, str] = {
    Check.TWO_STEP: N_("2-step verification on each business account"),
    Check.AUTHENTICATOR: N_("Authenticator linked to the bot"),
    Check.STRONG_PASSWORD: N_("Strong password"),
    Check.UNIQUE_PASSWORDS: N_("Unique passwords"),
    Check.NO_COMPROMISED_PASSWORD: N_("No compromised password"),
    Check.RECOVERY_EMAIL: N_("Recovery email"),
    Check.RECOVERY_PHONE: N_("Recovery phone"),
}

# The checks about business accounts on the platform apply to members with at least one business
# account; the authenticator linked to the bot applies to everyone, as account managers and
# security admins confirm sensitive actions with it (README, "Who each check applies to").
ACCOUNT_CHECKS = frozenset(Check) - {Check.AUTHENTICATOR}

# The checks a member may be exempted from, per business account (bot/exemptions): the checks
# that hold per account. A compromised password is never waived.
EXEMPTABLE = (Check.TWO_STEP, Check.STRONG_PASSWORD)

# Catalogue texts, shown with `_()` inside a sentence ("On (with {method}) …").
METHOD_NAMES: dict[TwoStepMethod, str] = {
    # Translators: a 2-step verification method, inside a sentence
    TwoStepMethod.AUTHENTICATOR_APP: N_("authenticator app"),
    # Translators: a 2-step verification method, inside a sentence
    TwoStepMethod.SMS: N_("SMS"),
    # Translators: a 2-step verification method, inside a sentence
    TwoStepMethod.EMAIL: N_("email"),
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
class Exempt:
    """An approved exemption in force for one check on one business account."""

    until: datetime  # the first moment it no longer holds: the day after its end date
    approved_by: str  # a Slack user id


@dataclass(frozen=True)
class Due:
    """A running campaign asks the member for this check by a day (bot/campaigns)."""

    deadline: date  # the campaign's last day
    today: date | None  # the member's own day when the checklist was read: the countdown


@dataclass(frozen=True)
class AccountLine:
    """One business account's part of a per-account check."""

    account: BusinessAccountRef
    state: State
    source: Source | None
    observed_at: datetime | None
    said: Readable  # read in the reader's language: `explanation`
    # The member reported it on after the platform reported it off: unknown until the platform
    # reports again, and reminders wait a while (the policy's `pending`).
    pending_since: datetime | None = None
    exempt: Exempt | None = None  # not passing, and excused for now

    @property
    def explanation(self) -> str:
        """In the reader's language."""
        return self.said.read()


@dataclass(frozen=True)
class CheckLine:
    check: Check
    state: State
    source: Source | None
    observed_at: datetime | None
    said: Readable  # read in the reader's language: `explanation`
    fix: Fix | None
    accounts: tuple[AccountLine, ...] = ()
    # Set when every account that does not pass waits for the platform to confirm the member's
    # report: the oldest such report.
    pending_since: datetime | None = None
    # Every account that does not pass is exempt for now: nothing to remind about (bot/exemptions).
    exempt: bool = False
    due: Due | None = None  # a campaign's deadline, while the check is still open in its scope

    @property
    def title(self) -> str:
        """In the reader's language."""
        return _(TITLES[self.check])

    @property
    def explanation(self) -> str:
        """In the reader's language."""
        return self.said.read()


@dataclass(frozen=True)
class Checklist:
    """`lines` are the checks that apply to the member; `not_applicable` the others (the checks
    about business accounts, for a member with none), kept for views that ask for them by name."""

    member: MemberRef
    accounts: tuple[BusinessAccountRef, ...]
    lines: tuple[CheckLine, ...]
    not_applicable: tuple[CheckLine, ...] = ()

    @property
    def passing(self) -> int:
        return sum(1 for line in self.lines if line.state is State.PASSING)

    @property
    def summary(self) -> str:
        total = len(self.lines)
        return ngettext(
            "{passing} of {total} check passes", "{passing} of {total} checks pass", total
        ).format(passing=number(self.passing), total=number(total))

    def line(self, check: Check) -> CheckLine:
        return next(line for line in self.lines + self.not_applicable if line.check is check)

    def applies(self, check: Check) -> bool:
        return any(line.check is check for line in self.lines)


# Stored values to their enums: plain lookups, cheaper than calling the enum on the hot paths.
CHECKS = {check.value: check for check in Check}
STATES = {state.value: state for state in State}
SOURCES = {source.value: source for source in Source}


def evidence_of(
    check: str,
    business_account_id: int | None,
    state: str,
    source: str,
    observed_at: datetime,
    detail: dict[str, Any],
) -> Evidence | None:
    """Evidence from stored values; None for a check, state or source this version doesn't know
    (rows written by a newer version stay out of the checklist rather than break it)."""
    known_check, known_state, known_source = (
        CHECKS.get(check),
        STATES.get(state),
        SOURCES.get(source),
    )
    if known_check is None or known_state is None or known_source is None:
        return None
    return Evidence(
        known_check, business_account_id, known_state, known_source, observed_at, detail
    )
