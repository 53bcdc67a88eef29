"""zxcvbn's own words, in the reader's language: its feedback (a fixed set of English sentences,
which it passes through gettext without a catalogue of its own) and the time to crack, said as
zxcvbn says it ("3 hours", "centuries"), through our catalogue."""

from __future__ import annotations

from decimal import Decimal

from bot.core.i18n import N_, _, ngettext, number

# zxcvbn 4.5's feedback, word for word (zxcvbn/feedback.py): listed here for the catalogue.
FEEDBACK = (
    N_("Add another word or two. Uncommon words are better."),
    N_("Capitalization doesn't help very much."),
    N_("Reversed words aren't much harder to guess."),
    N_("Predictable substitutions like '@' instead of 'a' don't help very much."),
    N_("Use a few words, avoid common phrases."),
    N_("No need for symbols, digits, or uppercase letters."),
    N_("Straight rows of keys are easy to guess."),
    N_("Short keyboard patterns are easy to guess."),
    N_("This is a top-10 common password."),
    N_("This is similar to a commonly used password."),
    N_("A word by itself is easy to guess."),
    N_("All-uppercase is almost as easy to guess as all-lowercase."),
    N_("Use a longer keyboard pattern with more turns."),
    N_('Repeats like "aaa" are easy to guess.'),
    N_('Repeats like "abcabcabc" are only slightly harder to guess than "abc".'),
    N_("This is a top-100 common password."),
    N_("This is a very common password."),
    N_("Names and surnames by themselves are easy to guess."),
    N_("Common names and surnames are easy to guess."),
    N_("Avoid repeated words and characters."),
    N_('Sequences like "abc" or "6543" are easy to guess.'),
    N_("Avoid sequences."),
    N_("Recent years are easy to guess."),
    N_("Dates are often easy to guess."),
    N_("Avoid recent years."),
    N_("Avoid years that are associated with you."),
    N_("Avoid dates and years that are associated with you."),
)

_MINUTE = 60
_HOUR = _MINUTE * 60
_DAY = _HOUR * 24
_MONTH = _DAY * 31
_YEAR = _MONTH * 12


def advice(text: str) -> str:
    """One of zxcvbn's sentences in the reader's language (an unknown one as zxcvbn wrote it)."""
    return _(text) if text else ""


def crack_time(seconds: Decimal | float) -> str:
    """zxcvbn's `display_time`, in the reader's language: the same steps and rounding."""
    if seconds < 1:
        return _("less than a second")
    for unit, size, up_to in _UNITS:
        if seconds < size * up_to:
            count = round(Decimal(seconds) / size)
            return _unit(unit, count).format(count=number(count))
    return _("centuries")


_UNITS = (  # a unit, its size in seconds, and how many of it the next unit takes over from
    ("second", 1, 60),
    ("minute", _MINUTE, 60),
    ("hour", _HOUR, 24),
    ("day", _DAY, 31),
    ("month", _MONTH, 12),
    ("year", _YEAR, 100),
)


def _unit(unit: str, count: int) -> str:
    """Each unit one plural entry, whole, so a language can decline it as it needs."""
    if unit == "second":
        return ngettext("{count} second", "{count} seconds", count)
    if unit == "minute":
        return ngettext("{count} minute", "{count} minutes", count)
    if unit == "hour":
        return ngettext("{count} hour", "{count} hours", count)
    if unit == "day":
        return ngettext("{count} day", "{count} days", count)
    if unit == "month":
        return ngettext("{count} month", "{count} months", count)
    return ngettext("{count} year", "{count} years", count)
