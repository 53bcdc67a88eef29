"""Notes in a case thread become its timeline: each once however often Slack delivers it, edits
and deletions recorded, bots and other threads ignored, outsiders refused privately."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.cases.model import ChargesSeen
from bot.services import Services
from handlers.slack.case_slack import publish
from sandbox import payloads
from sandbox.slack_standin import SlackStandIn
from storage.case_models import CaseEvent
from tests.bot.cases.conftest import ANA, DANA, EVE, World, audit_trail
from tests.handlers.cases.conftest import card, thread_event
from tests.handlers.conftest import Slack


@pytest.fixture
def parent(slack: Slack, standin: SlackStandIn, services: Services, world: World) -> dict[str, Any]:
    change = services.cases.report(ANA, world.acme.id, "Strange logins", ChargesSeen.NO)
    publish(slack.app.client, services, change)
    return card(standin)


def timeline(services: Services) -> list[tuple[str, str, str]]:
    return [(e.actor, e.kind, e.text) for e in services.cases.show(DANA, 1).timeline]


def events(services: Services) -> int:
    with services.database.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(CaseEvent)) or 0)


def test_a_note_its_edit_and_its_deletion(
    slack: Slack, services: Services, parent: dict[str, Any]
) -> None:
    note = thread_event(DANA, parent, "Client confirmed the logins", ts="1700000999.000001")
    slack.send(payloads.event(note))
    assert _eventually(services, 2)  # Slack sends the edit later; here it waits for the note
    edited = {
        "type": "message",
        "subtype": "message_changed",
        "hidden": True,
        "channel": parent["channel"],
        "ts": "1700001000.000001",
        "message": {
            **note,
            "text": "Client confirmed 2 logins",
            "edited": {"user": DANA, "ts": "1700001000.000001"},
        },
        "previous_message": note,
    }
    slack.send(payloads.event(edited))
    assert _eventually(services, 3)
    deleted = {
        "type": "message",
        "subtype": "message_deleted",
        "hidden": True,
        "channel": parent["channel"],
        "ts": "1700001001.000001",
        "deleted_ts": note["ts"],
        "previous_message": {**note, "text": "Client confirmed 2 logins"},
    }
    slack.send(payloads.event(deleted))

    assert _eventually(services, 4)
    assert timeline(services)[1:] == [
        (DANA, "note", "Client confirmed the logins"),
        (DANA, "note_edited", "Client confirmed 2 logins"),
        (DANA, "note_deleted", ""),
    ]
    actions = [a for _, a in audit_trail(services.database, "case:1") if a != "cases.viewed"]
    assert actions[-3:] == ["cases.note.added", "cases.note.edited", "cases.note.deleted"]


def test_a_retried_delivery_changes_nothing(
    slack: Slack, services: Services, parent: dict[str, Any]
) -> None:
    note = thread_event(DANA, parent, "Once only", ts="1700000999.000002")
    first = slack.send(payloads.event(note, event_id="EvRETRY"))
    retried = slack.send(
        payloads.event(note, event_id="EvRETRY"),
        headers={"x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout"},
    )
    again = slack.send(payloads.event(note))  # even under a new event id: the same note

    assert (first.status, retried.status, again.status) == (200, 200, 200)
    assert _eventually(services, 2)
    assert [kind for _, kind, _ in timeline(services)].count("note") == 1


def test_bots_other_threads_and_top_level_messages_are_ignored(
    slack: Slack, services: Services, parent: dict[str, Any]
) -> None:
    bot_line = thread_event("U0BOT", parent, "<@U0DANA> took the case", ts="1.1", bot_id="B0")
    other = {**thread_event(DANA, parent, "elsewhere", ts="1.2"), "thread_ts": "1699999999.000001"}
    top = {
        k: v for k, v in thread_event(DANA, parent, "hello", ts="1.3").items() if k != "thread_ts"
    }
    for event in (bot_line, other, top):
        assert slack.send(payloads.event(event)).status == 200
    slack.send(payloads.event(thread_event(DANA, parent, "the marker", ts="1.4")))

    assert _eventually(services, 2)
    assert [text for _, _, text in timeline(services)][1:] == ["the marker"]


def test_an_outsiders_note_is_refused_privately_and_audited(
    slack: Slack, standin: SlackStandIn, services: Services, parent: dict[str, Any]
) -> None:
    slack.send(payloads.event(thread_event(EVE, parent, "let me in", ts="1700000999.000003")))

    [call] = standin.wait_for(lambda: standin.calls("chat.postEphemeral"))
    assert call.args["user"] == EVE and call.args["thread_ts"] == parent["ts"]
    assert "Sorry, you can't add notes to the timeline of case #1" in call.args["text"]
    assert audit_trail(services.database, "case:1")[-1] == (EVE, "cases.refused")
    assert events(services) == 1


def _eventually(services: Services, count: int) -> bool:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if events(services) >= count:
            return True
        time.sleep(0.02)
    return False
