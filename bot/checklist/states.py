"""Which state each check is in, from the evidence: the one place that decides passing, needs
action or unknown.

The member's checklist (rules.py) says these states in words; the account manager's desk
(bot/desk) counts them for hundreds of business accounts at once, where building every member's
whole checklist, words and all, would cost ten times as much. Both ask these functions, so an
account's posture and its members' checklists cannot disagree.

Each function takes the evidence of one source (anything with a state and a time: the
checklist's `Evidence`, or the desk's lighter rows), keyed by source where several may speak.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Protocol, TypeVar

from bot.checklist.model import Source, State


class Fact(Protocol):
    """One source's word on one check: what it says, and when it said it."""

    @property
    def state(self) -> State: ...

    @property
    def observed_at(self) -> datetime: ...


F = TypeVar("F", bound=Fact)

# The platform outranks what the bot verified, which outranks what the member said.
RANKED = (Source.PLATFORM, Source.BOT, Source.SELF)


def strongest(sources: Mapping[Source, F]) -> F | None:
    """The word that counts among the sources that spoke."""
    for source in RANKED:
        if source in sources:
            return sources[source]
    return None


def stated(fact: Fact | None, missing: State = State.UNKNOWN) -> State:
    """What the evidence says; `missing` without any."""
    return missing if fact is None else fact.state


def two_step_pending(platform: Fact | None, own: Fact | None) -> bool:
    """The member reported 2-step verification on after the platform's latest "off": unknown
    until the platform reports again (and reminders wait a while)."""
    return (
        platform is not None
        and own is not None
        and platform.state is not State.PASSING
        and own.state is State.PASSING
        and own.observed_at > platform.observed_at
    )


def two_step(platform: Fact | None, own: Fact | None) -> State:
    """2-step verification on one business account: the platform's word, unless the member
    turned it on after it; the member's own word only while the platform said nothing."""
    if platform is not None:
        return State.UNKNOWN if two_step_pending(platform, own) else platform.state
    return stated(own)


def platform_confirmed(platform: Fact | None) -> bool:
    """2-step verification on one account is on as the platform itself reports it."""
    return platform is not None and platform.state is State.PASSING


def across_accounts(states: Iterable[State]) -> State:
    """A check that holds per business account: passing only on every one, needing action when
    one does, unknown otherwise."""
    found = set(states)
    if found == {State.PASSING}:
        return State.PASSING
    return State.NEEDS_ACTION if State.NEEDS_ACTION in found else State.UNKNOWN


def compromised(platform: Fact | None) -> bool:
    """The platform reports an open compromised-password alert on the account."""
    return platform is not None and platform.state is State.NEEDS_ACTION


def lacking(platform_states: Iterable[State]) -> bool:
    """The platform reports an account without the setting (a recovery email or phone)."""
    return any(state is State.NEEDS_ACTION for state in platform_states)


def recovery_email(confirmed: Fact | None, platform_states: Iterable[State]) -> State:
    """Confirmed with a code (the bot's word), and on no account reported without one."""
    if confirmed is None or confirmed.state is not State.PASSING:
        return State.NEEDS_ACTION
    return State.NEEDS_ACTION if lacking(platform_states) else State.PASSING


def recovery_phone(own: Fact | None, platform_states: Iterable[State]) -> State:
    """The platform's reports on the member's accounts, else the number the member gave."""
    reported = list(platform_states)
    if reported:
        return State.NEEDS_ACTION if lacking(reported) else State.PASSING
    return stated(own)
