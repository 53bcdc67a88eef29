"""`nudge run-once --dry-run`: who would be nudged about what, and why, in plain lines."""

from __future__ import annotations

from datetime import datetime

from bot.core.words import plural
from bot.nudges.policy import Decision, Level


def describe(decision: Decision, now: datetime, *, waiting: bool = False) -> list[str]:
    """What the sweep would do about one member; nothing when it would do nothing."""
    member = decision.situation
    local = now.astimezone(member.time_zone)
    who = f"{member.slack_user_id} ({member.name}, {local:%a %H:%M} {member.time_zone.key})"
    lines: list[str] = []
    counted = [reminder for reminder in decision.reminders if reminder.counted]
    if counted:
        lines.append(f"{who}: one DM about {plural(len(decision.reminders), 'gap')}")
        for reminder in decision.reminders:
            mark = "•" if reminder.counted else "· also listed:"
            lines.append(f"  {mark} {reminder.gap.title}: {reminder.why}")
    for escalation in decision.escalations:
        if escalation.level == Level.MANAGERS:
            heading = "account managers" if len(member.managers) > 1 else "account manager"
            to = f"{heading} " + ", ".join(member.managers)
        else:
            to = "the security admins' digest"
        lines.append(f"{who}: {escalation.gap.title} escalated to {to}: {escalation.why}")
    for closing in decision.closings:
        lines.append(f"{who}: {closing.check.value} closed ({closing.reason.value})")
    if waiting:
        for wait in decision.waiting:
            lines.append(f"{who}: {wait.check.value} waits: {wait.why}")
    return lines
