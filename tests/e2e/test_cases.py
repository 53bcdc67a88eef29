"""Compromise cases against the real app (`app.py serve`) over HTTP: a takeover alert opens a
case whose card appears in the escalation channel; the manager takes it with a signed button
press; a thread note lands on the timeline once, however often Slack delivers it."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import func, select

from bot.platform.signature import sign
from sandbox import payloads
from storage.case_models import CaseEvent
from storage.database import Database
from tests.conftest import AccountFactory, MemberFactory
from tests.e2e.conftest import AppStarter, RunningApp, request

pytestmark = pytest.mark.e2e

SECRET = "cases-e2e-secret"
ESCALATION = "C0ESCALATE"


@pytest.fixture
def cases_app(
    start_app: AppStarter,
    app_environment: dict[str, str],
    database: Database,
    member: MemberFactory,
    account: AccountFactory,
) -> RunningApp:
    ana, dana = member("U0ANA", email="ana@example.com"), member("U0DANA", email="dana@example.com")
    account("Acme Shoes Ads", members=[ana], manager=dana, platform_account_id="7012345")
    environment = {
        **app_environment,
        "ALERTS_SIGNING_SECRET": SECRET,
        "ESCALATION_CHANNEL": ESCALATION,
        "SUPPORT_CHANNEL": "C0SUPPORT",
    }
    return start_app(environment, database)


def notes(database: Database) -> int:
    with database.sessions() as session:
        found = select(func.count()).select_from(CaseEvent).where(CaseEvent.kind == "note")
        return int(session.scalar(found) or 0)


def test_a_takeover_alert_to_a_note_on_the_timeline(
    cases_app: RunningApp, database: Database
) -> None:
    standin = cases_app.standin
    body = json.dumps(
        {
            "id": "takeover-1",
            "kind": "account_takeover",
            "account_id": "7012345",
            "member_email": "ana@example.com",
            "detected_at": "2026-11-24T09:00:00Z",
            "detail": "Password and email changed from a new device",
        }
    ).encode()
    headers = {"Content-Type": "application/json", **sign(SECRET, body, int(time.time()))}

    answer = request(cases_app.url, "POST", "/api/v1/alerts", body=body, headers=headers)

    assert answer.status == 202
    card = standin.wait_for(lambda: standin.messages(ESCALATION))[0]
    assert card["text"].startswith("Case #1 · Acme Shoes Ads")
    assert (
        "taken over"
        in standin.wait_for(lambda: standin.messages("U0ANA"))[0]["blocks"][1]["text"]["text"]
    )

    press = payloads.block_action(
        "U0DANA",
        {"type": "button", "action_id": "case_take", "value": "1", "block_id": "b"},
        response_url=standin.response_url(),
    )
    assert cases_app.send(press).status == 200
    standin.wait_for(
        lambda: any(m["text"] == "<@U0DANA> took the case" for m in standin.messages(ESCALATION))
    )

    note = {
        "type": "message",
        "channel": ESCALATION,
        "user": "U0DANA",
        "text": "Called Ana",
        "ts": "1700001234.000100",
        "thread_ts": card["ts"],
    }
    first = cases_app.send(payloads.event(note, event_id="EvE2ENOTE"))
    retried = cases_app.send(
        payloads.event(note, event_id="EvE2ENOTE"), headers={"X-Slack-Retry-Num": "1"}
    )
    assert (first.status, retried.status) == (200, 200)
    deadline = time.monotonic() + 5
    while notes(database) < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    assert notes(database) == 1
