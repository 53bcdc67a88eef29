"""Isolation between workspaces on the web entry points (tests/handlers/test_isolation.py has the
Slack ones): the alerts and posture APIs, told of workspace A, naming B's accounts and emails, and
A's one-time page with form fields forged to name B's business accounts."""

from __future__ import annotations

import json
from typing import Any

from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.core.secure_links import LinkPurpose
from bot.platform.signature import sign
from bot.services import Services
from handlers.web.alerts_api import AlertsApi
from handlers.web.platform_api import SignedPlatformApi
from handlers.web.posture_api import PostureApi
from sandbox.slack_standin import SlackStandIn
from storage.database import Database
from storage.scope import serving
from tests.handlers.conftest import Browser, Slack
from tests.handlers.isolation.conftest import API_SECRET, A, untouched
from tests.handlers.isolation.world import Seeded
from wiring import build_client, create_web

# -- the platform APIs ---------------------------------------------------------------------------


def test_the_apis_naming_a_attach_nothing_to_b_s_accounts(
    worlds: tuple[Seeded, Seeded],
    standin: SlackStandIn,
    settings: Settings,
    services: Services,
    database: Database,
    clock: FakeClock,
) -> None:
    _, b = worlds
    client = build_client(settings)
    alerts = AlertsApi(services, client, run_later=lambda job: job())
    posture = PostureApi(services, client, run_later=lambda job: job())
    stamp = int(clock.now().timestamp())
    documents: list[tuple[SignedPlatformApi, dict[str, Any]]] = []
    for team in ({"team_id": A}, {"enterprise_id": A}):
        for account in (b.platform_account, str(b.account)):
            common = {**team, "account_id": account, "member_email": b.email}
            documents.append(
                (alerts, {**common, "id": f"forged-{account}-{len(documents)}",
                          "kind": "compromised_password", "detected_at": "2026-11-24T09:00:00Z"})
            )  # fmt: skip
            documents.append(
                (posture, {**common, "id": f"forged-p-{len(documents)}", "two_step": True,
                           "reported_at": "2026-11-24T09:40:00Z"})
            )  # fmt: skip
    answers = []

    def attack() -> Any:
        for api, document in documents:
            body = json.dumps(document).encode()
            answers.append(api.answer(sign(API_SECRET, body, stamp), body))
        return [repr(answer) for answer in answers]

    untouched(database, standin, b, attack)
    assert answers and all(answer.status < 500 for answer in answers)


# -- the one-time pages --------------------------------------------------------------------------


def test_a_s_page_with_forged_fields_naming_b_s_accounts_changes_nothing_of_b(
    worlds: tuple[Seeded, Seeded],
    settings: Settings,
    services: Services,
    database: Database,
    standin: SlackStandIn,
    attacker: Slack,
) -> None:
    a, b = worlds
    browser = Browser(create_web(settings, services, attacker.app))
    with serving(A):
        link = services.secure_links.issue(a.people.member, LinkPurpose.PASSWORD_CHECK).url
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = browser.get(f"/{path}")
    assert page.status == 200, page.html
    assert f"{b.team} Ads" not in page.html

    def attack() -> Any:
        forged = {"step": "check", f"password-{b.account}": "Correct horse battery 9!"}
        return browser.post(f"/{path}", forged, csrf=page.csrf).html

    untouched(database, standin, b, attack)
