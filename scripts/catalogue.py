"""`make catalogue`: extract every text people read into bot/locale/messages.pot, and bring the
English and German catalogues up to date with it.

English is the source language: its catalogue repeats each text. German keeps what was translated;
a new text is added untranslated and a changed one marked fuzzy, and the catalogue test
(tests/test_catalogue.py) fails until a person has translated it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "bot" / "locale"
SOURCES = ("bot", "handlers")
HEADER = "Account Security (the Slack bot)"


def extracted() -> Catalog:
    """Every `_()`, `ngettext()` and `N_()` text of the product's sources, with where it is."""
    template = Catalog(project=HEADER, version="", charset="utf-8", fuzzy=False)
    for folder in SOURCES:
        found = extract_from_dir(
            ROOT / folder,
            method_map=[("**.py", "python")],
            comment_tags=("Translators:",),
            strip_comment_tags=True,
        )
        for filename, line, message, comments, context in found:
            template.add(
                message,
                None,
                [(f"{folder}/{filename}", line)],
                auto_comments=comments,
                context=context,
            )
    return template


def english(template: Catalog) -> Catalog:
    catalog = Catalog(locale="en", project=HEADER, fuzzy=False)
    for message in template:
        if not message.id:
            continue
        text = message.id
        catalog.add(
            message.id,
            list(text) if isinstance(text, tuple) else text,
            message.locations,
            auto_comments=message.auto_comments,
            context=message.context,
        )
    return catalog


def updated(path: Path, template: Catalog, locale: str) -> Catalog:
    if path.exists():
        with path.open("rb") as source:
            catalog = read_po(source, locale=locale)
    else:
        catalog = Catalog(locale=locale, project=HEADER, fuzzy=False)
    catalog.update(template, no_fuzzy_matching=False)
    catalog.obsolete.clear()
    return catalog


def write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as target:
        write_po(target, catalog, width=100, omit_header=False, sort_output=False)


def main() -> int:
    template = extracted()
    write(LOCALE / "messages.pot", template)
    write(LOCALE / "en" / "LC_MESSAGES" / "messages.po", english(template))
    german = LOCALE / "de" / "LC_MESSAGES" / "messages.po"
    write(german, updated(german, template, "de_DE"))
    untranslated = sum(
        1 for message in read_po(german.open("rb")) if message.id and not message.string
    )
    print(f"{len(template)} texts; German: {untranslated} still to translate", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
