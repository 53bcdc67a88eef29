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
from bot.core.i18n import N_, _, ngettext, number
from bot.core.ids import Action, Surface, button_value
from bot.core.text import escape
from bot.core.words import account_label, slack_time
from bot.platform.alert_document import AlertDocument
from bot.platform.alerts import AlertNotice
from bot.platform.compromised import ClosedAlert, Role, remediation_time

# The texts below are catalogue texts: shown with `_()` where they are read.
TIKTOK = "tiktok_business"
CHANGE_STEPS = {
    # Translators: *User Settings* and *Account Security* are TikTok's menu labels: keep them in
    # English, as we do not know for sure how TikTok names them in your language
    TIKTOK: N_(
        "1. Log in to your TikTok for Business account, click your profile picture, then "
        "*User Settings*, then *Account Security*, and change the password.\n"
        "2. Choose a new password of 6 to 20 characters with letters, numbers and special "
        "characters, that you use nowhere else.\n"
    ),
}
GENERIC_STEPS = N_(
    "1. Log in to the platform and change the password in its account security settings.\n"
    "2. Choose a long new password (at least 8 characters) that you use nowhere else.\n"
)
LAST_STEP = N_(
    "3. Press *I've changed it*. I'll send you a one-time page to check the new password: "
    "it is never typed into Slack, and I'll never ask for it in a DM."
)
REPORT_HINT = N_(
    "Seen anything you didn't do (logins, changed settings, ads, charges)? Press *Report "
    "unauthorized activity*: it opens a case with your account manager or the support team."
)
# Translators: completes "To …, I need a code from an authenticator app linked to the bot"
ROTATION_REASON = N_("check the new password after a compromised-password alert")
LINK_REASON = N_("You said you've changed the password the platform reported compromised.")
LINK_OFFER = N_(
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
        "text": plain(_("Report unauthorized activity")),
    }


def compromised_dm(notice: AlertNotice, role: Role) -> dict[str, Any]:
    """What happened, what the platform recommends, the steps, "I've changed it", and "Report
    unauthorized activity"."""
    name = escape(
        account_label(notice.platform, notice.account_name, notice.platform_account_id), limit=200
    )
    detected = slack_time(notice.detected_at)
    if role is Role.MANAGER:
        title = _("Compromised password on a business account you manage")
        body = ngettext(
            "The platform reported that the password of *{name}* has been compromised "
            "(detected {detected}). It recommends changing the password immediately. "
            "I've asked the account's {count} member to change it; this message will say when "
            "it's done.",
            "The platform reported that the password of *{name}* has been compromised "
            "(detected {detected}). It recommends changing the password immediately. "
            "I've asked the account's {count} members to change it; this message will say when "
            "it's done.",
            notice.members,
        ).format(name=name, detected=detected, count=number(notice.members))
    else:
        title = _("Your business account's password has been compromised")
        body = _(
            "The platform reported that the password of *{name}* has been compromised "
            "(detected {detected}): someone else may be able to log in. "
            "*The platform recommends changing the password immediately.*"
        ).format(name=name, detected=detected)
    blocks: Blocks = [
        {"type": "header", "text": plain("🚨 " + title)},
        {"type": "section", "text": mrkdwn(body)},
    ]
    if notice.detail:
        blocks.append({"type": "section", "text": mrkdwn(_quote(notice))})
    if role is Role.MEMBER:
        steps = _(CHANGE_STEPS.get(notice.platform, GENERIC_STEPS)) + _(LAST_STEP)
        blocks.append({"type": "section", "text": mrkdwn(_("*What to do now*") + "\n" + steps)})
        blocks.append({"type": "section", "text": mrkdwn(_(REPORT_HINT))})
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": Action.PASSWORD_CHANGED,
                        "value": button_value(Surface.ALERT, notice.business_account_id),
                        "text": plain(_("I've changed it")),
                        "style": "primary",
                    },
                    report_button(notice.business_account_id),
                ],
            }
        )
    blocks.append(_alert_context(notice.platform_alert_id))
    text = _("🚨 The password of {name} has been compromised").format(name=name)
    return {"text": text, "blocks": blocks}


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
        line = _(
            "⏳ *Waiting for the platform: the password of {name} was reported changed*\n"
            "{person} said {when} that they changed it, {took} after the platform "
            "detected the compromise. This message will say when the platform confirms it."
        ).format(name=name, person=f"<@{closed.closed_by}>", when=when, took=took)
        text = _("⏳ The password of {name} was reported changed: waiting for the platform").format(
            name=name
        )
        blocks: Blocks = [{"type": "section", "text": mrkdwn(line)}]
        if role is Role.MEMBER:
            report = report_button(closed.business_account_id)
            blocks.append({"type": "actions", "elements": [report]})
        blocks.append(_alert_context(closed.platform_alert_id))
        return {"text": text, "blocks": blocks}
    # Only the platform closes an alert as rotated: a posture report's password change.
    line = _(
        "✅ *Resolved: the password of {name} was changed*\n"
        "The platform reports the password was changed {took} after it detected the "
        "compromise (reported {when})."
    ).format(name=name, took=took, when=when)
    return {
        "text": _("✅ Resolved: the password of {name} was changed, {took} after the alert").format(
            name=name, took=took
        ),
        "blocks": [
            {"type": "section", "text": mrkdwn(line)},
            _alert_context(closed.platform_alert_id),
        ],
    }


def link_offer() -> dict[str, Any]:
    """After the rotation link, to a member without an authenticator: offered, never forced."""
    offer = _(LINK_OFFER)
    return {
        "text": offer,
        "blocks": [
            {
                "type": "section",
                "text": mrkdwn(offer),
                "accessory": {
                    "type": "button",
                    "action_id": Action.LINK_AUTHENTICATOR,
                    "text": plain(_("Link an authenticator app")),
                },
            }
        ],
    }


def _alert_context(platform_alert_id: str) -> dict[str, Any]:
    return {
        "type": "context",
        "elements": [mrkdwn(_("Platform alert `{id}`").format(id=escape(platform_alert_id)))],
    }


def unknown_account_dm(document: AlertDocument, reason: str) -> dict[str, Any]:
    """To security admins: an alert nobody could be told about, and what to do about it."""
    account = escape(document.account_id, limit=64)
    body = _(
        "*An alert from the platform names a business account I can't place*\n"
        "A `{kind}` alert (id `{id}`) for account id `{account}` was refused ({reason}), so "
        "nobody has been told. If the account is yours, add it with "
        "`python app.py import accounts FILE` and ask the platform to send the alert again."
    ).format(
        kind=document.kind.value,
        id=escape(document.id),
        account=account,
        reason=escape(_(reason)),  # the API's reason (English there), in the admin's language
    )
    return {
        "text": _("⚠️ A platform alert names an account I can't place ({account})").format(
            account=account
        ),
        "blocks": [{"type": "section", "text": mrkdwn("⚠️ " + body)}],
    }


def _quote(notice: AlertNotice) -> str:
    """The platform's own words (its language, whatever the reader's), quoted."""
    quoted = "\n".join("> " + line for line in escape(notice.detail, limit=1500).split("\n"))
    return _("*The platform says:*") + "\n" + quoted
