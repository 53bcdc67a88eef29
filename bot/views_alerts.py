"""Block Kit for the platform's alerts: the DMs about a compromised password (to each member and
to the account manager), the same DMs once resolved, and the note to security admins about an
alert naming an unknown account. Pure builders: plain values in, plain dicts out.

Everything the platform or the directory wrote (detail, account names, ids) is escaped, so an
alert cannot mention, link or notify anyone.
"""

from __future__ import annotations

from typing import Any

from bot.alert_document import AlertDocument
from bot.alerts import PLATFORM, AlertNotice, ClosedAlert, Role, remediation_time
from bot.text import escape, slack_date
from bot.views import Blocks, mrkdwn, plain
from handlers.ids import Action, Surface, button_value

TIKTOK = "tiktok_business"
CHANGE_STEPS = {
    TIKTOK: (
        "1. Log in to your TikTok for Business account, click your profile picture, then "
        "*User Settings*, then *Account Security*, and change the password.\n"
        "2. Choose a new password of 6 to 20 characters with letters, numbers and special "
        "characters, that you use nowhere else.\n"
    ),
}
GENERIC_STEPS = (
    "1. Log in to the platform and change the password in its account security settings.\n"
    "2. Choose a long new password (at least 8 characters) that you use nowhere else.\n"
)
LAST_STEP = (
    "3. Press *I've changed it*. I'll send you a one-time page to check the new password: "
    "it is never typed into Slack, and I'll never ask for it in a DM."
)
ROTATION_REASON = "check the new password after a compromised-password alert"
LINK_REASON = "You said you've changed the password the platform reported compromised."


def compromised_dm(notice: AlertNotice, role: Role) -> dict[str, Any]:
    """What happened, what the platform recommends, the steps, and "I've changed it"."""
    name = escape(notice.account_name, limit=150)
    if role is Role.MANAGER:
        told = f"{notice.members} member{'s' if notice.members != 1 else ''}"
        title = "Compromised password on a business account you manage"
        body = (
            f"The platform reported {slack_date(notice.detected_at)} that the password of "
            f"*{name}* has been compromised. It recommends changing the password immediately. "
            f"I've asked the account's {told} to change it; this message will say when it's done."
        )
    else:
        title = "Your business account's password has been compromised"
        body = (
            f"The platform reported {slack_date(notice.detected_at)} that the password of "
            f"*{name}* has been compromised: someone else may be able to log in. "
            "*The platform recommends changing the password immediately.*"
        )
    blocks: Blocks = [
        {"type": "header", "text": plain("🚨 " + title)},
        {"type": "section", "text": mrkdwn(body)},
    ]
    if notice.detail:
        blocks.append({"type": "section", "text": mrkdwn(_quote("The platform says", notice))})
    if role is Role.MEMBER:
        steps = CHANGE_STEPS.get(notice.platform, GENERIC_STEPS) + LAST_STEP
        blocks.append({"type": "section", "text": mrkdwn("*What to do now*\n" + steps)})
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": Action.PASSWORD_CHANGED,
                        "value": button_value(Surface.ALERT, notice.business_account_id),
                        "text": plain("I've changed it"),
                        "style": "primary",
                    }
                ],
            }
        )
    blocks.append(
        {
            "type": "context",
            "elements": [mrkdwn(f"Platform alert `{escape(notice.platform_alert_id)}`")],
        }
    )
    return {"text": f"🚨 The password of {name} has been compromised", "blocks": blocks}


def resolved_dm(closed: ClosedAlert) -> dict[str, Any]:
    """The alert DM, updated in place: resolved, by whom, and how long it took."""
    name = escape(closed.account_name, limit=150)
    took = remediation_time(closed.time_to_remediate)
    if closed.closed_by == PLATFORM:  # a posture report's password_changed_at
        line = (
            f"✅ *Resolved: the password of {name} was changed*\n"
            f"The platform reports the password was changed {took} after it detected the "
            f"compromise (reported {slack_date(closed.closed_at)})."
        )
    else:
        line = (
            f"✅ *Resolved: the password of {name} was changed*\n"
            f"<@{closed.closed_by}> changed it and the new password passed the check "
            f"{slack_date(closed.closed_at)}, {took} after the platform detected the compromise."
        )
    return {
        "text": f"✅ Resolved: the password of {name} was changed, {took} after the alert",
        "blocks": [
            {"type": "section", "text": mrkdwn(line)},
            {
                "type": "context",
                "elements": [mrkdwn(f"Platform alert `{escape(closed.platform_alert_id)}`")],
            },
        ],
    }


def unknown_account_dm(document: AlertDocument, reason: str) -> dict[str, Any]:
    """To security admins: an alert nobody could be told about, and what to do about it."""
    account = escape(document.account_id, limit=64)
    body = (
        "*An alert from the platform names a business account I can't place*\n"
        f"A `{document.kind.value}` alert (id `{escape(document.id)}`) for "
        f"account id `{account}` was refused ({escape(reason)}), so nobody has been told. "
        "If the account is yours, add it with `python app.py import accounts FILE` and ask the "
        "platform to send the alert again."
    )
    return {
        "text": f"⚠️ A platform alert names an account I can't place ({account})",
        "blocks": [{"type": "section", "text": mrkdwn("⚠️ " + body)}],
    }


def _quote(heading: str, notice: AlertNotice) -> str:
    quoted = "\n".join("> " + line for line in escape(notice.detail, limit=1500).split("\n"))
    return f"*{heading}:*\n{quoted}"
