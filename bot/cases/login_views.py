"""Block Kit for "Was this you?": the question about a suspicious sign-in, and the same DM once
someone on the account answered it. Pure builders; the platform's words are escaped."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.cases.wording import person
from bot.core.blocks import mrkdwn, plain
from bot.core.i18n import N_, _
from bot.core.ids import Action
from bot.core.text import escape
from bot.core.words import slack_time
from bot.platform.views import report_button

ALREADY_ANSWERED = N_("Someone on the account has already answered about this sign-in.")
# Translators: completes "To …, I need a current code".
CONFIRM_REASON = N_("confirm that a sign-in the platform found suspicious was yours")


def question_dm(
    alert_key: int,
    account_name: str,
    detected_at: datetime,
    detail: str,
    *,
    business_account_id: int | None = None,
) -> dict[str, Any]:
    name = escape(account_name, limit=150)
    saw = _("The platform saw a sign-in to *{account}* on {when} that looked unusual.").format(
        account=name, when=slack_time(detected_at)
    )
    ask = _(
        "*Was this you?* If it wasn't, I'll open a case at once, and a suspension of the account "
        "can be requested to stop further access. If it was, confirm with a code from your "
        "authenticator app."
    )
    quoted = f"\n>{escape(detail, limit=500)}" if detail else ""
    text = f"{saw}{quoted}\n{ask}"
    value = str(alert_key)
    return {
        "text": _("Was this you? A sign-in to your business account looked unusual"),
        "blocks": [
            {"type": "header", "text": plain(_("🔐 Was this you?"))},
            {"type": "section", "text": mrkdwn(text)},
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": Action.LOGIN_NOT_ME,
                        "text": plain(_("No, it wasn't me")),
                        "style": "danger",
                        "value": value,
                    },
                    {
                        "type": "button",
                        "action_id": Action.LOGIN_WAS_ME,
                        "text": plain(_("Yes, it was me")),
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
        text = _(
            "✅ {person} confirmed that the unusual sign-in to *{account}* was theirs."
        ).format(person=person(actor), account=name)
    else:
        text = _(
            "🛡️ {person} said the unusual sign-in to *{account}* wasn't theirs, so case "
            "*#{number}* is open. You'll hear what happens next."
        ).format(person=person(actor), account=name, number=case)
    return {"text": _("Sign-in answered"), "blocks": [{"type": "section", "text": mrkdwn(text)}]}
