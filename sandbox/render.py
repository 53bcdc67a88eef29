"""Block Kit as readable terminal text, for the sandbox console. Pure: dicts in, strings out.

With `color=False` only plain text comes out (tests assert on it); with `color=True` mrkdwn
styles become ANSI escapes. Also here: what on a surface can be pressed or filled in, numbered
and named exactly as it is shown.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sandbox import presets

Block = Mapping[str, Any]
WIDTH = 80  # the text column; with the frame every line stays well within 100 characters
SELECTS = ("static_select", "radio_buttons")
TEXT_INPUTS = ("plain_text_input", "email_text_input")  # filled in with `type`
TYPED = (*TEXT_INPUTS, "datepicker", "users_select")  # `type` a day as 2027-01-31, a person @dana
MENUS = ("static_select", "overflow")  # in a message: picked like buttons
STYLES = {
    "bold": ("\x1b[1m", "\x1b[22m"),
    "italic": ("\x1b[3m", "\x1b[23m"),
    "strike": ("\x1b[9m", "\x1b[29m"),
    "underline": ("\x1b[4m", "\x1b[24m"),
    "code": ("\x1b[36m", "\x1b[39m"),
    "dim": ("\x1b[90m", "\x1b[39m"),
    "primary": ("\x1b[1;32m", "\x1b[22;39m"),
    "danger": ("\x1b[1;31m", "\x1b[22;39m"),
    "warning": ("\x1b[33m", "\x1b[39m"),
}
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_TOKEN = re.compile(r"```(.+?)```|`([^`\n]+)`|<([^<>\n]+)>", re.DOTALL)
_HOLE = re.compile("[\ue000-\uf8ff]")  # private-use characters hold finished pieces in place
_ENTITY = re.compile(r"&(lt|gt|amp);")
_MARKS = (
    ("bold", re.compile(r"(?<!\w)\*(?=\S)([^*\n]*?\S)\*(?!\w)")),
    ("italic", re.compile(r"(?<![\w_])_(?=\S)([^_\n]*?\S)_(?![\w_])")),
    ("strike", re.compile(r"(?<!\w)~(?=\S)([^~\n]*?\S)~(?!\w)")),
)


def style(text: str, name: str | None, *, color: bool) -> str:
    if not color or not text or name not in STYLES:
        return text
    start, end = STYLES[name]
    return f"{start}{text}{end}"


def width_of(text: str) -> int:
    """Columns `text` takes in a terminal: escapes take none, emoji take two."""
    columns = 0
    for char in _ANSI.sub("", text):
        if not unicodedata.combining(char) and char not in "\ufe0f\u200d":
            columns += 2 if unicodedata.east_asian_width(char) in "WF" else 1
    return columns


def wrap(text: str, width: int = WIDTH) -> list[str]:
    """Greedy word wrap by visible width; a bullet's later lines hang under its first word."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        hang = " " * (len(paragraph) - len(paragraph.lstrip()))
        hang += "  " if paragraph.lstrip().startswith(("• ", "- ")) else ""
        first, *rest = paragraph.lstrip().split(" ")
        line = paragraph[: len(paragraph) - len(paragraph.lstrip())] + first  # indent kept
        for word in rest:
            if width_of(f"{line} {word}") > width:
                lines.append(line)
                line = hang + word
            else:
                line = f"{line} {word}"
        lines.append(line)
    return lines


def unescape(text: str) -> str:
    return _ENTITY.sub(lambda m: {"lt": "<", "gt": ">", "amp": "&"}[m.group(1)], text)


def mrkdwn(text: str, *, color: bool) -> str:
    """Slack's mrkdwn for the terminal: styles, mentions, links and dates made readable."""
    pieces: list[str] = []

    def hold(rendered: str) -> str:
        pieces.append(rendered)
        return chr(0xE000 + len(pieces) - 1)

    def token(match: re.Match[str]) -> str:
        block, code, angle = match.groups()
        if block is not None:
            return hold(style(unescape(block.strip("\n")), "code", color=color))
        if code is not None:
            return hold(
                style(unescape(code), "code", color=True) if color else f"`{unescape(code)}`"
            )
        return hold(_angle(angle, color=color))

    text = _TOKEN.sub(token, text)
    for name, pattern in _MARKS:
        text = pattern.sub(_marker(name, color), text)
    return _HOLE.sub(lambda m: pieces[ord(m.group(0)) - 0xE000], unescape(text))


def _marker(name: str, color: bool) -> Callable[[re.Match[str]], str]:
    def marked(match: re.Match[str]) -> str:
        inner = match.group(1)
        if color:
            return style(inner, name, color=True)
        return f"~{inner}~" if name == "strike" else inner

    return marked


def _angle(inside: str, *, color: bool) -> str:
    """`<...>` in mrkdwn: a mention, a special word, a date, or a link."""
    target, _, label = (unescape(part) for part in inside.partition("|"))
    if target.startswith("@"):
        return style("@" + label if label else target, "bold", color=color)
    if target.startswith("#"):
        return style("#" + (label or target[1:]), "bold", color=color)
    if target.startswith(("!date^", "!subteam^")):
        return label or target
    if target.startswith("!"):
        return "@" + target[1:]
    if not label or label in (target, target.removeprefix("mailto:")):
        return style(label or target, "underline", color=color)
    return style(label, "underline", color=color) + style(f" ({target})", "dim", color=color)


def text_of(obj: Mapping[str, Any] | None, *, color: bool = False) -> str:
    """A text object: mrkdwn rendered, plain text as it is."""
    if not obj:
        return ""
    text = str(obj.get("text", ""))
    return mrkdwn(text, color=color) if obj.get("type") == "mrkdwn" else text


# -- what can be pressed or filled in ------------------------------------------------------------


@dataclass(frozen=True)
class Button:
    label: str
    action: dict[str, Any]  # the action as a block_actions payload carries it
    url: str | None = None


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


def _button(element: Mapping[str, Any], block_id: str) -> Button:
    action = {
        "type": "button",
        "block_id": block_id,
        "action_id": element.get("action_id") or f"{block_id}-button",
        "text": dict(element.get("text") or {}),
    }
    action |= {key: element[key] for key in ("value", "style") if key in element}
    return Button(text_of(element.get("text")), action, element.get("url"))


def buttons(blocks: Sequence[Block]) -> list[Button]:
    """Every button on a surface, top to bottom; each option of a menu in a message (a select or
    an overflow in an actions block) counts as a button labelled with the option."""
    found: list[Button] = []
    for index, block in enumerate(blocks):
        accessory = block.get("accessory") or {}
        elements = block.get("elements", []) if block.get("type") == "actions" else []
        for element in [accessory, *elements]:
            if element.get("type") == "button":
                found.append(_button(element, _block_id(block, index)))
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
    return text_of(option.get("text")) if option else presets.label_of(entry)


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
