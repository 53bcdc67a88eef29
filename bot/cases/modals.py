"""The case modals: reporting a compromised account, resolving a case, recording a charge,
rejecting a reimbursement, adding information. Pure builders; each carries its case (or charge)
in private_metadata, and the service checks everything again on submission."""

from __future__ import annotations

from typing import Any

from bot.cases.model import OUTCOME_WORDS, ChargesSeen, Outcome
from bot.cases.severity import SEVERITY_WORDS, Severity
from bot.core.blocks import Blocks, modal, mrkdwn, plain
from bot.core.i18n import N_, _
from bot.core.ids import Block, Callback
from bot.core.text import shorten

CHARGES_WORDS = {
    ChargesSeen.YES: N_("Yes, there are charges I didn't make"),
    ChargesSeen.NO: N_("No"),
    ChargesSeen.UNSURE: N_("I don't know yet"),
}
_OUTCOME_HINTS = {
    Outcome.CONTROL_RESTORED: N_("The owner has control again; suspended access is restored."),
    Outcome.FALSE_ALARM: N_("No compromise after all; suspended access is restored."),
    Outcome.NOT_RECOVERABLE: N_("The account cannot be given back; access stays suspended."),
}


def _text_input(
    block: Block, label: str, *, multiline: bool = False, max_length: int = 3000, hint: str = ""
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": block,
        "multiline": multiline,
        "max_length": max_length,
    }
    found: dict[str, Any] = {
        "type": "input",
        "block_id": block,
        "label": plain(label),
        "element": element,
    }
    if hint:
        found["hint"] = plain(hint)
    return found


def _radio(block: Block, label: str, options: list[tuple[str, str, str]]) -> dict[str, Any]:
    choices = []
    for value, text, description in options:
        option: dict[str, Any] = {"text": plain(text), "value": value}
        if description:
            option["description"] = plain(description)
        choices.append(option)
    return {
        "type": "input",
        "block_id": block,
        "label": plain(label),
        "element": {"type": "radio_buttons", "action_id": block, "options": choices},
    }


def report_modal(accounts: list[tuple[int, str]], metadata: str = "") -> dict[str, Any]:
    options = [
        {"text": plain(shorten(name, 75)), "value": str(account_id)}
        for account_id, name in accounts[:100]
    ]
    select: dict[str, Any] = {
        "type": "static_select",
        "action_id": Block.ACCOUNT,
        "options": options,
    }
    if len(options) == 1:
        select["initial_option"] = options[0]
    intro = _(
        "Tell us which business account someone else may be using. It goes straight to your "
        "account manager or the support team; to stop further access, a suspension of the "
        "account can be requested while it is investigated. Never write a password here."
    )
    blocks: Blocks = [
        {"type": "section", "text": mrkdwn(intro)},
        {"type": "input", "block_id": Block.ACCOUNT, "label": plain(_("Business account")), "element": select},
        _text_input(
            Block.WHAT_HAPPENED, _("What happened?"), multiline=True,
            hint=_("What you noticed and when: a login you don't recognise, changed settings, ads you didn't create…"),
        ),
        _radio(
            Block.CHARGES_SEEN, _("Are there charges you didn't make?"),
            [(seen.value, _(CHARGES_WORDS[seen]), "") for seen in ChargesSeen],
        ),
    ]  # fmt: skip
    return modal(Callback.CASE_REPORT, _("Report a compromise"), _("Report"), blocks, metadata)


def resolve_modal(number: int, metadata: str) -> dict[str, Any]:
    blocks: Blocks = [
        {
            "type": "section",
            "text": mrkdwn(_("Resolving case *#{number}*. The owner and whoever reported it get a "
                             "DM with the results and what they can do next.").format(number=number)),
        },
        _radio(
            Block.OUTCOME, _("Outcome"),
            [(o.value, _(OUTCOME_WORDS[o]), _(_OUTCOME_HINTS[o])) for o in Outcome],
        ),
        _text_input(Block.SUMMARY, _("What the investigation found"), multiline=True,
                    hint=_("The owner reads this. Never include a password.")),
    ]  # fmt: skip
    title = _("Resolve case #{number}").format(number=number)[:24]
    return modal(Callback.CASE_RESOLVE, title, _("Resolve"), blocks, metadata)


def charge_modal(number: int, metadata: str) -> dict[str, Any]:
    blocks: Blocks = [
        _text_input(Block.AMOUNT, _("Amount"), max_length=20, hint=_("For example 120.50")),
        _text_input(
            Block.CURRENCY, _("Currency"), max_length=3, hint=_("Three letters: EUR, USD…")
        ),
        _text_input(
            Block.DESCRIPTION, _("What was charged, and when"), multiline=True, max_length=500
        ),
    ]
    title = _("Charge on case #{number}").format(number=number)[:24]
    return modal(Callback.CASE_CHARGE, title, _("Record"), blocks, metadata)


def reject_modal(metadata: str) -> dict[str, Any]:
    blocks: Blocks = [
        _text_input(Block.REASON, _("Why is it rejected?"), multiline=True, max_length=500,
                    hint=_("The account's members read this.")),
    ]  # fmt: skip
    return modal(Callback.CHARGE_REJECT, _("Reject reimbursement"), _("Reject"), blocks, metadata)


def add_info_modal(number: int, metadata: str) -> dict[str, Any]:
    blocks: Blocks = [
        _text_input(Block.WHAT_HAPPENED, _("What would you like to add?"), multiline=True,
                    hint=_("Never write a password here.")),
    ]  # fmt: skip
    title = _("Case #{number}").format(number=number)[:24]
    return modal(Callback.CASE_ADD_INFO, title, _("Add"), blocks, metadata)


def severity_modal(number: int, metadata: str) -> dict[str, Any]:
    """The new severity and why, as `/security case severity` takes them."""
    options = [
        {"text": plain(_(SEVERITY_WORDS[level])), "value": level.value} for level in Severity
    ]
    blocks: Blocks = [
        {
            "type": "input",
            "block_id": Block.SEVERITY,
            "label": plain(_("New severity")),
            "element": {"type": "static_select", "action_id": Block.SEVERITY, "options": options},
        },
        _text_input(Block.REASON, _("Why does it change?"), multiline=True, max_length=500,
                    hint=_("On the case's timeline and in its thread.")),
    ]  # fmt: skip
    title = _("Severity of case #{number}").format(number=number)[:24]
    return modal(Callback.CASE_SEVERITY, title, _("Change"), blocks, metadata)


def ticket_modal(number: int, metadata: str) -> dict[str, Any]:
    """The platform's ticket or appeal reference and, if there is one, its answer, as
    `/security case ticket` takes them."""
    answer = _text_input(
        Block.ANSWER, _("What the platform answered"), multiline=True, max_length=3000,
        hint=_("Leave it empty while the platform has not answered."),
    )  # fmt: skip
    blocks: Blocks = [
        _text_input(
            Block.REFERENCE, _("Ticket or appeal reference"), max_length=200,
            hint=_("As the platform gave it, for example TT-4711."),
        ),
        answer | {"optional": True},
    ]  # fmt: skip
    title = _("Ticket of case #{number}").format(number=number)[:24]
    return modal(Callback.CASE_TICKET, title, _("Record"), blocks, metadata)


def value_of(view: dict[str, Any], block: Block) -> str:
    """A text input's value, or a selected option's value, from a submitted view."""
    entry = view["state"]["values"].get(block, {}).get(block, {})
    option = entry.get("selected_option")
    if isinstance(option, dict):
        return str(option.get("value") or "")
    value = entry.get("value")
    return value if isinstance(value, str) else ""
