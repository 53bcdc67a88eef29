"""Writing a sweep's decisions down before anything is sent: the outbox, keyed so each nudge
exists once.

A message's key is (recipient, kind, round): the recipient's n-th message of that kind, n read in
the sweep's snapshot. Two sweeps that read the same state compute the same key and only one insert
wins; the loser leaves that member alone, since the winner records the same reminders. A sweep
that read later sees the reminders already counted and decides nothing.

Decisions are written BATCH members at a time, one transaction a batch, in order. (Not on a
thread of their own while the sweep decides on: each row SQLite writes hands Python's lock over,
and the two threads together were slower than one.)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.checklist.notes import Readable, Said
from bot.core.i18n import language
from bot.nudges.outbox import MEMBER, EscalationMessage, WriteCounts
from bot.nudges.policy import Decision, Gap, Reminder
from storage import nudges as store
from storage.database import Database

BATCH = 500  # members a transaction

# What a batch holds until it is written: plain tuples of plain values and dicts of them, which
# the garbage collector stops tracking, while named tuples and dataclasses held across a batch are
# walked again by every full collection (a tenth of a writing sweep's time).
#
# A reminded gap: its entry in the DM, as the payload keeps it, and what the reminder does to the
# gap's item (check, urgent, item_id, number, cadence_from).
_Effect = tuple[str, bool, int | None, int, datetime | None]
# A member's reminder DM: recipient, round, member_id, name, time zone, snoozes left, urgent, the
# gaps it names and their effects.
_Due = tuple[str, int, int, str, str, int, bool, tuple[dict[str, Any], ...], tuple[_Effect, ...]]


class OutboxWriter:
    """Each decision is taken apart into plain values as it comes (see `_Due`), its checklist,
    gaps and reminders let go at once, and written with its batch."""

    def __init__(
        self,
        database: Database,
        now: datetime,
        snooze_limit: int,
        caps: dict[str, int],
        counts: WriteCounts,
        batch: int = BATCH,
    ) -> None:
        self._database = database
        self._now = now
        self._snooze_limit = snooze_limit
        self._counts = counts
        self._batch = batch
        self._words = _Words(caps)
        self._members = 0
        self._closings: list[tuple[int, str]] = []
        self._closed_for: set[int] = set()
        self._due: list[_Due] = []

    def add(self, decision: Decision, round_number: int) -> None:
        """One member's closed gaps and, when one is due, their reminder DM (its `round_number`),
        in the words of the language read in (the member's: the sweep adds each inside their
        `reading()`). Written when the batch is full; the last one by `finish()`."""
        member = decision.situation
        if decision.closings:
            self._closed_for.add(member.member_id)
            self._closings.extend((c.item_id, c.reason.value) for c in decision.closings)
        if decision.sends_reminder:
            reminders, reader = decision.reminders, language()
            used = {item.check: item.snooze_count for item in member.tracked}
            limit = self._snooze_limit
            self._due.append(
                (
                    member.slack_user_id,
                    round_number,
                    member.member_id,
                    member.name,
                    member.time_zone.key,
                    min((limit - used.get(r.gap.check, 0) for r in reminders), default=limit),
                    any(r.gap.urgent and r.counted for r in reminders),
                    tuple(_entry(r, self._words, reader) for r in reminders),
                    tuple(_effect(r) for r in reminders),
                )
            )
        self._members += 1
        if self._members >= self._batch:
            self.finish()

    def finish(
        self, *, also: Callable[[Session, dict[tuple[str, str, int], int]], None] | None = None
    ) -> None:
        """Closed gaps, then the reminder DMs and the items they count, in one transaction;
        `also` writes more in it (an audit record), told the outbox ids inserted by key."""
        if not self._members:
            return
        closings, closed_for, due = self._closings, self._closed_for, self._due
        self._members, self._closings, self._closed_for, self._due = 0, [], set(), []
        now, counts = self._now, self._counts
        with self._database.sessions.begin() as session:
            rows = [{"item_id": item, "reason": reason} for item, reason in closings]
            store.close_items(session, rows, now)
            counts.cancelled += store.cancel_pending_without_open_items(session, closed_for)
            inserted = store.insert_messages(
                session,
                (
                    {
                        "recipient": recipient,
                        "kind": MEMBER,
                        "round_number": round_number,
                        "member_id": member_id,
                        # What the DM says, fixed now (the sender drops gaps fixed meanwhile).
                        "payload": {
                            "name": name,
                            "time_zone": time_zone,
                            "items": list(entries),
                            "snoozes_left": snoozes_left,
                        },
                        "urgent": urgent,
                    }
                    for recipient, round_number, member_id, name, time_zone, snoozes_left, urgent, entries, _ in due
                ),
                now,
            )
            new_items: list[tuple[int, str, bool, int]] = []
            reminded: list[dict[str, Any]] = []
            listed: list[dict[str, Any]] = []
            for recipient, round_number, member_id, *_, effects in due:
                outbox_id = inserted.get((recipient, MEMBER, round_number))
                if outbox_id is None:
                    counts.skipped += 1  # another sweep wrote it, and counts its items
                    continue
                counts.messages += 1
                for check, urgent, item_id, number, cadence_from in effects:
                    if item_id is None:
                        new_items.append((member_id, check, urgent, outbox_id))
                    elif number > 0:  # a counted reminder, not a gap only listed
                        reminded.append(
                            {
                                "item_id": item_id,
                                "at": now,
                                "cadence_from": cadence_from or now,
                                "outbox_id": outbox_id,
                                "urgent": urgent,
                            }
                        )
                    else:
                        listed.append({"item_id": item_id, "outbox_id": outbox_id})
            store.insert_items(session, new_items, now)
            store.remind_items(session, reminded)
            store.list_items(session, listed)
            if also is not None:
                also(session, inserted)

    def escalations(self, messages: list[EscalationMessage]) -> None:
        """Account manager DMs and admin digests, and the levels of the gaps they report."""
        if not messages:
            return
        counts = self._counts
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
                    }
                    for message in messages
                    if message.recipient
                ],
                self._now,
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


def _entry(reminder: Reminder, words: _Words, reader: str) -> dict[str, Any]:
    """The gap as the DM names it, in the reader's words."""
    gap = reminder.gap
    check, title, fix, state, cap = words.gap(gap, reader)
    entry = {
        "check": check,
        "title": title,
        "explanation": words.read(gap.said, reader),
        "fix": fix,
        "urgent": gap.urgent,
        "state": state,
        "number": reminder.number,
        "cap": cap,
        "why": reminder.why,
    }
    if gap.due is not None:  # a campaign's last day: the DM counts down to it
        entry["due"] = gap.due.deadline.isoformat()
    return entry


def _effect(reminder: Reminder) -> _Effect:
    gap = reminder.gap
    return gap.check.value, gap.urgent, reminder.item_id, reminder.number, reminder.cadence_from


class _Words:
    """A gap's words in the reader's language, read once a sweep where they are the same for every
    reader of that language: each check's title (with the stored values of its check, fix, state
    and cap), and what the checklist says when it names nothing ("Not linked yet.")."""

    def __init__(self, caps: dict[str, int]) -> None:
        self._caps = caps
        self._known: dict[tuple[str, str], str] = {}
        self._gaps: dict[
            tuple[object, ...], tuple[object, str, str, str | None, str, int | None]
        ] = {}

    def gap(self, gap: Gap, reader: str) -> tuple[str, str, str | None, str, int | None]:
        """The gap's check, title, fix, state (the checklist's: the DM shows the same icon and
        words) and cap, as the DM keeps them."""
        key = (reader, gap.check, gap.fix, gap.state, gap.urgent)
        found = self._gaps.get(key)
        if found is None or found[0] is not gap.heading:  # a sweep's gaps share their headings
            check = gap.check.value
            fix = gap.fix.value if gap.fix else None
            cap = None if gap.urgent else self._caps.get(check)
            title = self.read(gap.heading, reader)
            found = self._gaps[key] = (gap.heading, check, title, fix, gap.state.value, cap)
        return found[1:]

    def read(self, words: str | Readable, reader: str) -> str:
        """`words` as `reader` (the language being read in) reads them."""
        if isinstance(words, str):
            return words
        if isinstance(words, Said) and not words.values:
            found = self._known.get((reader, words.text))
            if found is None:
                found = self._known[reader, words.text] = words.read()
            return found
        return words.read()
