"""What the checklist says, read in the language of whoever reads it.

A checklist is built once and may be read by someone else than the member it is about (a Home tab
republished after another member's press, an account manager's view, a reminder built by a job),
so its explanations are kept as catalogue texts with their values (`Said`), and translated when
read, inside the reader's `reading()`.

The notes a check result carries are stored the same way: the catalogue text (marked `N_()` where
it is written) and the values it names (`note()`), never a finished sentence. A note stored as
plain text (rows written before notes had values, or text from elsewhere) reads as it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from babel.lists import format_list

from bot.core.i18n import _, language, ngettext, number

NOTE = "note"
VALUES = "values"
SECONDS = "seconds"  # a stored value {"seconds": n} reads as a time span ("3 h 5 min")


class Readable(Protocol):
    def read(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Said:
    """A catalogue text and its values (text as it is, or anything `Readable`), read in the
    reader's language. A text that is not in the catalogue reads as it is."""

    text: str
    values: tuple[tuple[str, str | Readable], ...] = ()

    def read(self) -> str:
        translated = _(self.text)
        if not self.values:
            return translated
        values = {name: _read(value) for name, value in self.values}
        try:
            return translated.format(**values)
        except (KeyError, IndexError, ValueError):  # a stored note out of step with its text
            return self.text.format(**values)

    def __str__(self) -> str:
        return self.read()


def said(text: str, **values: str | Readable) -> Said:
    """`text` (a literal inside `_()` or marked `N_()` where defined) with its values."""
    if values:
        return Said(text, tuple(values.items()))
    # A text alone is one object, however many checklists say it: a sweep builds hundreds of
    # thousands of lines, and the texts are the catalogue's few hundred literals.
    found = _ALONE.get(text)
    if found is None:
        found = _ALONE[text] = Said(text)
    return found


_ALONE: dict[str, Said] = {}


@dataclass(frozen=True, slots=True)
class Names:
    """Names as a list people read: "A and B", "A, B, and C" ("A, B und C")."""

    items: tuple[str, ...]

    def read(self) -> str:
        return names(self.items)


@dataclass(frozen=True, slots=True)
class Span:
    """A time span: "1 day 3 h", "45 min"."""

    seconds: int

    def read(self) -> str:
        return remediation_time(timedelta(seconds=self.seconds))


@dataclass(frozen=True, slots=True)
class Count:
    count: int

    def read(self) -> str:
        return number(self.count)


@dataclass(frozen=True, slots=True)
class WithoutStop:
    """A sentence read without its full stop, to go inside another."""

    inner: Readable

    def read(self) -> str:
        return self.inner.read().removesuffix(".")


@dataclass(frozen=True, slots=True)
class Sentences:
    """Sentences one after the other."""

    parts: tuple[Readable, ...]

    def read(self) -> str:
        return " ".join(part.read() for part in self.parts)


def _read(value: str | Readable) -> str:
    return value if isinstance(value, str) else value.read()


# -- notes stored with a check result -----------------------------------------------------------


def note(text: str, **values: str | int | Sequence[str] | Mapping[str, int]) -> dict[str, Any]:
    """A check result's detail holding `text` (a catalogue text with `{name}` placeholders) and
    the values it names: text, counts, names (a list), time spans (`span(delta)`)."""
    detail: dict[str, Any] = {NOTE: text}
    if values:
        detail[VALUES] = {
            name: list(value) if isinstance(value, list | tuple) else value
            for name, value in values.items()
        }
    return detail


def span(delta: timedelta) -> dict[str, int]:
    """A time span as a stored note value."""
    return {SECONDS: max(0, int(delta.total_seconds()))}


def note_of(detail: Mapping[str, Any]) -> Said | None:
    """The note of a check result's detail, to read later; None without one."""
    text = detail.get(NOTE)
    if not isinstance(text, str):
        return None
    values = detail.get(VALUES)
    if not isinstance(values, dict):
        return Said(text)
    return Said(text, tuple((str(name), _stored(value)) for name, value in values.items()))


def _stored(value: Any) -> str | Readable:
    if isinstance(value, list):
        return Names(tuple(str(item) for item in value))
    if isinstance(value, dict) and isinstance(value.get(SECONDS), int):
        return Span(value[SECONDS])
    if isinstance(value, int) and not isinstance(value, bool):
        return Count(value)
    return str(value)


# -- words --------------------------------------------------------------------------------------


def names(items: Sequence[str]) -> str:
    """Names as a list people read: "A and B" ("A und B" in German)."""
    return format_list(list(items), locale="de_DE" if language() == "de" else "en")


def remediation_time(delta: timedelta) -> str:
    """How long something took or waited, in words a member reads at a glance ("1 day 3 h",
    "45 min", "under a minute")."""
    minutes = max(0, int(delta.total_seconds())) // 60
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if days:
        parts.append(ngettext("{count} day", "{count} days", days).format(count=number(days)))
    if hours:
        # Translators: hours, abbreviated as on a clock ("3 h")
        parts.append(_("{count} h").format(count=number(hours)))
    if minutes and not days:
        # Translators: minutes, abbreviated ("5 min")
        parts.append(_("{count} min").format(count=number(minutes)))
    return " ".join(parts) or _("under a minute")
