"""The case modals: reporting a compromised account, resolving a case, recording a charge,
rejecting a reimbursement, adding information. Pure builders; each carries its case (or charge)
in private_metadata, and the service checks everything again on submission."""

from __future__ import annotations

from typing import Any

from bot.cases.model import OUTCOME_WORDS, ChargesSeen, Outcome
from bot.core.blocks import Blocks, modal, mrkdwn, plain
from bot.core.ids import Block, Callback
from bot.core.text import shorten

CHARGES_WORDS = {
    ChargesSeen.YES: "Yes, there are charges I didn't make",
    ChargesSeen.NO: "No",
    ChargesSeen.UNSURE: "I don't know yet",
}
_OUTCOME_HINTS = {
    Outcome.CONTROL_RESTORED: "The owner has control again; suspended access is restored.",
    Outcome.FALSE_ALARM: "No compromise after all; suspended access is restored.",
    Outcome.NOT_RECOVERABLE: "The account cannot be given back; access stays suspended.",
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
    intro = (
        "Tell us which business account someone else may be using. It goes straight to your "
        "account manager or the support team; to stop further access, a suspension of the "
        "account can be requested while it is investigated. Never write a password here."
    )
    blocks: Blocks = [
        {"type": "section", "text": mrkdwn(intro)},
        {"type": "input", "block_id": Block.ACCOUNT, "label": plain("Business account"), "element": select},
        _text_input(
            Block.WHAT_HAPPENED, "What happened?", multiline=True,
            hint="What you noticed and when: a login you don't recognise, changed settings, ads you didn't create…",
        ),
        _radio(
            Block.CHARGES_SEEN, "Are there charges you didn't make?",
            [(seen.value, CHARGES_WORDS[seen], "") for seen in ChargesSeen],
        ),
    ]  # fmt: skip
    return modal(Callback.CASE_REPORT, "Report a compromise", "Report", blocks, metadata)


def resolve_modal(number: int, metadata: str) -> dict[str, Any]:
    blocks: Blocks = [
        {
            "type": "section",
            "text": mrkdwn(f"Resolving case *#{number}*. The owner and whoever reported it get a "
                           "DM with the results and what they can do next."),
        },
        _radio(
            Block.OUTCOME, "Outcome",
            [(o.value, OUTCOME_WORDS[o], _OUTCOME_HINTS[o]) for o in Outcome],
        ),
        _text_input(Block.SUMMARY, "What the investigation found", multiline=True,
                    hint="The owner reads this. Never include a password."),
    ]  # fmt: skip
    return modal(Callback.CASE_RESOLVE, f"Resolve case #{number}"[:24], "Resolve", blocks, metadata)


def charge_modal(number: int, metadata: str) -> dict[str, Any]:
    blocks: Blocks = [
        _text_input(Block.AMOUNT, "Amount", max_length=20, hint="For example 120.50"),
        _text_input(Block.CURRENCY, "Currency", max_length=3, hint="Three letters: EUR, USD…"),
        _text_input(
            Block.DESCRIPTION, "What was charged, and when", multiline=True, max_length=500
        ),
    ]
    return modal(Callback.CASE_CHARGE, f"Charge on case #{number}"[:24], "Record", blocks, metadata)


def reject_modal(metadata: str) -> dict[str, Any]:
    blocks: Blocks = [
        _text_input(Block.REASON, "Why is it rejected?", multiline=True, max_length=500,
                    hint="The account's members read this."),
    ]  # fmt: skip
    return modal(Callback.CHARGE_REJECT, "Reject reimbursement", "Reject", blocks, metadata)


def add_info_modal(number: int, metadata: str) -> dict[str, Any]:
    blocks: Blocks = [
        _text_input(Block.WHAT_HAPPENED, "What would you like to add?", multiline=True,
                    hint="Never write a password here."),
    ]  # fmt: skip
    return modal(Callback.CASE_ADD_INFO, f"Case #{number}"[:24], "Add", blocks, metadata)


def value_of(view: dict[str, Any], block: Block) -> str:
    """A text input's value, or a selected option's value, from a submitted view."""
    entry = view["state"]["values"].get(block, {}).get(block, {})
    option = entry.get("selected_option")
    if isinstance(option, dict):
        return str(option.get("value") or "")
    value = entry.get("value")
    return value if isinstance(value, str) else ""
