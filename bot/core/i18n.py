"""The reader's language: every word a member reads comes from the catalogue (bot/locale/), in
the language of the person it is for, and numbers, amounts, dates and durations follow that
language's conventions (Babel).

The language lives in a context variable, as the workspace does (bot/workspaces/scope.py): the
Bolt middleware sets it from the member who acts, a job from each recipient, a case card from
the workspace's default, a one-time page from the member its link belongs to. Code below only
asks `_()`, `ngettext()` and the formatters here.

The catalogues are the .po files themselves, compiled in memory once per process on first use:
no compiled .mo is kept in the repository. Fuzzy entries are left out, so a half-done
translation shows the English text, never a wrong one (and the catalogue test fails on it).
"""

from __future__ import annotations

import gettext
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime, format_timedelta
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import NumberFormatError, format_currency, format_decimal, parse_decimal

ENGLISH = "en"
LANGUAGES = (ENGLISH, "de")
LANGUAGE_NAMES = {ENGLISH: "English", "de": "Deutsch"}  # each by its own name
PSEUDO = "qps"  # every translated text marked ⟦…⟧: the tests' check that nothing escapes _()
CATALOGUES = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"
logger = logging.getLogger("security_bot.i18n")
_BABEL_LOCALES = {ENGLISH: "en", "de": "de_DE", PSEUDO: "en"}


class _Later:
    """The reader's language, looked up only if some text is built for them: a request whose
    answer already knows it (the status read brings it along) costs no lookup."""

    def __init__(self, look_up: Callable[[], str]) -> None:
        self._look_up = look_up
        self._found: str | None = None

    @property
    def known(self) -> str | None:
        return self._found

    def __call__(self) -> str:
        if self._found is None:
            try:
                found = self._look_up()
            except Exception as error:  # noqa: BLE001 - a database down: still answer, in English
                logger.warning(
                    "the reader's language could not be looked up (%s)", type(error).__name__
                )
                found = ENGLISH
            self._found = found if found in LANGUAGES else ENGLISH
        return self._found


_READER: ContextVar[str | _Later] = ContextVar("security_bot_language", default=ENGLISH)


def language() -> str:
    """The language of the person the text being built is for."""
    found = _READER.get()
    return found if isinstance(found, str) else found()


def known_language() -> str:
    """The reader's language if known without asking anyone (English otherwise): for what is
    said when asking is what failed, such as "I cannot reach my database"."""
    found = _READER.get()
    if isinstance(found, str):
        return found
    return found.known or ENGLISH


def read_later(look_up: Callable[[], str]) -> None:
    """The reader's language is `look_up()`, asked at the first text built for them."""
    _READER.set(_Later(look_up))


@contextmanager
def reading(language: str | None) -> Iterator[str]:
    """Build text for a reader of `language` inside the block (unknown: English)."""
    chosen = language if language in LANGUAGES or language == PSEUDO else ENGLISH
    token = _READER.set(chosen)
    try:
        yield chosen
    finally:
        _READER.reset(token)


def read_in(language: str | None) -> None:
    """Set the reader's language from here on in this context (a Bolt middleware cannot wrap
    the rest of the request; the front door's block ends it)."""
    _READER.set(language if language in LANGUAGES or language == PSEUDO else ENGLISH)


def language_for(slack_locale: str | None, chosen: str | None = None) -> str:
    """A member's language: their own choice (`/security language`), else their Slack locale
    ("de-DE" reads German), else English."""
    if chosen in LANGUAGES:
        return chosen
    base = (slack_locale or "").replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else ENGLISH


def browser_language(accept_language: str | None) -> str:
    """A page's reader known only by their browser (no link or member yet): its first choice."""
    first = (accept_language or "").split(",")[0].split(";")[0].strip()
    return language_for(first)


def _(message: str) -> str:
    return _catalogue(language()).gettext(message)


def pgettext(context: str, message: str) -> str:
    """A text that reads differently in one place (e.g. a modal's title, at most 24
    characters in Slack) from the same words elsewhere."""
    return _catalogue(language()).pgettext(context, message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return _catalogue(language()).ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Marks a text for the catalogue where it is defined (a module constant) and translated
    where it is shown, with `_()`."""
    return message


# -- formats --------------------------------------------------------------------------------


def number(value: int | float | Decimal) -> str:
    if type(value) is int and -1000 < value < 1000:  # no grouping, no decimals: the same everywhere
        return str(value)  # a sweep names counts for every member: Babel costs 25 µs a call
    return format_decimal(value, locale=_babel_locale())


def read_number(typed: str) -> Decimal:
    """A number as the reader writes it: "1,234.50" in English, "1.234,50" in German; raises
    ValueError for anything else."""
    try:
        return parse_decimal(typed, locale=_babel_locale(), strict=True)
    except NumberFormatError as error:
        raise ValueError(typed) from error


def amount(value: Decimal, currency: str) -> str:
    """ "€120.50" in English, "120,50 €" in German."""
    return format_currency(value, currency, locale=_babel_locale())


def moment(when: datetime, zone: str) -> str:
    """A date and time in the reader's zone and language, with the zone named:
    "Sun, 13 Dec 2026, 10:14 (Europe/Berlin)", "So., 13. Dez. 2026, 10:14 (Europe/Berlin)"."""
    local = format_datetime(when, "medium", tzinfo=ZoneInfo(zone), locale=_babel_locale())
    return f"{local} ({zone})"


def day(when: datetime, zone: str) -> str:
    """A date alone, in the reader's zone and language: "13 Dec 2026", "13.12.2026"."""
    return format_datetime(when, _day_pattern(), tzinfo=ZoneInfo(zone), locale=_babel_locale())


def duration(delta: timedelta, *, relative: bool = True) -> str:
    """ "in 3 days" / "in 3 Tagen" (or "3 days ago"); without direction "3 days" / "3 Tage"."""
    return format_timedelta(
        delta,
        add_direction=relative,
        threshold=1.0,
        locale=_babel_locale(),
    )


def _day_pattern() -> str:
    return "d MMM y" if language() != "de" else "dd.MM.y"


def _babel_locale() -> Locale:
    return _locale(_BABEL_LOCALES.get(language(), ENGLISH))


@cache
def _locale(identifier: str) -> Locale:
    return Locale.parse(identifier)


# -- catalogues -----------------------------------------------------------------------------


@cache
def _catalogue(language: str) -> gettext.NullTranslations:
    if language == PSEUDO:
        return _Pseudo(_compiled(ENGLISH))
    return _compiled(language)


def _compiled(language: str) -> gettext.GNUTranslations:
    with (CATALOGUES / language / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as source:
        catalog = read_po(source, locale=_BABEL_LOCALES[language], domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


class _Pseudo(gettext.NullTranslations):
    """English, each catalogue text marked ⟦…⟧ and anything not in the catalogue left bare."""

    def __init__(self, english: gettext.GNUTranslations) -> None:
        super().__init__()
        keys = english._catalog  # type: ignore[attr-defined]  # plural entries: (msgid, n)
        self._known = {key[0] if isinstance(key, tuple) else key for key in keys}

    def gettext(self, message: str) -> str:
        return f"⟦{message}⟧" if message in self._known else message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        chosen = msgid1 if n == 1 else msgid2
        return f"⟦{chosen}⟧" if msgid1 in self._known else chosen

    def pgettext(self, context: str, message: str) -> str:
        known = f"{context}\x04{message}" in self._known  # gettext's key of a text in context
        return f"⟦{message}⟧" if known else message
