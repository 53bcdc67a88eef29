"""Slack's mrkdwn as terminal text, for the sandbox console: styles as ANSI escapes (or none),
mentions, links and dates made readable, and words wrapped by the columns they take.

sandbox/render.py builds surfaces from these; they are pure: strings in, strings out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

WIDTH = 80  # the text column; with the frame every line stays well within 100 characters

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
