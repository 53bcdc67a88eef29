"""`POST /api/v1/posture` against the real app (`app.py serve`) over HTTP: signed like the alerts
API, each id taken once, and the platform's word reaching the member's Home tab."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.platform.signature import sign
from storage.database import Database
from tests.conftest import AccountFactory, MemberFactory
from tests.e2e.conftest import AppStarter, RunningApp, request, row_counts

pytestmark = pytest.mark.e2e

SECRET = "posture-e2e-secret"
PATH = "/api/v1/posture"


def body_of(**changes: Any) -> bytes:
    reported = datetime.now(UTC) - timedelta(minutes=1)
    document = {
        "id": "posture-1",
        "account_id": "7012345",
        "member_email": "ana@example.com",
        "two_step": False,
        "reported_at": reported.isoformat(timespec="seconds").replace("+00:00", "Z"),
        **changes,
    }
    return json.dumps(document).encode()


def post(app: RunningApp, body: bytes, *, secret: str = SECRET) -> Any:
    headers = {"Content-Type": "application/json", **sign(secret, body, int(time.time()))}
    return request(app.url, "POST", PATH, body=body, headers=headers)


@pytest.fixture
def posture_app(
    start_app: AppStarter, app_environment: dict[str, str], database: Database
) -> RunningApp:
    return start_app({**app_environment, "ALERTS_SIGNING_SECRET": SECRET}, database)


def test_a_signed_report_contradicting_the_member_reaches_their_home_tab(
    posture_app: RunningApp, database: Database, member: MemberFactory, account: AccountFactory
) -> None:
    ana = member("U0ANA", email="ana@example.com", name="Ana")
    account("Acme Shoes Ads", members=[ana], platform_account_id="7012345")
    before = row_counts(database)

    forged = post(posture_app, body_of(), secret="not-the-secret")
    assert (forged.status, forged.json()) == (401, {"error": "invalid signature"})
    assert row_counts(database) == before

    accepted = post(posture_app, body_of())
    assert accepted.status == 202
    assert accepted.json() == {
        "status": "accepted",
        "id": "posture-1",
        "applied": ["two_step"],
        "superseded": [],
    }
    assert post(posture_app, body_of(two_step=True)).status == 200  # the same id again

    def red_home() -> str | None:
        view = posture_app.standin.published_view("U0ANA")
        shown = json.dumps(view["blocks"], ensure_ascii=False) if view else ""
        return shown if "Off, as the platform reports." in shown else None

    shown = posture_app.standin.wait_for(red_home)
    assert "Needs turning on: Acme Shoes Ads." in shown
    assert request(posture_app.url, "GET", PATH).status == 405
    # with no SMTP_URL, the app says at start where recovery-email codes go instead
    assert "SMTP_URL is not set: recovery-email codes are written to the outbox folder" in (
        posture_app.stderr()
    )
