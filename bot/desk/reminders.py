"""Reminding one member now, from the account manager's desk or an account's page.

The member's open gaps are read as the reminder sweep reads them (bot/nudges/sweep.py) and the
reminder goes through the outbox like every reminder: it counts toward the cap, the sweep's next
reminder follows the cadence from there, and it is sent exactly once. It is sent only inside the
member's working hours and below the reminder cap of the nudge policy, and never about a gap the
member snoozed or one waiting for the platform to confirm; otherwise the person asking is told
plainly why nothing was sent. Only security admins and the managers of an account the member
works on may ask; every attempt is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.checklist.model import Check
from bot.core import audit
from bot.core.clock import Clock
from bot.core.errors import InvalidInput, NotAllowed, NotFound
from bot.core.i18n import N_, _, ngettext, number, reading
from bot.core.leadership import process_id
from bot.core.text import mention
from bot.core.words import slack_time
from bot.nudges.outbox import MEMBER, WriteCounts
from bot.nudges.policy import Decision, Gap, Reminder, Situation, Tracked
from bot.nudges.sender import DeliveryReport, Messenger, Sender
from bot.nudges.settings import NudgePolicy, PolicySource, policy_of
from bot.nudges.sweep import Sweep
from bot.nudges.writer import OutboxWriter
from storage import account_pages as account_store
from storage import members as member_store
from storage import sweep_reads as reads
from storage.database import Database

RECENT = timedelta(hours=1)  # at most one reminder an hour on demand
_WHY_SAID_BY = {
    # Translators: why a reminder came; {number} of {cap}, e.g. "reminder 3 of 6"
    "manager": N_("reminder {number} of {cap}, sent at once at your account manager's request"),
    "admin": N_("reminder {number} of {cap}, sent at once at the security team's request"),
}
_URGENT_SAID_BY = {
    "manager": N_("urgent reminder {number}, sent at once at your account manager's request"),
    "admin": N_("urgent reminder {number}, sent at once at the security team's request"),
}


@dataclass(frozen=True)
class Reminded:
    member: str  # the member's Slack id
    checks: tuple[Check, ...]  # the gaps the reminder names
    outbox_id: int | None  # None: the regular reminder round wrote this one first


class Reminders:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        policy: PolicySource,
        admins: AbstractSet[str],
        languages: Callable[[str], str],
    ) -> None:
        self._database = database
        self._clock = clock
        self._policies = policy  # asked at use: the served workspace's
        self._admins = admins
        self._languages = languages  # each member's own language

    def remind(self, actor: str, member: str) -> Reminded:
        """One reminder DM to `member` now, about every open gap it may be about, written to the
        outbox (deliver() sends it); or a DomainError saying plainly why not (audited)."""
        now = self._clock.now()
        policy = policy_of(self._policies)
        with self._database.sessions.begin() as session:
            found = member_store.member_by_slack_id(session, member)
            allowed = actor in self._admins or (
                found is not None and account_store.manages_member_of(session, actor, found.id)
            )
            if not allowed:
                trail = audit.Trail(session, now, actor, member)
                trail.record("desk.remind.refused", reason="not_manager")
        if not allowed:
            raise NotAllowed(_(NOT_YOURS))
        if found is None:
            raise NotFound(_("I don't know that member any more."))
        situation = self._situation(found.id, policy)
        by = "manager" if actor not in self._admins else "admin"
        try:
            decision = self._decide(policy, situation, now, by)
        except _Refused as refused:
            with self._database.sessions.begin() as session:
                trail = audit.Trail(session, now, actor, member)
                trail.record("desk.remind.refused", reason=refused.reason)
            raise
        return self._write(decision, policy, now, actor)

    def deliver(self, reminded: Reminded, messenger: Messenger) -> bool:
        """Send the reminder now (not waiting for the next delivery round); True once Slack has
        it. Claimed like every outbox message, so a delivery round running at the same moment
        cannot send it twice."""
        if reminded.outbox_id is None:
            return False
        sender = Sender(
            self._database,
            self._clock,
            messenger,
            self._policies,
            f"desk-{process_id()}",
            languages=self._languages,
        )
        report = DeliveryReport()
        with sender.claims:
            sender.send(reminded.outbox_id, report)
        return bool(report.sent or report.found_sent)

    # -- steps ------------------------------------------------------------------------------

    def _situation(self, member_id: int, policy: NudgePolicy) -> Situation:
        """The member as the sweep sees them: gaps in their own words, reminders so far."""
        seen: list[Decision] = []
        sweep = Sweep(self._database, self._clock, policy, frozenset(self._admins))
        sweep.run(dry_run=True, member_ids=[member_id], on_decision=seen.append)
        if not seen:
            raise NotFound(_("That member has not used Slack with me yet, so I can't DM them."))
        return seen[0].situation

    def _decide(
        self, policy: NudgePolicy, situation: Situation, now: datetime, by: str
    ) -> Decision:
        name = mention(situation.slack_user_id)
        if situation.excluded is not None:
            raise _Refused("excluded", _(EXCLUDED).format(name=name))
        tracked = {item.check: item for item in situation.tracked}
        gaps = [
            gap
            for gap in situation.gaps
            if policy.check(gap.check).enabled and not _waiting(policy, gap, now)
        ]
        if not gaps:
            raise _Refused("nothing_open", _(NOTHING_OPEN).format(name=name))
        if not policy.hours.contains(now, situation.time_zone):
            opens = policy.hours.next_open(now, situation.time_zone)
            text = _(OUTSIDE_HOURS).format(name=name, when=slack_time(opens))
            raise _Refused("outside_hours", text)
        awake = [gap for gap in gaps if not _snoozed(tracked.get(gap.check), now)]
        if not awake:
            until = max(
                item.snoozed_until
                for gap in gaps
                if (item := tracked.get(gap.check)) is not None and item.snoozed_until is not None
            )
            raise _Refused("snoozed", _(SNOOZED).format(name=name, when=slack_time(until)))
        due = [
            gap for gap in awake if gap.urgent or _count(tracked, gap) < policy.check(gap.check).cap
        ]
        if not due:
            cap = max(policy.check(gap.check).cap for gap in awake)
            text = ngettext(
                "{name} has already had {count} reminder about each open gap, the most the "
                "reminder policy allows, so nothing was sent.",
                "{name} has already had {count} reminders about each open gap, the most the "
                "reminder policy allows, so nothing was sent.",
                cap,
            )
            raise _Refused("over_cap", text.format(name=name, count=number(cap)))
        fresh = [gap for gap in due if not _recent(tracked.get(gap.check), now)]
        if not fresh:
            last = max(item.last_nudged_at for gap in due if (item := tracked.get(gap.check)))
            text = _(RECENT_WORDS).format(name=name, when=slack_time(last))
            raise _Refused("recently_reminded", text)
        due = fresh
        with reading(self._languages(situation.slack_user_id)):  # the member reads the why
            reminders = tuple(_reminder(policy, gap, tracked.get(gap.check), by) for gap in due)
        return Decision(situation, reminders=reminders)

    def _write(
        self, decision: Decision, policy: NudgePolicy, now: datetime, actor: str
    ) -> Reminded:
        situation = decision.situation
        checks = tuple(reminder.gap.check for reminder in decision.reminders)
        with self._database.sessions() as session:
            rounds = list(reads.stream_member_rounds(session, [situation.member_id]))
        next_round = (rounds[0].last_round if rounds else 0) + 1
        caps = {check.value: policy.check(check).cap for check in Check}
        writer = OutboxWriter(self._database, now, policy.snooze_limit, caps, WriteCounts())
        written: list[int] = []

        def audited(session: Session, inserted: dict[tuple[str, str, int], int]) -> None:
            outbox_id = inserted.get((situation.slack_user_id, MEMBER, next_round))
            if outbox_id is not None:
                written.append(outbox_id)
            trail = audit.Trail(session, now, actor, situation.slack_user_id)
            trail.record(
                "desk.reminded",
                checks=[check.value for check in checks],
                outbox=outbox_id,
                already_written=outbox_id is None,
            )

        with reading(self._languages(situation.slack_user_id)):  # the DM in the member's words
            writer.add(decision, next_round)
        writer.finish(also=audited)
        return Reminded(situation.slack_user_id, checks, written[0] if written else None)


class _Refused(InvalidInput):
    """Nothing sent, and why: said to the person asking, and kept in the audit record."""

    def __init__(self, reason: str, user_message: str) -> None:
        super().__init__(user_message)
        self.reason = reason


def _count(tracked: dict[Check, Tracked], gap: Gap) -> int:
    item = tracked.get(gap.check)
    return 0 if item is None else item.nudge_count


def _recent(item: Tracked | None, now: datetime) -> bool:
    """Reminded within the hour: a second press (or a double click) sends nothing more."""
    return item is not None and item.last_nudged_at > now - RECENT


def _snoozed(item: Tracked | None, now: datetime) -> bool:
    return item is not None and item.snoozed_until is not None and item.snoozed_until > now


def _waiting(policy: NudgePolicy, gap: Gap, now: datetime) -> bool:
    """The member reported 2-step verification on after the platform's "off": reminders wait
    for the platform to confirm (bot/nudges/policy.py)."""
    if gap.pending_since is None or gap.urgent:
        return False
    return now < gap.pending_since + policy.check(gap.check).pending


def _reminder(policy: NudgePolicy, gap: Gap, item: Tracked | None, by: str) -> Reminder:
    count = (0 if item is None else item.nudge_count) + 1
    if gap.urgent:
        why = _(_URGENT_SAID_BY[by]).format(number=number(count))
    else:
        cap = policy.check(gap.check).cap
        why = _(_WHY_SAID_BY[by]).format(number=number(count), cap=number(cap))
    # A first reminder starts the cadence; a later one keeps it, as if it came on schedule.
    if item is None:
        return Reminder(gap, None, count, why)
    return Reminder(gap, item.item_id, count, why, item.cadence_from)


NOT_YOURS = N_(
    "You can remind only the people who work on business accounts you manage (security admins "
    "can remind anyone)."
)
EXCLUDED = N_(
    "{name} is excluded from reminders (a service account, or away), so nothing was sent."
)
NOTHING_OPEN = N_("{name} has nothing open that a reminder could help with right now.")
OUTSIDE_HOURS = N_(
    "It is outside {name}'s working hours, so nothing was sent. Their working hours start again "
    "{when}."
)
RECENT_WORDS = N_(
    "{name} was reminded {when}; I send at most one reminder an hour, so nothing was sent."
)
SNOOZED = N_("{name} snoozed their reminders until {when}, so nothing was sent.")
