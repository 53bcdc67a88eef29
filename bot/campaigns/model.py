"""What a campaign is, and which member and business account it is about: the vocabulary the
checklist, the sweep and the campaign's own views share. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import NamedTuple

from bot.checklist.model import CHECKS, EXEMPTABLE, BusinessAccountRef, Check, Checklist, State

# The checks about business accounts a member can act on themselves (bot/checklist/rules.py):
# not the authenticator linked to the bot (not about accounts), nor an open compromised-password
# alert (urgent already: no deadline would make it sooner).
CAMPAIGN_CHECKS = (
    Check.TWO_STEP,
    Check.STRONG_PASSWORD,
    Check.UNIQUE_PASSWORDS,
    Check.RECOVERY_EMAIL,
    Check.RECOVERY_PHONE,
)
# Checks each business account has a line of its own for; the others hold for the member, and
# so for each of their accounts alike.
PER_ACCOUNT = frozenset(EXEMPTABLE)


class Scope(StrEnum):
    EVERYONE = "everyone"
    MANAGER = "manager"  # one account manager's business accounts
    PLATFORM = "platform"  # the business accounts on one platform


SCOPES = frozenset(Scope)


def known(check: str, scope: str) -> tuple[Check, Scope] | None:
    """A stored campaign's check and scope, when this version knows both (a newer version's
    rows are left out)."""
    found = CHECKS.get(check)
    if found is None or scope not in SCOPES:
        return None
    return found, Scope(scope)


class Progress(StrEnum):
    """One member on one business account in scope. One letter each: a member's are a string
    (Mark.states), as the sweep keeps one per member and campaign, and strings cost the garbage
    collector nothing."""

    DONE = "d"  # the check passes
    EXEMPT = "e"  # an approved exemption holds (bot/exemptions)
    OPEN = "o"


@dataclass(frozen=True)
class CampaignRef:
    """A running campaign, as the checklist and the reminder sweep consult it."""

    id: int
    check: Check
    title: str
    scope: Scope
    scope_value: str | None  # the account manager's Slack id, or the platform
    deadline: date  # the last day
    due_at: datetime  # the end of the last day: overdue from then on
    overdue_at: datetime | None = None  # when the lists of what is open were written

    def covers(self, account: BusinessAccountRef) -> bool:
        if self.scope is Scope.MANAGER:
            return account.account_manager_slack_id == self.scope_value
        if self.scope is Scope.PLATFORM:
            return account.platform == self.scope_value
        return True


class Mark(NamedTuple):
    """Where one member stands in one campaign: each of their business accounts in scope, and
    its Progress, in the same order."""

    campaign: CampaignRef
    accounts: Sequence[BusinessAccountRef]
    states: str  # a Progress letter per account

    @property
    def open(self) -> bool:
        return Progress.OPEN in self.states

    @property
    def units(self) -> Iterator[tuple[BusinessAccountRef, Progress]]:
        return zip(self.accounts, map(Progress, self.states), strict=True)


class InForce:
    """The running campaigns of the workspace being served, read once for a whole sweep (or with
    one checklist), and where a member stands in each."""

    def __init__(self, campaigns: Iterable[CampaignRef]) -> None:
        # The nearest deadline first: it is the one a member is reminded of.
        self.campaigns = tuple(sorted(campaigns, key=lambda found: (found.due_at, found.id)))

    def __bool__(self) -> bool:
        return bool(self.campaigns)

    def mark(self, accounts: Sequence[BusinessAccountRef], checklist: Checklist) -> list[Mark]:
        """The member's place in each campaign whose scope holds one of their accounts.

        The sweep asks it for each of 50,000 members: it makes a Mark per campaign and the list,
        nothing more (each object made is work for the garbage collector too)."""
        marks: list[Mark] = []
        if not accounts:
            return marks
        for campaign in self.campaigns:
            for line in checklist.lines:
                if line.check is campaign.check:
                    break
            else:
                continue  # the check does not apply to the member
            everyone = campaign.scope is Scope.EVERYONE  # the sweep's commonest case: no test
            if campaign.check in PER_ACCOUNT and len(line.accounts) == len(accounts):
                if everyone:  # the line's accounts are the member's, in their order
                    parts, covered = line.accounts, accounts
                else:
                    parts = tuple(part for part in line.accounts if campaign.covers(part.account))
                    covered = [part.account for part in parts]
                states = ""
                for part in parts:  # a few accounts: a string grown, no list to collect
                    states += _progress(part.state, part.exempt is not None)
            else:
                covered = (
                    accounts if everyone else [ref for ref in accounts if campaign.covers(ref)]
                )
                state = Progress.DONE if line.state is State.PASSING else Progress.OPEN
                states = state * len(covered)
            if covered:
                marks.append(Mark(campaign, covered, states))
        return marks


def _progress(state: State, exempt: bool) -> Progress:
    if state is State.PASSING:
        return Progress.DONE
    return Progress.EXEMPT if exempt else Progress.OPEN


def due_for(marks: Iterable[Mark], check: Check) -> CampaignRef | None:
    """The campaign with the nearest deadline that still asks `check` of the member (marks come
    nearest deadline first)."""
    for mark in marks:
        if mark.campaign.check is check and Progress.OPEN in mark.states:
            return mark.campaign
    return None


def due_by_check(marks: Iterable[Mark]) -> dict[Check, CampaignRef]:
    """For each check, the campaign with the nearest deadline that still asks something of the
    member (marks come nearest deadline first)."""
    found: dict[Check, CampaignRef] = {}
    for mark in marks:
        if mark.open and mark.campaign.check not in found:
            found[mark.campaign.check] = mark.campaign
    return found
