"""Writing decisions down before anything is sent: the outbox, keyed so each nudge exists once.

A message's key is (recipient, kind, round): the recipient's n-th message of that kind, n read in
the sweep's snapshot. Two sweeps that read the same state compute the same key and only one insert
wins; the loser leaves that member alone, since the winner records the same reminders. A sweep
that read later sees the reminders already counted and decides nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.nudges.policy import Decision, Escalation, Level, Reminder
from storage import nudges as store
from storage.database import Database

MEMBER, MANAGER, DIGEST = "member", "manager", "digest"
EXEMPTION_ENDED = "exemption_ended"  # a member's exemption ended (bot/exemptions/ended.py)


@dataclass
class WriteCounts:
    messages: int = 0  # reminder DMs written
    escalation_messages: int = 0  # account manager DMs and admin digests written
    skipped: int = 0  # already written by another sweep
    cancelled: int = 0  # pending reminders whose gaps were all fixed before sending


def reminder_payload(decision: Decision, snooze_limit: int, caps: dict[str, int]) -> dict[str, Any]:
    """What the DM says, fixed at decision time (the sender drops gaps fixed meanwhile)."""
    used = {item.check: item.snooze_count for item in decision.situation.tracked}
    return {
        "name": decision.situation.name,
        "time_zone": decision.situation.time_zone.key,
        "items": [_item(reminder, caps) for reminder in decision.reminders],
        "snoozes_left": min(
            (snooze_limit - used.get(r.gap.check, 0) for r in decision.reminders),
            default=snooze_limit,
        ),
    }


def _item(reminder: Reminder, caps: dict[str, int]) -> dict[str, Any]:
    gap = reminder.gap
    item = {
        "check": gap.check.value,
        "title": gap.title,
        "explanation": gap.explanation,
        "fix": gap.fix.value if gap.fix else None,
        "urgent": gap.urgent,
        "state": gap.state.value,  # the checklist's: the DM shows the same icon and words
        "number": reminder.number,
        "cap": None if gap.urgent else caps.get(gap.check.value),
        "why": reminder.why,
    }
    if gap.due is not None:  # a campaign's last day: the DM counts down to it
        item["due"] = gap.due.deadline.isoformat()
    return item


class OutboxWriter:
    def __init__(
        self, database: Database, now: datetime, snooze_limit: int, caps: dict[str, int]
    ) -> None:
        self._database = database
        self._now = now
        self._snooze_limit = snooze_limit
        self._caps = caps

    def members(
        self,
        batch: list[tuple[Decision, int]],
        counts: WriteCounts,
        *,
        also: Callable[[Session, dict[tuple[str, str, int], int]], None] | None = None,
    ) -> None:
        """Closed gaps, then one reminder DM per member that has one due, in one transaction;
        `also` writes more in it (an audit record), told the outbox ids inserted by key."""
        if not batch:
            return
        now = self._now
        with self._database.sessions.begin() as session:
            closings = [
                {"item_id": closing.item_id, "reason": closing.reason.value}
                for decision, _ in batch
                for closing in decision.closings
            ]
            store.close_items(session, closings, now)
            closed_for = {
                decision.situation.member_id for decision, _ in batch if decision.closings
            }
            counts.cancelled += store.cancel_pending_without_open_items(session, closed_for)
            due = [(decision, n) for decision, n in batch if decision.sends_reminder]
            inserted = store.insert_messages(
                session,
                [
                    {
                        "recipient": decision.situation.slack_user_id,
                        "kind": MEMBER,
                        "round_number": n,
                        "member_id": decision.situation.member_id,
                        "payload": reminder_payload(decision, self._snooze_limit, self._caps),
                        "urgent": any(r.gap.urgent and r.counted for r in decision.reminders),
                        "state": "pending",
                        "created_at": now,
                        "attempts": 0,
                    }
                    for decision, n in due
                ],
            )
            new_items: list[dict[str, Any]] = []
            reminded: list[dict[str, Any]] = []
            listed: list[dict[str, Any]] = []
            for decision, n in due:
                member = decision.situation
                outbox_id = inserted.get((member.slack_user_id, MEMBER, n))
                if outbox_id is None:
                    counts.skipped += 1
                    continue
                counts.messages += 1
                for reminder in decision.reminders:
                    check, urgent = reminder.gap.check.value, reminder.gap.urgent
                    if reminder.item_id is None:
                        new_items.append(
                            {
                                "member_id": member.member_id,
                                "check": check,
                                "open_check": check,
                                "urgent": urgent,
                                "first_nudged_at": now,
                                "last_nudged_at": now,
                                "cadence_from": now,
                                "nudge_count": 1,
                                "snooze_count": 0,
                                "level": Level.MEMBER.value,
                                "recheck_wanted": False,
                                "last_outbox_id": outbox_id,
                            }
                        )
                    elif reminder.counted:
                        reminded.append(
                            {
                                "item_id": reminder.item_id,
                                "at": now,
                                "cadence_from": reminder.cadence_from or now,
                                "outbox_id": outbox_id,
                                "urgent": urgent,
                            }
                        )
                    else:
                        listed.append({"item_id": reminder.item_id, "outbox_id": outbox_id})
            store.insert_items(session, new_items)
            store.remind_items(session, reminded)
            store.list_items(session, listed)
            if also is not None:
                also(session, inserted)

    def escalations(self, messages: list[EscalationMessage], counts: WriteCounts) -> None:
        """Account manager DMs and admin digests, and the levels of the gaps they report."""
        if not messages:
            return
        with self._database.sessions.begin() as session:
            inserted = store.insert_messages(
                session,
                [
                    {
                        "recipient": message.recipient,
                        "kind": message.kind,
                        "round_number": message.round_number,
                        "member_id": None,
                        "payload": message.payload,
                        "urgent": message.urgent,
                        "state": "pending",
                        "created_at": self._now,
                        "attempts": 0,
                    }
                    for message in messages
                    if message.recipient
                ],
            )
            raised: dict[int, int] = {}
            for message in messages:
                key = (message.recipient, message.kind, message.round_number)
                if message.recipient and key not in inserted:
                    counts.skipped += 1
                    continue
                counts.escalation_messages += bool(message.recipient)
                for item_id, level in message.items:
                    raised[item_id] = max(level, raised.get(item_id, 0))
            store.escalate_items(
                session,
                [
                    {"item_id": item_id, "level": level, "at": self._now}
                    for item_id, level in sorted(raised.items())
                ],
            )


@dataclass(frozen=True)
class EscalationMessage:
    recipient: str  # empty: nobody to tell (no security admins configured); levels still rise
    kind: str
    round_number: int
    payload: dict[str, Any]
    items: tuple[tuple[int, int], ...]
    urgent: bool = False


@dataclass
class EscalationBook:
    """Escalations collected over a sweep: one DM per account manager, one digest per admin."""

    admins: frozenset[str]
    managers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    manager_items: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    digest: list[dict[str, Any]] = field(default_factory=list)
    digest_items: list[tuple[int, int]] = field(default_factory=list)
    kinds: tuple[str, ...] = (MANAGER, DIGEST)

    def add(self, decision: Decision) -> None:
        member = decision.situation
        for level in (Level.MANAGERS, Level.ADMINS):
            chosen = [e for e in decision.escalations if e.level == level]
            if not chosen:
                continue
            entry = {
                "member": member.slack_user_id,
                "name": member.name,
                "managers": list(member.managers),
                "has_accounts": member.has_accounts,
                "items": [_escalated(escalation) for escalation in chosen],
            }
            items = [(escalation.item_id, level.value) for escalation in chosen]
            if level == Level.MANAGERS:
                for manager in member.managers:
                    self.managers.setdefault(manager, []).append(entry)
                    self.manager_items.setdefault(manager, []).extend(items)
            else:
                self.digest.append(entry)
                self.digest_items.extend(items)

    def messages(self, rounds: dict[tuple[str, str], int]) -> list[EscalationMessage]:
        found = [
            EscalationMessage(
                manager,
                MANAGER,
                rounds.get((manager, MANAGER), 0) + 1,
                {"members": entries},
                tuple(self.manager_items[manager]),
                _any_urgent(entries),
            )
            for manager, entries in sorted(self.managers.items())
        ]
        if self.digest:
            recipients = sorted(self.admins) or [""]
            found.extend(
                EscalationMessage(
                    admin,
                    DIGEST,
                    rounds.get((admin, DIGEST), 0) + 1,
                    {"members": self.digest},
                    tuple(self.digest_items),
                    _any_urgent(self.digest),
                )
                for admin in recipients
            )
        return found


def _any_urgent(entries: list[dict[str, Any]]) -> bool:
    return any(item["urgent"] for entry in entries for item in entry["items"])


def _escalated(escalation: Escalation) -> dict[str, Any]:
    gap = escalation.gap
    return {
        "check": gap.check.value,
        "title": gap.title,
        "explanation": gap.explanation,
        "urgent": gap.urgent,
        "state": gap.state.value,
        "reminders": escalation.reminders,
        "since": escalation.since.isoformat(),
        "why": escalation.why,
    }
