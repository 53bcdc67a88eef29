"""What the catalogue tests of views share: render in the pseudo-language (every catalogue text
marked ⟦…⟧), then find the words that escaped the catalogue."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_MARKED = re.compile(r"⟦[^⟦⟧]*⟧")
_TOKEN = re.compile(r"<[^<>]*>|`[^`]*`")  # Slack's mentions, links, dates; code spans
_WORD = re.compile(r"[^\W\d_]{2,}")


def texts(surface: Any) -> list[str]:
    """Every text a person reads in Block Kit (blocks, a view, a message) or a plain string:
    the `text` of every text object (titles, labels, hints, placeholders, options included)."""
    if isinstance(surface, str):
        return [surface]
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for name, value in node.items():
                if name in ("text", "alt_text") and isinstance(value, str):
                    found.append(value)
                elif name not in _NOT_READ:
                    walk(value)
        elif isinstance(node, list | tuple):
            for item in node:
                walk(item)

    walk(surface)
    return found


_NOT_READ = {"action_id", "block_id", "value", "url", "callback_id", "private_metadata"}


def escaped_words(surface: Any, allowed: Iterable[str] = ()) -> list[str]:
    """Words outside every ⟦…⟧ mark: texts that did not come from the catalogue. `allowed`
    names the data shown as it is (people's and accounts' names, platform names, ids)."""
    left: list[str] = []
    for text in texts(surface):
        rest = _TOKEN.sub(" ", _unmarked(text))
        for name in allowed:
            rest = rest.replace(name, " ")
        left.extend(_WORD.findall(rest))
    return left


def _unmarked(text: str) -> str:
    """`text` without its marked parts, innermost first: a translated text may hold another."""
    while True:
        shorter = _MARKED.sub(" ", text)
        if shorter == text:
            return text
        text = shorter
