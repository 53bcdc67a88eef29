"""Block Kit for the platform's alerts: the DMs about a compromised password (to each member and
to the account manager), the same DMs once reported changed or resolved, the offer to link an
authenticator after the rotation link, and the note to security admins about an alert naming an
unknown account. Pure builders: plain values in, plain dicts out.

Accounts are named as people know them (`account_label`), people by mention, and times in the
reader's own zone (`slack_time`). Everything the platform or the directory wrote (detail,
account names, ids) is escaped, so an alert cannot mention, link or notify anyone.
"""

from __future__ import annotations

from typing import Any

from bot.core.blocks import Blocks, mrkdwn, plain
from bot.core.ids import Action, Surface, button_value
from bot.core.text import escape
from bot.core.words import account_label, plural, slack_time
from bot.platform.alert_document import AlertDocument
from bot.platform.alerts import AlertNotice
from bot.platform.compromised import ClosedAlert, Role, remediation_time

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
REPORT_HINT = (
    "Seen anything you didn't do (logins, changed settings, ads, charges)? Press *Report "
    "unauthorized activity*: it opens a case with your account manager or the support team."
)
ROTATION_REASON = "check the new password after a compromised-password alert"
LINK_REASON = "You said you've changed the password the platform reported compromised."
LINK_OFFER = (
    "I've sent you a one-time link in a DM to check the new password. "
    "When you have a minute, link an authenticator app to the bot: then a code from it confirms "
    "it's really you before sensitive actions like this one."
)


def report_button(business_account_id: int) -> dict[str, Any]:
    """ "Report unauthorized activity": the case report form, set to the alert's account."""
    return {
        "type": "button",
        "action_id": Action.REPORT_FROM_ALERT,
        "value": button_value(Surface.ALERT, business_account_id),
        "text": plain("Report unauthorized activity"),
    }


def compromised_dm(notice: AlertNotice, role: Role) -> dict[str, Any]:
    """What happened, what the platform recommends, the steps, "I've changed it", and "Report
    unauthorized activity"."""
    name = escape(
        account_label(notice.platform, notice.account_name, notice.platform_account_id), limit=200
    )
    detected = slack_time(notice.detected_at)
    if role is Role.MANAGER:
        told = plural(notice.members, "member")
        title = "Compromised password on a business account you manage"
        body = (
            f"The platform reported that the password of *{name}* has been compromised "
            f"(detected {detected}). It recommends changing the password immediately. "
            f"I've asked the account's {told} to change it; this message will say when it's done."
        )
    else:
        title = "Your business account's password has been compromised"
        body = (
            f"The platform reported that the password of *{name}* has been compromised "
            f"(detected {detected}): someone else may be able to log in. "
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
        blocks.append({"type": "section", "text": mrkdwn(REPORT_HINT)})
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
                    },
                    report_button(notice.business_account_id),
                ],
            }
        )
    blocks.append(_alert_context(notice.platform_alert_id))
    return {"text": f"🚨 The password of {name} has been compromised", "blocks": blocks}


def resolved_dm(closed: ClosedAlert, role: Role = Role.MEMBER) -> dict[str, Any]:
    """The alert DM, updated in place: reported changed and waiting for the platform (a member
    can still report unauthorized activity), or resolved once the platform confirmed the change,
    and how long it took."""
    name = escape(
        account_label(closed.platform, closed.account_name, closed.platform_account_id), limit=200
    )
    took = remediation_time(closed.time_to_remediate)
    when = slack_time(closed.closed_at)
    if closed.waiting:
        line = (
            f"⏳ *Waiting for the platform: the password of {name} was reported changed*\n"
            f"<@{closed.closed_by}> said {when} that they changed it, {took} after the platform "
            "detected the compromise. This message will say when the platform confirms it."
        )
        text = f"⏳ The password of {name} was reported changed: waiting for the platform"
        blocks: Blocks = [{"type": "section", "text": mrkdwn(line)}]
        if role is Role.MEMBER:
            report = report_button(closed.business_account_id)
            blocks.append({"type": "actions", "elements": [report]})
        blocks.append(_alert_context(closed.platform_alert_id))
        return {"text": text, "blocks": blocks}
    line = (  # only the platform closes an alert as rotated: a posture report's password change
        f"✅ *Resolved: the password of {name} was changed*\n"
        f"The platform reports the password was changed {took} after it detected the "
        f"compromise (reported {when})."
    )
    return {
        "text": f"✅ Resolved: the password of {name} was changed, {took} after the alert",
        "blocks": [
            {"type": "section", "text": mrkdwn(line)},
            _alert_context(closed.platform_alert_id),
        ],
    }


def link_offer() -> dict[str, Any]:
    """After the rotation link, to a member without an authenticator: offered, never forced."""
    return {
        "text": LINK_OFFER,
        "blocks": [
            {
                "type": "section",
                "text": mrkdwn(LINK_OFFER),
                "accessory": {
                    "type": "button",
                    "action_id": Action.LINK_AUTHENTICATOR,
                    "text": plain("Link an authenticator app"),
                },
            }
        ],
    }


def _alert_context(platform_alert_id: str) -> dict[str, Any]:
    return {
        "type": "context",
        "elements": [mrkdwn(f"Platform alert `{escape(platform_alert_id)}`")],
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
