"""The Slack glue's own words (`/security help`, an unknown subcommand, errors, the step-up's
reasons, the 2SV reset) come from the catalogue, and read German for a German reader."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import TimeoutError

from bot.core import blocks
from bot.core.errors import DatabaseUnavailable, InvalidInput
from bot.core.i18n import PSEUDO, _, read_later, reading
from bot.twostep import views as views_twostep
from handlers.slack import commands, passwords, step_up
from handlers.slack.errors import member_message
from handlers.slack.step_up import StepUp
from tests.i18n_check import escaped_words


def test_every_help_line_comes_from_the_catalogue() -> None:
    with reading(PSEUDO):
        lines = [_(line) for row in commands.SUBCOMMANDS.values() for line in row.help]
    assert len(lines) == 16  # "language", "case review", "account" and "campaign" among them
    for line in lines:
        assert escaped_words(line) == [], line


def test_answers_without_a_feature_come_from_the_catalogue() -> None:
    with reading(PSEUDO):
        answers = [
            commands._unknown("frobnicate <!here>"),
            _(commands._BAD_MENTION),
            _(commands._BAD_RESET_MENTION),
            _(passwords.LINK_COMING),
            member_message(RuntimeError("boom")),
            member_message(DatabaseUnavailable()),
            member_message(InvalidInput(_("Choose a business account."))),
        ]
    for answer in answers:
        # `frobnicate` is what the member typed, shown back in a code span
        assert escaped_words(blocks.notice(answer)) == [], answer


@pytest.mark.parametrize("purpose", list(StepUp))
def test_each_step_up_says_why_in_whole_sentences(purpose: StepUp) -> None:
    asks, needs_link = step_up._WHY[purpose]
    with reading(PSEUDO):
        modal = views_twostep.step_up_modal(_(asks), "{}")
        told = f"{_(needs_link)} {_(views_twostep.LINK_SENT)}"
    assert escaped_words(modal) == [] and escaped_words(told) == []
    with reading("de"):
        german = [_(asks), _(needs_link)]
    assert all(text.startswith("Um ") and "Authenticator-App" in text for text in german)


def test_the_glue_reads_german() -> None:
    with reading("de"):
        unknown = commands._unknown("frobnicate")
        failed = member_message(RuntimeError("boom"))
        busy = member_message(DatabaseUnavailable())
        help_line = _(commands.SUBCOMMANDS["help"].help[0])
        coming = _(passwords.LINK_COMING)
        reset = _("I've reset {member}'s authenticator link with the bot and told them by DM.")
    assert unknown.startswith("`frobnicate` kenne ich nicht. Versuchen Sie `/security status`")
    assert failed.startswith("Entschuldigung, bei mir ist etwas schiefgegangen. Referenz: `")
    assert busy.startswith("Ich erreiche meine Datenbank gerade nicht.") and "Referenz: `" in busy
    assert help_line == "`/security help`: diese Liste"
    assert coming.endswith("Geben Sie nie ein Passwort in Slack ein.")
    assert reset.format(member="<@U0DANA>") == (
        "Ich habe die Authenticator-Verknüpfung von <@U0DANA> mit dem Bot zurückgesetzt und "
        "die Person per Direktnachricht informiert."
    )


def test_english_is_unchanged() -> None:
    assert commands._unknown("x").startswith("I don't know `x`. Try `/security status`")
    reason = step_up._WHY[StepUp.RESOLVE_CASE][0]
    assert _(reason) == (
        "To resolve a compromise case, I need a current code from the authenticator app you "
        "linked to the bot."
    )


def test_the_database_down_message_does_not_ask_the_database_for_the_language() -> None:
    asked: list[str] = []

    def look_up() -> str:
        asked.append("the database that is down")
        return "de"

    pool_empty = TimeoutError("no connection free")  # as storage raises it: no text yet
    with reading("en"):
        read_later(look_up)
        said = member_message(pool_empty)
    assert asked == []
    assert said.startswith("I cannot reach my database right now.")
