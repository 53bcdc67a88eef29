"""Cases from the platform's alerts, through the alerts API: an account takeover opens a case;
a suspicious login asks the account's members "Was this you?" ("No" opens a case, "Yes" closes
the alert after a step-up code), and every member's question then says who answered."""

from __future__ import annotations

import dataclasses
import json
import time
from typing import Any

import pytest
from sqlalchemy import select

from bot.core.config import Settings
from bot.platform.signature import sign
from bot.services import Services
from handlers.web.alerts_api import AlertsApi
from sandbox.slack_standin import SlackStandIn
from storage.models import Alert
from tests.bot.cases.conftest import ANA, EVE, RAJ, World, audit_trail
from tests.handlers.cases.conftest import Codes, card, enter_code, thread, wait_for_dm
from tests.handlers.conftest import Slack, text_of
from wiring import build_client

SECRET = "alerts-secret"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, alerts_signing_secret=SECRET)


@pytest.fixture
def api(services: Services, settings: Settings) -> AlertsApi:
    return AlertsApi(services, build_client(settings), run_later=lambda job: job())


def deliver(api: AlertsApi, services: Services, alert_id: str, kind: str) -> int:
    body = json.dumps(
        {
            "id": alert_id,
            "kind": kind,
            "account_id": "7012345",
            "member_email": "u0ana@example.com",
            "detected_at": "2026-11-24T09:00:00Z",
            "detail": "Sign-in from a new country <!channel>",
        }
    ).encode()
    stamp = int(services.clock.now().timestamp())
    return int(api.answer(sign(SECRET, body, stamp), body).status)


def alert_status(services: Services, alert_id: str) -> tuple[str, str | None]:
    with services.database.sessions() as session:
        alert = session.scalars(select(Alert).where(Alert.platform_alert_id == alert_id)).one()
        return alert.status, alert.closed_reason


def test_an_account_takeover_opens_a_case_once(
    api: AlertsApi, standin: SlackStandIn, services: Services, world: World
) -> None:
    assert deliver(api, services, "alert-t1", "account_takeover") == 202
    assert deliver(api, services, "alert-t1", "account_takeover") == 200

    parent = card(standin)
    assert "Reported by*\nthe platform" in text_of(parent["blocks"])
    assert "&lt;!channel&gt;" in text_of(parent["blocks"])
    for member in (ANA, RAJ):
        assert wait_for_dm(standin, member, "may have been taken over")
    assert len([m for m in standin.messages() if m["channel"] == parent["channel"]]) == 1


def question(standin: SlackStandIn, user: str) -> dict[str, Any]:
    return standin.wait_for(lambda: standin.messages(user))[0]


def test_no_it_wasnt_me_opens_a_case_and_updates_every_question(
    api: AlertsApi, slack: Slack, standin: SlackStandIn, services: Services, world: World
) -> None:
    assert deliver(api, services, "alert-s1", "suspicious_login") == 202
    asked = question(standin, ANA)
    assert "Was this you?" in text_of(asked["blocks"])
    assert "TikTok for Business · Acme &lt;Shoes&gt; Ads (7012345)" in text_of(asked["blocks"])
    assert "&lt;!channel&gt;" in text_of(asked["blocks"])
    question(standin, RAJ)

    slack.press(RAJ, "login_not_me", value="1")

    parent = card(standin)
    assert "<@U0RAJ>" in text_of(parent["blocks"])
    standin.wait_for(lambda: "wasn't theirs" in text_of(question(standin, ANA)["blocks"]))
    assert "case *#1* is open" in text_of(question(standin, ANA)["blocks"])
    assert alert_status(services, "alert-s1") == ("closed", "not_me")
    slack.press(ANA, "login_not_me", value="1")  # a second "No" joins the same case
    standin.wait_for(lambda: any("reported it too" in line for line in thread(standin, parent)))


def test_yes_it_was_me_needs_a_code_then_closes_the_alert(
    api: AlertsApi,
    slack: Slack,
    standin: SlackStandIn,
    services: Services,
    world: World,
    codes: Codes,
) -> None:
    codes.link(ANA)
    deliver(api, services, "alert-s2", "suspicious_login")
    question(standin, RAJ)

    seen = len(standin.opened_views())
    slack.press(ANA, "login_was_me", value="1")
    assert alert_status(services, "alert-s2") == ("open", None)
    enter_code(slack, standin, ANA, codes.code(ANA), seen)

    standin.wait_for(lambda: "confirmed" in text_of(question(standin, RAJ)["blocks"]))
    assert alert_status(services, "alert-s2") == ("closed", "confirmed")
    assert (ANA, "alerts.suspicious_login.confirmed") in audit_trail(services.database)
    assert not [m for m in standin.messages() if m["channel"].startswith("C")]


def test_only_the_accounts_members_may_answer(
    api: AlertsApi, slack: Slack, standin: SlackStandIn, services: Services, world: World
) -> None:
    deliver(api, services, "alert-s3", "suspicious_login")
    question(standin, ANA)

    slack.press(EVE, "login_not_me", value="1")

    standin.wait_for(lambda: standin.response_url_posts())
    assert alert_status(services, "alert-s3") == ("open", None)
    assert (EVE, "alerts.suspicious_login.refused") in audit_trail(services.database)
    time.sleep(0.1)
    assert not [m for m in standin.messages() if m["channel"].startswith("C")]
