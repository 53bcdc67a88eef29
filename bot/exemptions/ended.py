"""When an approved exemption ends: one audit record, `exemption.expired`, and a DM telling the
member that the check is due again. Run by every full reminder sweep (bot/nudges/service.py), so
by the scheduled job, `nudge run-once` and the sandbox's `nudge`.

Exactly once, whatever the number of processes: the end is marked by one conditional UPDATE
(storage/exemptions.claim_ended), and only the transaction that marked an exemption writes its
audit record and its DM. The DM goes through the reminders' outbox, keyed by (member,
"exemption_ended", exemption id), so it is sent once, at Slack's pace and inside the member's
working hours, with the outbox's retries and its check for a copy already sent.

The checklist and the sweep need nothing of this: they read the end date itself
(bot/checklist/exempting.py), so the check counts again from the first moment after it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bot.checklist.model import CHECKS, TITLES
from bot.core import audit
from bot.core.blocks import mrkdwn
from bot.core.clock import Clock
from bot.core.i18n import _, day
from bot.core.text import escape
from bot.nudges.outbox import EXEMPTION_ENDED
from storage import exemptions as store
from storage import nudges as nudge_store
from storage.database import Database


def expire_ended(database: Database, clock: Clock) -> int:
    """Record every approved exemption that has ended since the last look; how many."""
    now = clock.now()
    with database.sessions.begin() as session:
        ended = store.claim_ended(session, now)
        messages = []
        for row in ended:
            last_day = (row.ends_at - timedelta(days=1)).date()
            audit.record(
                session,
                at=now,
                actor=audit.SYSTEM,
                action="exemption.expired",
                target=f"exemption:{row.exemption_id}",
                member=row.member_slack_id,
                business_account=row.business_account_id,
                check=row.check,
                last_day=last_day.isoformat(),
                approved_by=row.decided_by,
            )
            if row.member_slack_id is None:
                continue  # never linked to Slack: nobody to tell
            messages.append(
                {
                    "recipient": row.member_slack_id,
                    "kind": EXEMPTION_ENDED,
                    "round_number": row.exemption_id,  # one DM per exemption, ever
                    "member_id": row.member_id,
                    "payload": {
                        "exemption": row.exemption_id,
                        "check": row.check,
                        "account": row.account_name,
                        "last_day": last_day.isoformat(),
                        "time_zone": row.time_zone,
                    },
                    "urgent": False,
                }
            )
        nudge_store.insert_messages(session, messages, now)
    return len(ended)


def ended_message(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The member's DM: which exemption ended, and that the check counts again."""
    check = CHECKS.get(str(payload.get("check")))
    title = _(TITLES[check]) if check is not None else str(payload.get("check"))
    last_day = date.fromisoformat(str(payload.get("last_day")))
    text = _(
        "⏰ Your exemption from *{check}* on *{account}* ended with {date}. The check counts "
        "again: if it still needs something from you, reminders about it start over. "
        "`/security status` shows where it stands."
    ).format(
        check=title,
        account=escape(str(payload.get("account") or ""), limit=150),
        date=day(_noon(last_day), "UTC"),
    )
    return {"text": text, "blocks": [{"type": "section", "text": mrkdwn(text)}]}


def _noon(when: date) -> datetime:
    return datetime.combine(when, time(12), tzinfo=UTC)
