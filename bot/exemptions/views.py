"""The exemption request modal and the messages about a request. Pure builders."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot.checklist.model import EXEMPTABLE, TITLES, BusinessAccountRef, Check
from bot.core.blocks import Blocks, modal, mrkdwn, plain
from bot.core.i18n import _, day, pgettext
from bot.core.ids import Action, Block, Callback
from bot.core.text import escape, mention, shorten
from bot.exemptions.service import REASON_LIMIT, ExemptionView, Status


def request_modal(
    accounts: list[BusinessAccountRef], check: Check | None, today: date
) -> dict[str, Any]:
    """Which check, which account, why, and until when; `check` preselected from its button."""
    checks = [{"text": plain(_(TITLES[found])), "value": found.value} for found in EXEMPTABLE]
    check_select: dict[str, Any] = {
        "type": "static_select",
        "action_id": Block.CHECK,
        "options": checks,
    }
    chosen = next((option for option in checks if option["value"] == check), None)
    if chosen is not None:
        check_select["initial_option"] = chosen
    account_select = {
        "type": "static_select",
        "action_id": Block.ACCOUNT,
        "options": [
            {"text": plain(shorten(account.name, 75)), "value": str(account.id)}
            for account in accounts[:100]
        ],
    }
    blocks: Blocks = [
        {
            "type": "section",
            "text": mrkdwn(
                _(
                    "When a check can't be met on one business account (a shared account whose "
                    "2-step verification the agency holds, say), ask for an exemption instead "
                    "of reminders. The account's manager or a security admin decides."
                )
            ),
        },
        {
            "type": "input",
            "block_id": Block.CHECK,
            "label": plain(pgettext("field label", "Check")),
            "element": check_select,
        },
        {
            "type": "input",
            "block_id": Block.ACCOUNT,
            "label": plain(_("Business account")),
            "element": account_select,
        },
        {
            "type": "input",
            "block_id": Block.REASON,
            "label": plain(_("Why can't it be met?")),
            "element": {
                "type": "plain_text_input",
                "action_id": Block.REASON,
                "multiline": True,
                "max_length": REASON_LIMIT,
            },
        },
        {
            "type": "input",
            "block_id": Block.ENDS_ON,
            "label": plain(_("Exempt until (last day)")),
            "element": {
                "type": "datepicker",
                "action_id": Block.ENDS_ON,
                "initial_date": (today + timedelta(days=90)).isoformat(),
            },
        },
    ]
    return modal(
        Callback.EXEMPTION_REQUEST,
        # Translators: a modal's title, at most 24 characters
        pgettext("modal title", "Request an exemption"),
        _("Send request"),
        blocks,
    )


def _about(exemption: ExemptionView) -> str:
    """ "2-step verification on Acme Ads until 31 Jan 2027" """
    # Translators: {check} is a check's name, {account} a business account, {date} a last day
    return _("*{check}* on *{account}* until {date}").format(
        check=_(TITLES[exemption.check]),
        account=escape(exemption.account_name, limit=150),
        date=day(exemption.until - timedelta(days=1), "UTC"),
    )


def _reason(exemption: ExemptionView) -> str:
    return _("Reason: {reason}").format(reason=escape(exemption.reason, limit=REASON_LIMIT))


def approver_message(exemption: ExemptionView) -> dict[str, Any]:
    """The DM to whoever decides: the request, Approve (a code follows) and Reject."""
    asks = _("{member} asks for an exemption: {about}.").format(
        member=mention(exemption.member), about=_about(exemption)
    )
    value = str(exemption.id)
    return {
        "text": _("An exemption request to decide on"),
        "blocks": [
            {"type": "section", "text": mrkdwn(asks)},
            {"type": "context", "elements": [mrkdwn(_reason(exemption))]},
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": Action.APPROVE_EXEMPTION,
                        "text": plain(_("Approve")),
                        "style": "primary",
                        "value": value,
                    },
                    {
                        "type": "button",
                        "action_id": Action.REJECT_EXEMPTION,
                        "text": plain(_("Reject")),
                        "style": "danger",
                        "value": value,
                    },
                ],
            },
        ],
    }


def decided_message(exemption: ExemptionView) -> dict[str, Any]:
    """The approver's DM once decided: the request, and the decision, without buttons."""
    asks = _("{member} asks for an exemption: {about}.").format(
        member=mention(exemption.member), about=_about(exemption)
    )
    decided = _decision(exemption)
    return {
        "text": decided,
        "blocks": [
            {"type": "section", "text": mrkdwn(asks)},
            {"type": "context", "elements": [mrkdwn(_reason(exemption))]},
            {"type": "section", "text": mrkdwn(decided)},
        ],
    }


def _decision(exemption: ExemptionView) -> str:
    person = mention(exemption.decided_by or "")
    if exemption.status is Status.APPROVED:
        return _("✅ Approved by {person}.").format(person=person)
    if exemption.status is Status.REJECTED:
        return _("❌ Rejected by {person}.").format(person=person)
    return _("Waiting for a decision.")


def requested_notice(exemption: ExemptionView, approvers: tuple[str, ...]) -> str:
    """What the member is told once the request is sent."""
    if not approvers:
        return _(
            "Your request for an exemption ({about}) is recorded, but no one is set up to "
            "decide on it: ask a security admin."
        ).format(about=_about(exemption))
    return _(
        "Your request for an exemption ({about}) is sent to {approvers}. Reminders about it "
        "go on until it is approved."
    ).format(about=_about(exemption), approvers=", ".join(map(mention, approvers)))


def member_decision(exemption: ExemptionView) -> dict[str, Any]:
    """The DM to the member about the decision."""
    person = mention(exemption.decided_by or "")
    if exemption.status is Status.APPROVED:
        text = _(
            "✅ {person} approved your exemption: {about}. No reminders about it until then; "
            "afterwards the check counts again."
        )
    else:
        text = _("❌ {person} rejected your exemption request ({about}). The check still applies.")
    said = text.format(person=person, about=_about(exemption))
    return {"text": said, "blocks": [{"type": "section", "text": mrkdwn(said)}]}
