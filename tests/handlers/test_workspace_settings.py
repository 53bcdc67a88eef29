"""`/security settings` through the real Bolt app, signed requests and the Slack stand-in: the
modal for security admins, a refusal for anyone else, errors on the inputs, and a change of the
admins that asks for a code first and then saves what was submitted."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from slack_bolt import BoltResponse
from sqlalchemy import select

from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.core.logs import CarryingPool
from bot.services import Services
from sandbox import payloads
from sandbox.slack_standin import SlackStandIn, validate_view
from storage.models import AuditRecord
from tests.conftest import ADMIN, MemberFactory
from tests.handlers.conftest import Slack, text_of
from tests.handlers.test_two_step import code, link_authenticator
from wiring import build_client, create_app

SUE, RAJ = "U0SUE", "U0RAJ"
STALE = timedelta(minutes=11)


@pytest.fixture
def slack(settings: Settings, services: Services, standin: SlackStandIn) -> Iterator[Slack]:
    """As tests/handlers/conftest.py's, with the production pool: lazy listeners run in the
    request's context, so they serve its workspace."""
    executor = CarryingPool(max_workers=4)
    app = create_app(settings, services, client=build_client(settings), executor=executor)
    yield Slack(app=app, signing_secret=settings.slack_signing_secret or "", standin=standin)
    executor.shutdown(wait=True)


def open_settings(slack: Slack, standin: SlackStandIn, user: str = ADMIN) -> dict[str, Any]:
    response = slack.send(
        payloads.slash_command(user, "settings", response_url=slack.standin.response_url())
    )
    assert response.status == 200 and response.body == ""
    modal = standin.wait_for(standin.opened_views)[-1]
    assert modal["callback_id"] == "workspace_settings"
    return modal


def values(modal: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The state Slack sends for `modal` as shown, with `changes` ({block: {key: value}})."""
    state: dict[str, Any] = {}
    for block in modal["blocks"]:
        if block["type"] != "input":
            continue
        element, name = block["element"], block["block_id"]
        kind = element["type"]
        if kind == "multi_users_select":
            entry = {"selected_users": element.get("initial_users", [])}
        elif kind == "conversations_select":
            entry = {"selected_conversation": element.get("initial_conversation")}
        elif kind == "timepicker":
            entry = {"selected_time": element.get("initial_time")}
        elif kind == "checkboxes":
            entry = {"selected_options": element.get("initial_options", [])}
        else:
            entry = {"value": element.get("initial_value")}
        state[name] = {name: {"type": kind, **entry, **changes.get(name, {})}}
    return state


def submit(slack: Slack, modal: dict[str, Any], user: str = ADMIN, **changes: Any) -> BoltResponse:
    response = slack.send(payloads.view_submission(user, modal, values(modal, **changes)))
    assert response.status == 200
    return response


def actions(services: Services) -> list[str]:
    with services.database.sessions() as session:
        return list(session.scalars(select(AuditRecord.action).order_by(AuditRecord.id)))


def test_an_admin_sees_the_settings_with_the_defaults_marked(
    slack: Slack, standin: SlackStandIn
) -> None:
    modal = open_settings(slack, standin)

    assert validate_view({k: modal[k] for k in ("type", "title", "blocks", "submit")}) == []
    admins = next(b for b in modal["blocks"] if b.get("block_id") == "security_admins")
    assert admins["element"]["initial_users"] == [ADMIN]
    assert admins["hint"]["text"].startswith("Default")
    assert "Working days" in text_of(modal["blocks"])


def test_anyone_else_is_refused_and_no_modal_opens(
    slack: Slack, standin: SlackStandIn, services: Services
) -> None:
    answer = slack.command(RAJ, "settings")

    assert "Only this workspace's security admins" in answer["text"]
    assert standin.opened_views() == []
    assert actions(services)[-1] == "workspace.settings.refused"


def test_an_admin_changes_the_escalation_channel(
    slack: Slack, standin: SlackStandIn, services: Services
) -> None:
    modal = open_settings(slack, standin)

    answer = submit(slack, modal, escalation_channel={"selected_conversation": "C0ESCALATE"})

    assert json.loads(answer.body) == {"response_action": "clear"}
    assert services.cases.desk.routing.escalation == "C0ESCALATE"
    told = standin.wait_for(standin.response_url_posts)[-1]
    assert told["text"] == "Saved 1 setting of this workspace: escalation channel."
    assert actions(services)[-1] == "workspace.settings.changed"


def test_bad_values_are_shown_on_their_inputs(
    slack: Slack, standin: SlackStandIn, services: Services
) -> None:
    modal = open_settings(slack, standin)

    answer = submit(
        slack,
        modal,
        reminder_cap={"value": "lots"},
        working_days={"selected_options": []},
        security_admins={"selected_users": []},
    )

    body = json.loads(answer.body)
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"reminder_cap", "working_days", "security_admins"}
    assert "at least one security admin" in body["errors"]["security_admins"]
    assert services.workspace_settings.current().changed_at is None


def test_changing_the_admins_asks_for_a_code_then_saves(
    slack: Slack,
    standin: SlackStandIn,
    services: Services,
    member: MemberFactory,
    clock: FakeClock,
) -> None:
    member(ADMIN)
    secret = link_authenticator(services, clock, ADMIN)
    clock.advance(STALE)
    modal = open_settings(slack, standin)

    answer = submit(slack, modal, security_admins={"selected_users": [ADMIN, SUE]})

    body = json.loads(answer.body)
    assert body["response_action"] == "push" and body["view"]["callback_id"] == "step_up"
    assert "change this workspace's security admins" in text_of(body["view"]["blocks"])
    assert SUE not in services.admins

    typed = {"code": {"code": {"type": "plain_text_input", "value": code(secret, clock)}}}
    done = slack.send(payloads.view_submission(ADMIN, body["view"], typed))

    assert json.loads(done.body) == {"response_action": "clear"}
    told = standin.wait_for(standin.response_url_posts)[-1]
    assert told["text"] == "Saved 1 setting of this workspace: security admins."
    assert sorted(services.admins) == [ADMIN, SUE]
    assert actions(services)[-2:] == ["twostep.code.accepted", "workspace.settings.changed"]


def test_an_admin_with_no_authenticator_is_told_to_link_one(
    slack: Slack, standin: SlackStandIn, services: Services
) -> None:
    modal = open_settings(slack, standin)

    answer = submit(slack, modal, security_admins={"selected_users": [ADMIN, SUE]})

    body = json.loads(answer.body)
    assert body["response_action"] == "errors"
    assert "/security 2sv" in body["errors"]["security_admins"]
    assert SUE not in services.admins
