"""The number a case button carries, shared by the case card's buttons and "Was this you?" (their
listener tests, under tests/handlers/cases/, go through the real app)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core.errors import InvalidInput
from handlers.slack.cases import number_on_button

UNCLEAR = "I couldn't tell which sign-in this is about."


def pressed(value: Any) -> dict[str, Any]:
    return {"actions": [{"action_id": "login_was_me", "value": value}]}


def test_the_number_on_the_button() -> None:
    assert number_on_button(pressed("42"), unclear=UNCLEAR) == 42


@pytest.mark.parametrize("body", [pressed("case 42"), pressed("-1"), pressed(None), {}])
def test_a_button_without_a_number_is_refused_in_the_callers_words(body: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput) as refused:
        number_on_button(body, unclear=UNCLEAR)
    assert refused.value.user_message == UNCLEAR
