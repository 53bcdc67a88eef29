"""The card's "Change severity" and "Platform ticket" over signed requests against the Slack
stand-in: the handler changes the case from a modal, with the same rules and audit records as
`/security case severity` and `/security case ticket`; a forged press or submission by someone
who is not the handler (nor a manager or admin) is refused where they acted, and audited."""

from __future__ import annotations

import json
from typing import Any

from bot.services import Services
from sandbox import payloads
from sandbox.slack_standin import SlackStandIn, validate_view
from tests.bot.cases.conftest import ANA, DANA, EVE, World, audit_trail
from tests.handlers.cases.conftest import card, submit, thread, wait_for_modal
from tests.handlers.conftest import Slack, text_of


def opened_and_taken(slack: Slack, standin: SlackStandIn, services: Services) -> dict[str, Any]:
    slack.command(DANA, "case open 7012345 Client says the ads changed")
    parent = card(standin)
    services.cases.take(DANA, 1)
    buttons = [
        element["action_id"]
        for block in card(standin)["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]
    assert "case_severity" in buttons and "case_ticket" in buttons
    return parent


def card_showing(standin: SlackStandIn, words: str) -> str:
    def found() -> str | None:
        shown = text_of(card(standin)["blocks"])
        return shown if words in shown else None

    return standin.wait_for(found)


def test_the_handler_changes_the_severity_from_the_card(
    slack: Slack, standin: SlackStandIn, services: Services, world: World
) -> None:
    parent = opened_and_taken(slack, standin, services)

    slack.press(DANA, "case_severity", value="1")
    modal = wait_for_modal(standin, "case_severity")
    assert validate_view({k: modal[k] for k in ("type", "title", "blocks", "submit")}) == []
    empty = json.loads(submit(slack, DANA, modal, severity="critical", reason=" ").body)
    assert empty == {
        "response_action": "errors",
        "errors": {"reason": "Say why the severity changes."},
    }
    answer = submit(slack, DANA, modal, severity="critical", reason="Charges on the card")

    assert answer.status == 200 and answer.body == ""  # the modal closes
    shown = card_showing(standin, "🟥 Critical")
    assert "🟥 Critical · set by <@U0DANA>" in shown
    lines = standin.wait_for(lambda: [t for t in thread(standin, parent) if "severity" in t])
    assert "<@U0DANA> changed the severity from medium to *critical*" in lines[0]
    assert (DANA, "cases.severity.changed") in audit_trail(services.database, "case:1")

    again = submit(slack, DANA, modal, severity="critical", reason="Still")
    assert json.loads(again.body)["errors"] == {"severity": "Case #1 is already of that severity."}


def test_the_handler_records_the_platform_s_ticket_from_the_card(
    slack: Slack, standin: SlackStandIn, services: Services, world: World
) -> None:
    opened_and_taken(slack, standin, services)

    slack.press(DANA, "case_ticket", value="1")
    modal = wait_for_modal(standin, "case_ticket")
    answer = submit(slack, DANA, modal, reference="TT-4711", answer="Appeal received")

    assert answer.status == 200 and answer.body == ""
    shown = card_showing(standin, "TT-4711")
    assert "The platform answered: Appeal received" in shown
    assert (DANA, "cases.platform_ticket.recorded") in audit_trail(services.database, "case:1")


def test_a_press_by_someone_else_is_refused_and_opens_nothing(
    slack: Slack, standin: SlackStandIn, services: Services, world: World
) -> None:
    opened_and_taken(slack, standin, services)
    seen = len(standin.opened_views())

    for action in ("case_severity", "case_ticket"):
        slack.press(EVE, action, value="1")

    refusals = standin.wait_for(lambda: p if len(p := standin.response_url_posts()) >= 2 else None)
    said = sorted(post["text"] for post in refusals)
    assert said[0].startswith("Sorry, you can't change the severity of case #1")
    assert said[1].startswith("Sorry, you can't record the platform's ticket on case #1")
    assert len(standin.opened_views()) == seen
    refused = [entry for entry in audit_trail(services.database, "case:1") if entry[0] == EVE]
    assert refused == [(EVE, "cases.refused"), (EVE, "cases.refused")]


def test_a_forged_submission_by_someone_else_changes_nothing(
    slack: Slack, standin: SlackStandIn, services: Services, world: World
) -> None:
    """Eve (and Ana, who reported nothing here) submit the forms as if they had been given them."""
    opened_and_taken(slack, standin, services)
    metadata = json.dumps({"item": 1, "response_url": None})

    for user in (EVE, ANA):
        severity = {
            "id": "V0FORGED",
            "type": "modal",
            "callback_id": "case_severity",
            "private_metadata": metadata,
        }
        values = {
            "severity": {
                "severity": {"type": "static_select", "selected_option": {"value": "low"}}
            },
            "reason": {"reason": {"type": "plain_text_input", "value": "forged"}},
        }
        answer = json.loads(slack.send(payloads.view_submission(user, severity, values)).body)
        assert answer["errors"]["severity"].startswith("Sorry, you can't change the severity")
        ticket = {
            "id": "V0FORGED",
            "type": "modal",
            "callback_id": "case_ticket",
            "private_metadata": metadata,
        }
        values = {"reference": {"reference": {"type": "plain_text_input", "value": "FAKE-1"}}}
        answer = json.loads(slack.send(payloads.view_submission(user, ticket, values)).body)
        assert answer["errors"]["reference"].startswith("Sorry, you can't record the platform")

    detail = services.cases.show(DANA, 1).card
    assert (detail.severity, detail.platform_reference) == ("medium", None)
    refused = [e for e in audit_trail(services.database, "case:1") if e[1] == "cases.refused"]
    assert len(refused) == 4
