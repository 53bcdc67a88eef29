"""What the outbox holds: the kinds of message, what a sweep wrote, and the escalations it
collects (one DM per account manager, one digest per security admin). Writing is
bot/nudges/writer.py's."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.nudges.policy import Decision, Escalation, Level

MEMBER, MANAGER, DIGEST = "member", "manager", "digest"
EXEMPTION_ENDED = "exemption_ended"  # a member's exemption ended (bot/exemptions/ended.py)


@dataclass
class WriteCounts:
    messages: int = 0  # reminder DMs written
    escalation_messages: int = 0  # account manager DMs and admin digests written
    skipped: int = 0  # already written by another sweep
    cancelled: int = 0  # pending reminders whose gaps were all fixed before sending


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
        if not decision.escalations:
            return
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
