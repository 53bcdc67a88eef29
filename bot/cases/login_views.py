"""Block Kit for "Was this you?": the question about a suspicious sign-in, and the same DM once
someone on the account answered it. Pure builders; the platform's words are escaped."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.cases.views import person
from bot.core.blocks import mrkdwn, plain
from bot.core.ids import Action
from bot.core.text import escape
from bot.core.words import slack_time
from bot.platform.views import report_button

ALREADY_ANSWERED = "Someone on the account has already answered about this sign-in."
CONFIRM_REASON = "confirm that a sign-in the platform found suspicious was yours"


def question_dm(
    alert_key: int,
    account_name: str,
    detected_at: datetime,
    detail: str,
    *,
    business_account_id: int | None = None,
) -> dict[str, Any]:
    name = escape(account_name, limit=150)
    text = (
        f"The platform saw a sign-in to *{name}* on {slack_time(detected_at)} that looked unusual."
        + (f"\n>{escape(detail, limit=500)}" if detail else "")
        + "\n*Was this you?* If it wasn't, I'll open a case at once, and a suspension of the "
        "account can be requested to stop further access. If it was, confirm with a code from "
        "your authenticator app."
    )
    value = str(alert_key)
    return {
        "text": "Was this you? A sign-in to your business account looked unusual",
        "blocks": [
            {"type": "header", "text": plain("🔐 Was this you?")},
            {"type": "section", "text": mrkdwn(text)},
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": Action.LOGIN_NOT_ME,
                        "text": plain("No, it wasn't me"),
                        "style": "danger",
                        "value": value,
                    },
                    {
                        "type": "button",
                        "action_id": Action.LOGIN_WAS_ME,
                        "text": plain("Yes, it was me"),
                        "value": value,
                    },
                    # like every alert DM: the case report form, set to the account
                    *([] if business_account_id is None else [report_button(business_account_id)]),
                ],
            },
        ],
    }


def answered_dm(account_name: str, actor: str, *, case: int | None) -> dict[str, Any]:
    name = escape(account_name, limit=150)
    if case is None:
        text = f"✅ {person(actor)} confirmed that the unusual sign-in to *{name}* was theirs."
    else:
        text = (
            f"🛡️ {person(actor)} said the unusual sign-in to *{name}* wasn't theirs, so case "
            f"*#{case}* is open. You'll hear what happens next."
        )
    return {"text": "Sign-in answered", "blocks": [{"type": "section", "text": mrkdwn(text)}]}
