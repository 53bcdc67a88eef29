"""Reminders lost and duplicated: what the outbox decided against what Slack received.

Every reminder DM carries its outbox id in its buttons' values (`nudge:<id>`, `<id>:<snooze>`),
so each chat.postMessage the stand-in accepted is matched to the reminder it delivers.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from sandbox.slack_standin import SlackStandIn
from storage.nudge_models import NudgeOutbox

REMINDER = "member"  # the outbox's kind for a member's reminder DM
CANCELLED = "cancelled"  # fixed before it was sent: rightly never delivered
UNFINISHED = ("pending", "sending")
_NUDGE_VALUE = re.compile(r"\bnudge:(\d+)\b")


@dataclass(frozen=True)
class Reminders:
    decided: int  # reminders the outbox holds that are to be delivered
    received: int  # distinct reminders Slack accepted
    lost: int  # decided and never received
    duplicated: int  # received more than once (the copies counted)
    unfinished: int  # still pending or claimed in the outbox


def received(standin: SlackStandIn) -> Counter[int]:
    """How many times Slack accepted each reminder, by outbox id."""
    counts: Counter[int] = Counter()
    for call in standin.calls("chat.postMessage"):
        if call.ok:
            blocks = call.args.get("blocks", [])
            text = blocks if isinstance(blocks, str) else json.dumps(blocks)
            ids = set(_NUDGE_VALUE.findall(text))
            counts.update(int(found) for found in ids)
    return counts


def decided(engine: Engine) -> dict[int, str]:
    """Every reminder of the outbox to be delivered, with its state."""
    with engine.connect() as connection:
        rows: Any = connection.execute(
            select(NudgeOutbox.id, NudgeOutbox.state).where(
                NudgeOutbox.kind == REMINDER, NudgeOutbox.state != CANCELLED
            )
        ).all()
    return {int(row.id): str(row.state) for row in rows}


def unfinished(engine: Engine) -> int:
    return sum(state in UNFINISHED for state in decided(engine).values())


def count(engine: Engine, standin: SlackStandIn) -> Reminders:
    outbox = decided(engine)
    seen = received(standin)
    return Reminders(
        decided=len(outbox),
        received=sum(1 for found in seen if found in outbox),
        lost=sum(1 for found in outbox if seen[found] == 0),
        duplicated=sum(times - 1 for times in seen.values() if times > 1),
        unfinished=sum(state in UNFINISHED for state in outbox.values()),
    )
