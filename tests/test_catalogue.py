"""The catalogue is complete: every text people read is in it, English and German translate
every entry (no fuzzy, none missing), and a translation keeps its placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from bot.core.i18n import LANGUAGES
from scripts.catalogue import LOCALE, extracted

PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def catalogue(language: str) -> Catalog:
    with (LOCALE / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source)


def ids(messages: Catalog) -> set[object]:
    return {message.id for message in messages if message.id}


def forms(message: Message) -> list[str]:
    text = message.string
    return [str(form or "") for form in text] if isinstance(text, tuple | list) else [text or ""]


def test_the_template_holds_every_text_of_the_sources() -> None:
    with (LOCALE / "messages.pot").open("rb") as source:
        committed = ids(read_po(source))
    assert ids(extracted()) == committed, "run `make catalogue` and translate what it adds"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_and_none_is_fuzzy(language: str) -> None:
    found = catalogue(language)
    with (LOCALE / "messages.pot").open("rb") as source:
        assert ids(found) == ids(read_po(source))
    missing = [m.id for m in found if m.id and not all(forms(m))]
    fuzzy = [m.id for m in found if m.id and m.fuzzy]
    assert missing == [] and fuzzy == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_translation_keeps_the_placeholders_of_its_text(language: str) -> None:
    """Each form names no placeholder its text lacks; a text without plural keeps them all."""
    wrong = []
    for message in catalogue(language):
        if not message.id:
            continue
        source = [
            str(text) for text in (message.id if isinstance(message.id, tuple) else [message.id])
        ]
        every = set(PLACEHOLDER.findall(" ".join(source)))
        for text in forms(message):
            named = set(PLACEHOLDER.findall(text))
            if named - every or (len(source) == 1 and named != every):
                wrong.append(message.id)
    assert wrong == []


def test_no_compiled_catalogue_is_kept_in_the_repository() -> None:
    assert list(Path(LOCALE).rglob("*.mo")) == []
