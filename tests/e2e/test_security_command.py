"""`/security` over signed HTTP: the answer is in the acknowledgement itself."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from sandbox import payloads
from storage.models import AuditRecord
from tests.conftest import ADMIN, AccountFactory, MemberFactory
from tests.e2e.conftest import Answer, RunningApp

pytestmark = pytest.mark.e2e

SLACK_DEADLINE = 3.0


def security(app: RunningApp, user_id: str, text: str) -> Answer:
    command = payloads.slash_command(user_id, text, response_url=app.standin.response_url())
    return app.send(command)


def ephemeral(answer: Answer) -> tuple[str, dict[str, Any]]:
    """The fallback text and the whole message of an acknowledgement that carries an answer."""
    assert answer.status == 200, answer.text
    assert answer.seconds < SLACK_DEADLINE
    message = answer.json()
    assert message["response_type"] == "ephemeral"
    return message["text"], message


def shown_text(message: dict[str, Any]) -> str:
    """Everything a member reads in the message's blocks."""
    return json.dumps(message["blocks"], ensure_ascii=False)


def buttons(message: dict[str, Any]) -> list[str]:
    found = []
    for block in message["blocks"]:
        accessory = block.get("accessory") or {}
        if accessory.get("type") == "button":
            found.append(accessory["action_id"])
        found.extend(e["action_id"] for e in block.get("elements", []) if e.get("type") == "button")
    return found


def test_status_answers_the_callers_checklist_in_the_acknowledgement(
    running_app: RunningApp, member: MemberFactory, account: AccountFactory
) -> None:
    ana = member("U0ANA", name="Ana")
    account("Acme Shoes Ads", members=[ana])
    account("Bolt Bikes Ads", members=[ana])
    account("Someone Else's Ads", members=[member("U0BEN")])

    text, message = ephemeral(security(running_app, "U0ANA", "status"))

    assert text == "0 of 7 checks pass"
    shown = shown_text(message)
    assert "Your security checklist" in shown
    assert "Acme Shoes Ads" in shown
    assert "Bolt Bikes Ads" in shown
    assert "Someone Else's Ads" not in shown
    assert "report_recovery_phone" in buttons(message)
    assert running_app.standin.calls("response_url") == []  # nothing left for later


def test_an_empty_command_means_status(running_app: RunningApp, member: MemberFactory) -> None:
    member("U0ANA")  # on no business account: only the authenticator check applies

    text, _ = ephemeral(security(running_app, "U0ANA", ""))

    assert text == "0 of 1 check passes"


def test_help_lists_what_the_bot_does(running_app: RunningApp, member: MemberFactory) -> None:
    member("U0ANA")

    text, _ = ephemeral(security(running_app, "U0ANA", "help"))

    assert "What I can do" in text
    assert "/security status" in text


def test_an_unknown_subcommand_gets_a_friendly_pointer_with_the_text_made_safe(
    running_app: RunningApp, member: MemberFactory
) -> None:
    member("U0ANA")

    text, _ = ephemeral(security(running_app, "U0ANA", "frobnicate"))
    assert "I don't know `frobnicate`" in text
    assert "/security help" in text

    text, _ = ephemeral(security(running_app, "U0ANA", "<!channel> hi"))
    assert "<!channel>" not in text
    assert "&lt;!channel&gt;" in text


def test_only_admins_see_someone_elses_checklist(
    running_app: RunningApp, member: MemberFactory, account: AccountFactory
) -> None:
    ana = member("U0ANA", name="Ana")
    member("U0BEN", name="Ben")
    member(ADMIN, name="Admin")
    account("Acme Shoes Ads", members=[ana])

    refused, message = ephemeral(security(running_app, "U0BEN", "status <@U0ANA|ana>"))
    assert "Only security admins" in refused
    assert "Acme Shoes Ads" not in json.dumps(message)

    text, message = ephemeral(security(running_app, ADMIN, "status <@U0ANA|ana>"))
    assert text == "0 of 7 checks pass"
    shown = shown_text(message)
    assert "Security checklist of Ana" in shown
    assert "Acme Shoes Ads" in shown
    assert buttons(message) == []  # fix buttons belong on the member's own view only

    assert running_app.database is not None
    with running_app.database.sessions() as session:
        audited = session.execute(
            select(AuditRecord.actor, AuditRecord.action, AuditRecord.target).order_by(
                AuditRecord.id
            )
        ).all()
    assert [tuple(row) for row in audited] == [
        ("U0BEN", "checklist.view.refused", "U0ANA"),
        (ADMIN, "checklist.viewed", "U0ANA"),
    ]
