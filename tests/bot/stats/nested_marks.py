"""`escaped_words` (tests/i18n_check.py) where a catalogue text holds another one: "50%" in a
headline, "a while" in "{count} reminders since {since}". Its marks are taken away from the
innermost out, so the outer text's words count as marked too."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from tests.i18n_check import escaped_words as escaped_flat
from tests.i18n_check import texts

INNERMOST = re.compile(r"⟦[^⟦⟧]*⟧")


def escaped_words(surface: Any, allowed: Iterable[str] = ()) -> list[str]:
    left: list[str] = []
    for text in texts(surface):
        while (lighter := INNERMOST.sub(" ", text)) != text:
            text = lighter
        left += escaped_flat(text, allowed)
    return left
