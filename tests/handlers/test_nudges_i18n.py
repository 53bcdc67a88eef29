"""`/security excluded|exclude|include` answer in the reader's language: every word from the
catalogue (pseudo-language), German in German."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.i18n import PSEUDO, _, reading
from bot.nudges.service import Exclusion, Reason
from handlers.slack import nudges
from tests.bot.stats.nested_marks import escaped_words

LEAVE = Exclusion("U0ANA", "Ana", Reason.ON_LEAVE, datetime(2026, 12, 24, tzinfo=UTC), "U0SAM")
OPEN_LEAVE = Exclusion("U0BO", "Bo", Reason.ON_LEAVE, None, "U0SAM")
SERVICE = Exclusion("U0BOT", "Deploy bot", Reason.SERVICE_ACCOUNT, None, "U0SAM")


def test_the_exclusions_come_from_the_catalogue() -> None:
    with reading(PSEUDO):
        shown = [
            nudges._listing([LEAVE, OPEN_LEAVE, SERVICE]),
            nudges._listing([]),
            _(nudges._EXCLUDE_USAGE),
        ]
    assert escaped_words(shown, allowed=["Dec"]) == []


def test_the_exclusions_read_german() -> None:
    with reading("de"):
        listing = nudges._listing([LEAVE, OPEN_LEAVE, SERVICE])
        usage = _(nudges._EXCLUDE_USAGE)
    assert listing.startswith(
        "*Von den Erinnerungen ausgenommen*\n• <@U0ANA> (abwesend bis <!date^"
    )
    assert "• <@U0BO> (abwesend bis auf Weiteres, eingetragen von <@U0SAM>)" in listing
    assert "• <@U0BOT> (Dienstkonto)" in listing
    assert usage.startswith(
        "Versuchen Sie `/security exclude @someone service` für ein Dienstkonto"
    )
