"""The nudge policy: who is reminded about which gap, when, and when a gap escalates. Pure.

Each open gap of a member goes through: a grace period for new members, reminders on a backing-off
cadence (day 0, 2, 5, 10, then weekly) up to a cap, then the member's account manager(s), then the
security admins. An urgent gap (an open compromised-password alert) has no grace, comes back every
4 working hours and escalates after one working day. Non-urgent reminders arrive only inside the
member's working hours, in their own time zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum
from typing import NamedTuple
from zoneinfo import ZoneInfo

from bot.campaigns.cadence import sooner, sooner_why
from bot.campaigns.model import CampaignRef, Mark
from bot.checklist.model import Check, Fix, State
from bot.checklist.notes import Readable
from bot.core.i18n import _, language, ngettext, number
from bot.nudges.settings import NudgePolicy, SnoozeChoice
from bot.nudges.wording import after_grace, figure, reminders_so_far, when


class Level(IntEnum):
    MEMBER = 0
    MANAGERS = 1
    ADMINS = 2


class Closed(StrEnum):
    FIXED = "fixed"
    WITHDRAWN = "withdrawn"  # nothing left the member can act on (e.g. no business account)


# -- what the sweep knows about a member -------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    """A check of the member that is not passing and that they can do something about, in the
    checklist's own state and words: needs action (red) or unknown (not checked yet).

    The words are kept as the checklist says them and read (`title`, `explanation`) only where a
    message about the gap is written, in its reader's language: most gaps a sweep finds are not
    reminded about this time."""

    check: Check
    urgent: bool
    heading: str | Readable  # the check's title
    said: str | Readable  # what the checklist says about it
    fix: Fix | None
    state: State = State.NEEDS_ACTION
    pending_since: datetime | None = None  # the checklist's: waiting for the platform to confirm
    due: CampaignRef | None = None  # the campaign with the nearest deadline that asks for it

    @property
    def title(self) -> str:
        """In the reader's language."""
        return _read(self.heading)

    @property
    def explanation(self) -> str:
        """In the reader's language."""
        return _read(self.said)

    @property
    def proven(self) -> bool:
        """Only what is proven red escalates; a check merely not checked yet is only reminded."""
        return self.urgent or self.state is State.NEEDS_ACTION


@dataclass(frozen=True)
class Tracked:
    """An open nudge item: the reminders so far about one gap."""

    item_id: int
    check: Check
    first_nudged_at: datetime
    last_nudged_at: datetime
    cadence_from: datetime  # day 0 of the cadence: the first reminder, moved on by snoozes
    nudge_count: int
    snoozed_until: datetime | None
    snooze_count: int
    level: Level
    escalated_at: datetime | None


@dataclass(frozen=True)
class Situation:
    member_id: int
    slack_user_id: str
    name: str
    time_zone: ZoneInfo
    joined_at: datetime
    managers: tuple[str, ...]
    gaps: tuple[Gap, ...]
    passing: frozenset[Check]
    tracked: tuple[Tracked, ...]
    excluded: str | None = None  # why, while the member is excluded
    needs_action: frozenset[Check] = frozenset()  # for reporting: not passing, not unknown
    in_scope: frozenset[Check] = frozenset(Check)  # the checks that apply to the member
    has_accounts: bool = True  # works on at least one business account
    campaigns: Sequence[Mark] = ()  # where the member stands in each campaign covering them


# -- what the policy decides --------------------------------------------------------------------


@dataclass(frozen=True)
class Reminder:
    gap: Gap
    item_id: int | None  # None for a first reminder: the item is created with the message
    number: int  # which reminder this is; 0 for a gap only listed as still open
    why: str
    cadence_from: datetime | None = None  # for a counted reminder of a known item: day 0 after it

    @property
    def counted(self) -> bool:
        return self.number > 0


@dataclass(frozen=True)
class Escalation:
    gap: Gap
    item_id: int
    level: Level
    reminders: int
    since: datetime
    why: str


@dataclass(frozen=True)
class Closing:
    item_id: int
    check: Check
    reason: Closed


class Waiting(NamedTuple):
    """A gap the policy leaves alone for now, and why: a plain pair. Its words, as an
    escalation's, are for the operator's dry run (`nudge run-once --dry-run`) and stay English;
    a reminder's `why` reaches the member ("Why am I getting this?") in the reader's language."""

    check: Check
    why: str


@dataclass(frozen=True)
class Decision:
    situation: Situation
    reminders: tuple[Reminder, ...] = ()
    escalations: tuple[Escalation, ...] = ()
    closings: tuple[Closing, ...] = ()
    waiting: tuple[Waiting, ...] = ()

    @property
    def sends_reminder(self) -> bool:
        return any(reminder.counted for reminder in self.reminders)

    @property
    def changes_anything(self) -> bool:
        return self.sends_reminder or bool(self.escalations or self.closings)


def decide(policy: NudgePolicy, situation: Situation, now: datetime) -> Decision:
    """Everything to do about one member now: reminders (one DM), escalations, closed gaps."""
    gaps = {gap.check: gap for gap in situation.gaps if policy.check(gap.check).enabled}
    closings = tuple(
        Closing(
            item.item_id,
            item.check,
            Closed.FIXED if item.check in situation.passing else Closed.WITHDRAWN,
        )
        for item in situation.tracked
        if item.check not in gaps
    )
    if situation.excluded is not None:
        skipped = tuple(Waiting(check, situation.excluded) for check in gaps)
        return Decision(situation, closings=closings, waiting=skipped)
    tracked = {item.check: item for item in situation.tracked}
    rules = _Rules(policy, situation, now)
    reminders: list[Reminder] = []
    listed: list[Reminder] = []
    escalations: list[Escalation] = []
    waiting: list[Waiting] = []
    for gap in gaps.values():
        item = tracked.get(gap.check)
        outcome: Reminder | Waiting | None
        paused = rules.paused(gap)
        if paused is not None:
            waiting.append(paused)  # the item stays open: the platform's next report settles it
            continue
        if item is None:
            outcome = rules.first(gap)
        else:
            escalation = rules.escalation(gap, item)
            if escalation is not None:
                escalations.append(escalation)
            outcome = rules.again(gap, item)
        if isinstance(outcome, Reminder):
            (reminders if outcome.counted else listed).append(outcome)
        elif outcome is not None:
            waiting.append(outcome)
    if not reminders:
        listed = []  # gaps are only listed alongside a reminder that is due
    return Decision(
        situation,
        reminders=tuple(reminders + listed),
        escalations=tuple(escalations),
        closings=closings,
        waiting=tuple(waiting),
    )


class _Rules:
    def __init__(self, policy: NudgePolicy, situation: Situation, now: datetime) -> None:
        self.policy = policy
        self.situation = situation
        self.now = now
        self.zone = situation.time_zone
        self.in_hours = policy.hours.contains(now, self.zone)

    def when(self, at: datetime) -> str:
        return when(at, self.zone, language())

    def paused(self, gap: Gap) -> Waiting | None:
        """The member reported 2-step verification on after the platform said off: reminders wait
        `pending` for the platform to confirm."""
        if gap.pending_since is None or gap.urgent:
            return None
        until = gap.pending_since + self.policy.check(gap.check).pending
        if self.now >= until:
            return None
        reported = self.when(gap.pending_since)
        return Waiting(
            gap.check,
            f"waiting for the platform to confirm what you reported on {reported}, "
            f"until {self.when(until)}",
        )

    def first(self, gap: Gap) -> Reminder | Waiting:
        if gap.urgent:
            why = _("urgent: the platform reports a compromised password")
            return Reminder(gap, None, 1, why)
        rules = self.policy.check(gap.check)
        grace_ends = self.situation.joined_at + rules.grace
        if self.now < grace_ends:
            return Waiting(gap.check, f"new member: grace period until {self.when(grace_ends)}")
        if not self.in_hours:
            return Waiting(gap.check, self._outside_hours())
        if not rules.grace:
            return Reminder(gap, None, 1, _("first reminder"))
        return Reminder(gap, None, 1, after_grace(rules.grace, grace_ends, self.zone, language()))

    def again(self, gap: Gap, item: Tracked) -> Reminder | Waiting | None:
        if not gap.urgent and item.level > Level.MEMBER:
            return Reminder(gap, item.item_id, 0, _("escalated; still open"))
        due = self.next_due(gap, item)
        snoozed = item.snoozed_until is not None and item.snoozed_until > self.now
        if self.now < due:
            if snoozed:
                return Waiting(gap.check, f"snoozed until {self.when(due)}")
            why = _("next reminder due {when}").format(when=self.when(due))
            return Reminder(gap, item.item_id, 0, why)
        cap = self.policy.check(gap.check).cap
        if not gap.urgent and item.nudge_count >= cap:
            if gap.proven:
                return None  # the escalation replaces the reminder
            return Waiting(
                gap.check,
                f"{reminders_so_far(item.nudge_count)} so far; not checked yet is not escalated",
            )
        if not self.in_hours:
            return Waiting(gap.check, self._outside_hours())
        count = item.nudge_count + 1
        snoozed = item.snoozed_until is not None and item.snoozed_until > item.last_nudged_at
        why = self._reminder_why(gap, count, cap, item.last_nudged_at, snoozed)
        if gap.due is not None and not snoozed:  # due sooner at a campaign's pace: say so
            own = item.cadence_from + self.policy.check(gap.check).offset(item.nudge_count)
            why = sooner_why(why, gap.due.deadline) if due < own else why
        cadence_from = item.cadence_from
        if snoozed:
            # The rest of the cadence follows this reminder, as if it had been on time.
            offset = self.policy.check(gap.check).offset(item.nudge_count)
            cadence_from = self.now - offset
        return Reminder(gap, item.item_id, count, why, cadence_from)

    def _reminder_why(self, gap: Gap, count: int, cap: int, last: datetime, snoozed: bool) -> str:
        """Why a reminder is due again: shown by "Why am I getting this?", in whole sentences."""
        if gap.urgent:
            hours = self.policy.urgent.every / timedelta(hours=1)
            if snoozed:
                text = ngettext(
                    "urgent reminder {number}: every {hours} working hour until fixed, "
                    "after a snooze",
                    "urgent reminder {number}: every {hours} working hours until fixed, "
                    "after a snooze",
                    int(hours) if hours == int(hours) else 2,
                )
            else:
                text = ngettext(
                    "urgent reminder {number}: every {hours} working hour until fixed",
                    "urgent reminder {number}: every {hours} working hours until fixed",
                    int(hours) if hours == int(hours) else 2,
                )
            return text.format(number=number(count), hours=figure(hours))
        if snoozed:
            text = _("reminder {number} of {cap}, the last one {when}, after a snooze")
        else:
            text = _("reminder {number} of {cap}, the last one {when}")
        return text.format(number=number(count), cap=number(cap), when=self.when(last))

    def next_due(self, gap: Gap, item: Tracked) -> datetime:
        """A snooze replaces the schedule; otherwise the cadence counts from day 0, so a reminder
        a weekend delayed does not delay the ones after it."""
        if item.snoozed_until is not None and item.snoozed_until > item.last_nudged_at:
            return item.snoozed_until
        if gap.urgent:
            return self.policy.hours.add(item.last_nudged_at, self.policy.urgent.every, self.zone)
        due = item.cadence_from + self.policy.check(gap.check).offset(item.nudge_count)
        return due if gap.due is None else sooner(due, item.last_nudged_at, gap.due.due_at)

    def escalation(self, gap: Gap, item: Tracked) -> Escalation | None:
        if not gap.proven:
            return None  # escalated is only what is proven red, not what is merely unchecked
        managers = bool(self.situation.managers)
        if gap.urgent:
            urgent, hours = self.policy.urgent, self.policy.hours
            day = hours.day_length
            if item.level == Level.MEMBER:
                after = hours.add(item.first_nudged_at, day * urgent.escalate_after_days, self.zone)
                why = f"urgent and not fixed within {urgent.escalate_after_days:g} working day"
            elif item.level == Level.MANAGERS and item.escalated_at is not None:
                after = hours.add(item.escalated_at, day * urgent.admins_after_days, self.zone)
                why = f"urgent; account manager told {self.when(item.escalated_at)}"
            else:
                return None
            if self.now < after:
                return None
        else:
            if not self.in_hours:
                return None
            rules = self.policy.check(gap.check)
            if item.level == Level.MEMBER:
                if item.nudge_count < rules.cap or self.now < self.next_due(gap, item):
                    return None
                why = f"{reminders_so_far(item.nudge_count)} without a fix"
            elif item.level == Level.MANAGERS and item.escalated_at is not None:
                if self.now < item.escalated_at + rules.admins_after:
                    return None
                why = f"account manager told {self.when(item.escalated_at)}, still open"
            else:
                return None
        level = Level.MANAGERS if item.level == Level.MEMBER and managers else Level.ADMINS
        if level == Level.ADMINS and item.level == Level.MEMBER:
            if self.situation.has_accounts:
                why += "; no account manager to tell"
            else:
                why += "; no business accounts on record, so no account manager to tell"
        return Escalation(gap, item.item_id, level, item.nudge_count, item.first_nudged_at, why)

    def _outside_hours(self) -> str:
        opens = self.policy.hours.next_open(self.now, self.zone)
        holidays = ", ".join(self.policy.hours.holidays_until(self.now, opens, self.zone))
        because = f": {holidays}" if holidays else ""
        return f"outside working hours{because}; next window {self.when(opens)}"


def _read(words: str | Readable) -> str:
    return words if isinstance(words, str) else words.read()


def snooze_length(policy: NudgePolicy, choice: SnoozeChoice, urgent: bool) -> timedelta:
    """An urgent gap is never snoozed for longer than `urgent.snooze_max`."""
    return min(choice.length, policy.urgent.snooze_max) if urgent else choice.length
