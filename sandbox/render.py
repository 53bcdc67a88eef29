"""Block Kit as readable terminal text, for the sandbox console. Pure: dicts in, strings out.

With `color=False` nothing but plain text comes out, so tests can assert on it; with
`color=True` mrkdwn styles become ANSI escapes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Block = Mapping[str, Any]
WIDTH = 80  # the text column; with indents every line stays within 100 characters
INDENT = "  "
SELECTS = ("static_select", "radio_buttons")

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_TOKEN = re.compile(r"```(.+?)```|`([^`\n]+)`|<([^<>\n]+)>", re.DOTALL)
_HOLE = re.compile("[\ue000-\uf8ff]")  # private-use characters stand in for finished pieces
_ENTITY = re.compile(r"&(lt|gt|amp);")
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&"}
_EMOJI = re.compile(r":([a-z0-9_+-]+):")
EMOJI = {
    "white_check_mark": "✅",
    "heavy_check_mark": "✔️",
    "x": "❌",
    "warning": "⚠️",
    "lock": "🔒",
    "key": "🔑",
    "red_circle": "🔴",
    "white_circle": "⚪",
    "large_green_circle": "🟢",
    "bell": "🔔",
    "wave": "👋",
    "tada": "🎉",
}
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
_MARKS = (
    ("bold", re.compile(r"(?<!\w)\*(?=\S)([^*\n]*?\S)\*(?!\w)")),
    ("italic", re.compile(r"(?<![\w_])_(?=\S)([^_\n]*?\S)_(?![\w_])")),
    ("strike", re.compile(r"(?<!\w)~(?=\S)([^~\n]*?\S)~(?!\w)")),
)


def style(text: str, name: str, *, color: bool) -> str:
    if not color or not text:
        return text
    start, end = STYLES[name]
    return f"{start}{text}{end}"


def width_of(text: str) -> int:
    """Columns `text` takes in a terminal: escapes take none, emoji take two."""
    columns = 0
    for char in _ANSI.sub("", text):
        if unicodedata.combining(char) or char in "\ufe0f\u200d":
            continue
        columns += 2 if unicodedata.east_asian_width(char) in "WF" else 1
    return columns


def wrap(text: str, width: int = WIDTH) -> list[str]:
    """Greedy word wrap by visible width; bullet lines hang under their first word."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        hang = "  " if paragraph.lstrip().startswith(("• ", "- ", "◦ ")) else ""
        hang = " " * (len(paragraph) - len(paragraph.lstrip())) + hang
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if not line or width_of(candidate) <= width:
                line = candidate
                continue
            lines.append(line)
            line = hang + word
        lines.append(line)
    return lines


def unescape(text: str) -> str:
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], text)


def emoji(text: str) -> str:
    return _EMOJI.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), text)


def mrkdwn(text: str, *, color: bool) -> str:
    """Slack's mrkdwn for the terminal: styles, mentions, links and dates made readable."""
    pieces: list[str] = []

    def hole(rendered: str) -> str:
        pieces.append(rendered)
        return chr(0xE000 + len(pieces) - 1)

    def token(match: re.Match[str]) -> str:
        block, code, angle = match.groups()
        if block is not None:
            return hole(style(unescape(block.strip("\n")), "code", color=color))
        if code is not None:
            shown = style(unescape(code), "code", color=color) if color else f"`{unescape(code)}`"
            return hole(shown)
        return hole(_angle(angle, color=color))

    text = _TOKEN.sub(token, text)
    for name, pattern in _MARKS:
        text = pattern.sub(_marker(name, color), text)
    text = emoji(unescape(text))
    return _HOLE.sub(lambda m: pieces[ord(m.group(0)) - 0xE000], text)


def _marker(name: str, color: bool) -> Callable[[re.Match[str]], str]:
    def marked(match: re.Match[str]) -> str:
        inner = match.group(1)
        if color:
            return style(inner, name, color=True)
        return f"~{inner}~" if name == "strike" else inner

    return marked


def _angle(inside: str, *, color: bool) -> str:
    """`<...>` in mrkdwn: a mention, a special word, a date, or a link."""
    target, _, label = inside.partition("|")
    target, label = unescape(target), unescape(label)
    if target.startswith("@"):
        return style(target, "bold", color=color)
    if target.startswith("#"):
        return style("#" + (label or target[1:]), "bold", color=color)
    if target.startswith("!date^"):
        return label or target
    if target.startswith("!subteam^"):
        return label or "@team"
    if target.startswith("!"):
        return "@" + target[1:]
    if not label or label in (target, target.removeprefix("mailto:")):
        return style(label or target, "underline", color=color)
    return style(label, "underline", color=color) + style(f" ({target})", "dim", color=color)


def text_of(obj: Mapping[str, Any] | None, *, color: bool) -> str:
    """A text object: mrkdwn rendered, plain text as it is (with emoji codes turned to emoji)."""
    if not obj:
        return ""
    text = str(obj.get("text", ""))
    if obj.get("type") == "mrkdwn":
        return mrkdwn(text, color=color)
    return emoji(text)


# -- what can be acted on ------------------------------------------------------------------------


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
    hint: str


def _block_id(block: Block, index: int) -> str:
    """Slack invents a block_id when the app gave none; so do we, the same way every time."""
    return str(block.get("block_id") or f"sandbox-{index}")


def _button(element: Mapping[str, Any], block_id: str) -> Button:
    label = text_of(element.get("text"), color=False)
    action = {
        "type": "button",
        "block_id": block_id,
        "action_id": element.get("action_id") or f"{block_id}-button",
        "text": dict(element.get("text") or {}),
    }
    action |= {k: element[k] for k in ("value", "style") if k in element}
    return Button(label, action, element.get("url"))


def buttons(blocks: Sequence[Block]) -> list[Button]:
    """Every button on a surface, top to bottom."""
    found: list[Button] = []
    for index, block in enumerate(blocks):
        block_id = _block_id(block, index)
        accessory = block.get("accessory") or {}
        if block.get("type") == "section" and accessory.get("type") == "button":
            found.append(_button(accessory, block_id))
        if block.get("type") == "actions":
            for element in block.get("elements", []):
                if element.get("type") == "button":
                    found.append(_button(element, block_id))
    return found


def inputs(blocks: Sequence[Block]) -> list[Input]:
    found: list[Input] = []
    for index, block in enumerate(blocks):
        if block.get("type") != "input":
            continue
        element = block.get("element") or {}
        found.append(
            Input(
                number=len(found) + 1,
                block_id=_block_id(block, index),
                action_id=str(element.get("action_id") or f"sandbox-{index}-input"),
                label=text_of(block.get("label"), color=False),
                kind=str(element.get("type", "")),
                options=tuple(element.get("options") or ()),
                optional=bool(block.get("optional")),
                hint=text_of(block.get("hint"), color=False),
            )
        )
    return found


def chosen(values: Mapping[str, Any], field: Input) -> str | None:
    """What the member has put into an input so far: the option label or the typed text."""
    entry = (values.get(field.block_id) or {}).get(field.action_id) or {}
    if field.kind in SELECTS:
        option = entry.get("selected_option")
        return text_of(option.get("text"), color=False) if option else None
    value = entry.get("value")
    return None if value is None else str(value)


# -- surfaces ------------------------------------------------------------------------------------


def button_label(label: str, button_style: str | None = None, *, color: bool) -> str:
    shown = f"[ {label} ]"
    return style(shown, button_style, color=color) if button_style in STYLES else shown


def _button_row(row: Sequence[Button], *, color: bool, width: int) -> list[str]:
    lines, line = [], ""
    for button in row:
        shown = button_label(button.label, button.action.get("style"), color=color)
        if line and width_of(line) + 2 + width_of(shown) > width:
            lines.append(line)
            line = ""
        line = f"{line}  {shown}" if line else shown
    return lines + ([line] if line else [])


def _context(block: Block, *, color: bool) -> str:
    parts = []
    for element in block.get("elements", []):
        if element.get("type") == "image":
            parts.append(f"[{element.get('alt_text', 'image')}]")
        else:
            parts.append(text_of(element, color=False))
    return style("  ".join(parts), "dim", color=color)


def _rich_text(block: Block, *, color: bool) -> str:
    words: list[str] = []
    for section in block.get("elements", []):
        for element in section.get("elements", []):
            kind = element.get("type")
            if kind == "text":
                words.append(str(element.get("text", "")))
            elif kind == "link":
                words.append(str(element.get("text") or element.get("url", "")))
            elif kind == "user":
                words.append("@" + str(element.get("user_id", "")))
            elif kind == "emoji":
                words.append(EMOJI.get(str(element.get("name")), f":{element.get('name')}:"))
        words.append("\n")
    return "".join(words).rstrip("\n")


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
            heading = text_of(block.get("text"), color=False)
            lines.append(style(heading, "bold", color=color))
            lines.append(style("═" * min(width_of(heading), width), "dim", color=color))
        elif kind == "section":
            if block.get("text"):
                lines.extend(wrap(text_of(block["text"], color=color), width))
            for field in block.get("fields", []):
                lines.extend(wrap(text_of(field, color=color), width))
            accessory = block.get("accessory") or {}
            if accessory.get("type") == "button":
                shown = _button(accessory, _block_id(block, index))
                lines.extend(
                    INDENT + line for line in _button_row([shown], color=color, width=width)
                )
            elif accessory.get("type") in SELECTS or "select" in str(accessory.get("type")):
                shown_label = text_of(accessory.get("placeholder"), color=False) or "Select"
                lines.append(INDENT + f"[ {shown_label} ▾ ]")
        elif kind == "actions":
            lines.extend(_button_row(buttons([block]), color=color, width=width))
        elif kind == "context":
            lines.extend(wrap(_context(block, color=color), width))
        elif kind == "divider":
            lines.append(style("─" * width, "dim", color=color))
        elif kind == "image":
            lines.append(f"[image: {block.get('alt_text', '')}]")
        elif kind == "rich_text":
            lines.extend(wrap(_rich_text(block, color=color), width))
        elif kind == "input":
            field = numbered[_block_id(block, index)]
            lines.extend(_input(field, values or {}, (errors or {}).get(field.block_id), color))
        else:
            lines.append(style(f"[a {kind} block the sandbox cannot show]", "dim", color=color))
    return lines


def _input(field: Input, values: Mapping[str, Any], error: str | None, color: bool) -> list[str]:
    title = f"{field.number}. {field.label}" + (" (optional)" if field.optional else "")
    current = chosen(values, field)
    lines = [style(title, "bold", color=color)]
    if field.kind in SELECTS:
        for number, option in enumerate(field.options, start=1):
            label = text_of(option.get("text"), color=False)
            picked = label == current
            if field.kind == "radio_buttons":
                mark = "(•)" if picked else "( )"
            else:
                mark = "▸" if picked else " "
            line = f"{INDENT}{mark} {number}) {label}"
            lines.append(style(line, "bold", color=color) if picked else line)
        if field.kind == "static_select" and current is None:
            lines.append(style(f"{INDENT}  (nothing chosen yet)", "dim", color=color))
    elif field.kind == "plain_text_input":
        lines.append(
            f"{INDENT}> {current}" if current else style(f"{INDENT}> …", "dim", color=color)
        )
    else:
        lines.append(
            style(f"{INDENT}(a {field.kind} the sandbox cannot fill in)", "dim", color=color)
        )
    if field.hint:
        lines.append(style(INDENT + field.hint, "dim", color=color))
    if error:
        lines.append(style(f"{INDENT}⚠ {unescape(error)}", "warning", color=color))
    return lines


def _framed(title: str, body: list[str], *, color: bool, width: int, footer: str = "") -> str:
    top = f"┌─ {title} "
    top += "─" * max(3, width + 2 - width_of(top))
    framed = [style(top, "bold", color=color)]
    framed += [f"│ {line}" if line else "│" for line in body]
    bottom = "└" + "─" * (width + 1)
    if footer:
        bottom = f"└─ {footer} " + "─" * max(3, width - 2 - width_of(footer))
    framed.append(style(bottom, "dim", color=color))
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
    title = sender + (f" · {note}" if note else "")
    return _framed(title, body, color=color, width=width)


def render_home(view: Mapping[str, Any], *, app: str, color: bool, width: int = WIDTH) -> str:
    body = render_blocks(view.get("blocks") or [], color=color, width=width)
    return _framed(f"{app} · Home", body, color=color, width=width)


def render_modal(
    view: Mapping[str, Any],
    *,
    values: Mapping[str, Any],
    errors: Mapping[str, str] | None = None,
    color: bool,
    width: int = WIDTH,
) -> str:
    """A modal with its inputs numbered, what is chosen so far, errors next to their inputs."""
    body = render_blocks(
        view.get("blocks") or [], color=color, width=width, values=values, errors=errors
    )
    close = text_of(view.get("close"), color=False) or "Cancel"
    row = [button_label(close, color=color)]
    if view.get("submit"):
        row.append(button_label(text_of(view["submit"], color=False), "primary", color=color))
    body += ["", "  ".join(row)]
    title = text_of(view.get("title"), color=False) or "Modal"
    return _framed(title, body, color=color, width=width, footer="modal")
