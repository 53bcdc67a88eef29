"""Block Kit as readable terminal text, for the sandbox console. Pure: dicts in, strings out.

With `color=False` only plain text comes out (tests assert on it); with `color=True` mrkdwn
styles become ANSI escapes (sandbox/mrkdwn.py). Also here: what on a surface can be pressed or
filled in, numbered and named exactly as it is shown, and a modal's state as Slack keeps it.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sandbox import presets
from sandbox.mrkdwn import WIDTH as WIDTH
from sandbox.mrkdwn import mrkdwn as mrkdwn
from sandbox.mrkdwn import style as style
from sandbox.mrkdwn import text_of as text_of
from sandbox.mrkdwn import unescape as unescape
from sandbox.mrkdwn import width_of as width_of
from sandbox.mrkdwn import wrap as wrap

Block = Mapping[str, Any]
SELECTS = ("static_select", "radio_buttons")
TEXT_INPUTS = ("plain_text_input", "email_text_input")  # filled in with `type`
TYPED = (*TEXT_INPUTS, "datepicker", "users_select")  # `type` a day as 2027-01-31, a person @dana
MENUS = ("static_select", "overflow")  # in a message: picked like buttons


# -- what can be pressed or filled in ------------------------------------------------------------


@dataclass(frozen=True)
class Button:
    label: str
    action: dict[str, Any]  # the action as a block_actions payload carries it
    url: str | None = None
    # The first line of the section a button sits beside (its accessory): what tells apart
    # buttons that share a label, one per row ("Remind now" beside each member).
    beside: str = ""


@dataclass(frozen=True)
class Input:
    """An input block of a modal; `number` is what the console shows and `choose` accepts."""

    number: int
    block_id: str
    action_id: str
    label: str
    kind: str
    options: tuple[dict[str, Any], ...]
    optional: bool
    initial: dict[str, Any] | None = None  # submitted as it is unless chosen or typed over


def _block_id(block: Block, index: int) -> str:
    """Slack invents a block_id when the app gave none; so do we, the same way every time."""
    return str(block.get("block_id") or f"sandbox-{index}")


def _button(element: Mapping[str, Any], block_id: str, beside: str = "") -> Button:
    action = {
        "type": "button",
        "block_id": block_id,
        "action_id": element.get("action_id") or f"{block_id}-button",
        "text": dict(element.get("text") or {}),
    }
    action |= {key: element[key] for key in ("value", "style") if key in element}
    return Button(text_of(element.get("text")), action, element.get("url"), beside)


def buttons(blocks: Sequence[Block]) -> list[Button]:
    """Every button on a surface, top to bottom; each option of a menu in a message (a select or
    an overflow in an actions block) counts as a button labelled with the option."""
    found: list[Button] = []
    for index, block in enumerate(blocks):
        accessory = block.get("accessory") or {}
        elements = block.get("elements", []) if block.get("type") == "actions" else []
        for element in [accessory, *elements]:
            if element.get("type") == "button":
                beside = text_of(block.get("text")).split("\n")[0] if element is accessory else ""
                found.append(_button(element, _block_id(block, index), beside))
            elif element.get("type") in MENUS and element in elements:
                found.extend(_menu(element, _block_id(block, index)))
    return found


def _menu(element: Mapping[str, Any], block_id: str) -> list[Button]:
    action_id = element.get("action_id") or f"{block_id}-menu"
    return [
        Button(
            text_of(option.get("text")),
            {
                "type": element["type"],
                "block_id": block_id,
                "action_id": action_id,
                "selected_option": dict(option),
            },
        )
        for option in element.get("options") or []
    ]


def inputs(blocks: Sequence[Block]) -> list[Input]:
    found: list[Input] = []
    for index, block in enumerate(blocks):
        if block.get("type") == "input":
            element = block.get("element") or {}
            found.append(
                Input(
                    number=len(found) + 1,
                    block_id=_block_id(block, index),
                    action_id=str(element.get("action_id") or f"sandbox-{index}-input"),
                    label=text_of(block.get("label")),
                    kind=str(element.get("type", "")),
                    options=tuple(element.get("options") or ()),
                    optional=bool(block.get("optional")),
                    initial=presets.initial(element),
                )
            )
    return found


_PICKED = ("selected_conversation", "selected_channel", "selected_time")


def initial_values(blocks: Sequence[Block]) -> dict[str, Any]:
    """A modal's state as Slack starts it: each input's initial value, as if already chosen."""
    return {
        field.block_id: {field.action_id: copy.deepcopy(field.initial)}
        for field in inputs(blocks)
        if field.initial is not None
    }


def state_values(blocks: Sequence[Block], chosen: Mapping[str, Any]) -> dict[str, Any]:
    """Slack's view.state.values: every input, chosen or not, as {block_id: {action_id: ...}}."""
    values: dict[str, Any] = {}
    for field in inputs(blocks):
        empty = {"type": field.kind, "selected_option" if field.kind in SELECTS else "value": None}
        entry = (chosen.get(field.block_id) or {}).get(field.action_id)
        values[field.block_id] = {field.action_id: entry or field.initial or empty}
    return values


def chosen_label(values: Mapping[str, Any], field: Input) -> str | None:
    """What the member has chosen in an input so far (or what the app preset), by its label."""
    entry = (values.get(field.block_id) or {}).get(field.action_id) or field.initial or {}
    option = entry.get("selected_option")
    if option:
        return text_of(option.get("text"))
    options = entry.get("selected_options")
    if options:
        return ", ".join(text_of(found.get("text")) for found in options)
    label = presets.label_of(entry)
    if label:
        return label
    picked = next((entry[key] for key in _PICKED if entry.get(key)), None)
    return str(picked) if picked else None


# -- surfaces ------------------------------------------------------------------------------------


def button_row(row: Sequence[Button], *, color: bool, width: int = WIDTH) -> list[str]:
    """Buttons side by side; a link button's address below, since a terminal cannot hide it."""
    lines, line = [], ""
    for button in row:
        shown = style(f"[ {button.label} ]", button.action.get("style"), color=color)
        if line and width_of(f"{line}  {shown}") > width:
            lines.append(line)
            line = ""
        line = f"{line}  {shown}" if line else shown
    links = [style(f"  ↗ {button.url}", "dim", color=color) for button in row if button.url]
    return lines + ([line] if line else []) + links


def _context(block: Block, *, color: bool) -> str:
    parts = [
        f"[{element.get('alt_text', 'image')}]"
        if element.get("type") == "image"
        else text_of(element)
        for element in block.get("elements", [])
    ]
    return style("  ".join(parts), "dim", color=color)


def render_blocks(
    blocks: Sequence[Block],
    *,
    color: bool,
    width: int = WIDTH,
    values: Mapping[str, Any] | None = None,
    errors: Mapping[str, str] | None = None,
) -> list[str]:
    """Blocks as lines; in a modal, `values` (Slack's state.values) and `errors` fill inputs."""
    lines: list[str] = []
    numbered = {field.block_id: field for field in inputs(blocks)}
    for index, block in enumerate(blocks):
        kind = block.get("type")
        if kind == "header":
            heading = text_of(block.get("text"))
            lines += [
                style(heading, "bold", color=color),
                style("═" * width_of(heading), "dim", color=color),
            ]
        elif kind == "section":
            texts = [block["text"]] if block.get("text") else []
            for text in texts + list(block.get("fields", [])):
                lines.extend(wrap(text_of(text, color=color), width))
            accessory = block.get("accessory") or {}
            if accessory.get("type") == "button":
                shown = [_button(accessory, _block_id(block, index))]
                lines.extend("  " + line for line in button_row(shown, color=color, width=width))
        elif kind == "actions":
            lines.extend(button_row(buttons([block]), color=color, width=width))
        elif kind == "context":
            lines.extend(wrap(_context(block, color=color), width))
        elif kind == "divider":
            lines.append(style("─" * width, "dim", color=color))
        elif kind == "image":
            lines.append(f"[image: {block.get('alt_text', '')}]")
        elif kind == "input":
            field = numbered[_block_id(block, index)]
            error = (errors or {}).get(field.block_id)
            lines.extend(_input(field, values or {}, error, color=color))
        else:
            lines.append(style(f"[a {kind} block the sandbox cannot show]", "dim", color=color))
    return lines


def _input(field: Input, values: Mapping[str, Any], error: str | None, *, color: bool) -> list[str]:
    title = f"{field.number}. {field.label}" + (" (optional)" if field.optional else "")
    current = chosen_label(values, field)
    lines = [style(title, "bold", color=color)]
    for number, option in enumerate(field.options, start=1):
        label = text_of(option.get("text"))
        if field.kind == "radio_buttons":
            mark = "(•)" if label == current else "( )"
        else:
            mark = "▸" if label == current else " "
        line = f"  {mark} {number}) {label}"
        lines.append(style(line, "bold", color=color) if label == current else line)
    if field.kind in TYPED:
        what = {"datepicker": "<YYYY-MM-DD>", "users_select": "@name"}.get(field.kind, "<text>")
        typed = f"  [ {current} ]" if current else f"  (type {field.number} {what})"
        lines.append(style(typed, "bold" if current else "dim", color=color))
    elif field.kind not in SELECTS and current:
        kept = f"  [ {current} ]  (as it is: the sandbox cannot change a {field.kind})"
        lines.append(style(kept, "dim", color=color))
    elif field.kind not in SELECTS:
        lines.append(style(f"  (a {field.kind} the sandbox cannot fill in)", "dim", color=color))
    elif field.kind == "static_select" and current is None:
        lines.append(style("    (nothing chosen yet)", "dim", color=color))
    if error:
        lines.append(style(f"  ⚠ {unescape(error)}", "warning", color=color))
    return lines


def _framed(title: str, body: list[str], *, color: bool, width: int) -> str:
    top = f"┌─ {title} "
    framed = [style(top + "─" * max(3, width + 2 - width_of(top)), "bold", color=color)]
    framed += [f"│ {line}".rstrip() for line in body]
    framed.append(style("└" + "─" * (width + 1), "dim", color=color))
    return "\n".join(framed)


def render_message(
    message: Mapping[str, Any], *, sender: str, note: str = "", color: bool, width: int = WIDTH
) -> str:
    """A message as Slack shows it: the sender, a note such as "only visible to you", content."""
    blocks = message.get("blocks") or []
    if blocks:
        body = render_blocks(blocks, color=color, width=width)
    else:
        body = wrap(mrkdwn(str(message.get("text", "")), color=color), width)
    for shared in message.get("files") or []:  # an upload shared with the message
        size = f", {shared['size']:,} bytes" if "size" in shared else ""
        body.append(
            style(f"📎 {shared.get('title')} ({shared.get('name')}{size})", "dim", color=color)
        )
    return _framed(sender + (f" · {note}" if note else ""), body, color=color, width=width)


def render_home(view: Mapping[str, Any], *, app: str, color: bool, width: int = WIDTH) -> str:
    body = render_blocks(view.get("blocks") or [], color=color, width=width)
    return _framed(f"{app} · Home tab", body, color=color, width=width)


def render_modal(
    view: Mapping[str, Any],
    *,
    values: Mapping[str, Any],
    errors: Mapping[str, str] | None = None,
    color: bool,
    width: int = WIDTH,
) -> str:
    """A modal with its inputs numbered, what is chosen so far, errors next to their inputs."""
    blocks = view.get("blocks") or []
    body = render_blocks(blocks, color=color, width=width, values=values, errors=errors)
    close = text_of(view.get("close")) or "Cancel"
    row = [style(f"[ {close} ]", None, color=color)]
    if view.get("submit"):
        row.append(style(f"[ {text_of(view['submit'])} ]", "primary", color=color))
    body += ["", "  ".join(row)]
    title = text_of(view.get("title")) or "Modal"
    return _framed(f"{title} (a modal)", body, color=color, width=width)
