"""The case commands' own answers come from the catalogue, and read German to a German reader."""

from __future__ import annotations

from dataclasses import replace

from bot.cases.model import CaseChange
from bot.core.i18n import PSEUDO, _, reading
from handlers.slack import case_commands, case_slack, cases
from tests.bot.cases.test_language import CARDS, unmarked
from tests.i18n_check import escaped_words


def answers() -> list[str]:
    found = [_(case_commands.USAGE), _(cases.STEP_UP_EXPIRED), _(cases.NO_ACCOUNTS)]
    for channel in ("C0ESC", None):
        for opened in (True, False):
            change = CaseChange(replace(CARDS[0], channel=channel), opened=opened)
            found.append(case_slack.opened_words(change))
    return found


def test_the_case_commands_answer_from_the_catalogue() -> None:
    with reading(PSEUDO):
        shown = answers()
    assert [escaped_words("\n".join(unmarked(text))) for text in shown] == [[]] * len(shown)


def test_a_german_reader_is_told_where_the_case_is() -> None:
    with reading("de"):
        shown = answers()
    assert shown[3] == "Fall *#4* ist eröffnet, in <#C0ESC>."
    assert shown[5] == "Fall *#4* ist eröffnet."
    assert shown[6].startswith("Für dieses Konto war Fall *#4* bereits offen: Was Sie")
    assert "die offenen Fälle, die Sie sehen können" in shown[0]
