"""`POST /api/v1/posture` as the handler answers it, with its follow-ups in Slack run at once:
signed, forged, stale, duplicate and out-of-order reports; the contradiction case reaching the
member's Home tab; a password change closing an alert and updating its DMs in place."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.checklist.model import Check
from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.platform.signature import sign
from bot.services import Services, build_services
from handlers.slack.alerts import notify
from handlers.web.platform_api import ApiAnswer
from handlers.web.posture_api import PostureApi
from sandbox.slack_standin import SlackStandIn, validate_blocks
from storage.database import Database
from storage.models import AuditRecord, BusinessAccount, PostureReport
from tests.conftest import AccountFactory, MemberFactory
from tests.e2e.conftest import row_counts
from tests.handlers.conftest import text_of
from wiring import build_client

SECRET = "posture-secret"
FIVE_MINUTES = 5 * 60


def report(**changes: Any) -> bytes:
    document = {
        "id": "posture-1",
        "account_id": "7012345",
        "member_email": "ana@example.com",
        "two_step": False,
        "reported_at": "2026-11-24T09:30:00Z",
        **changes,
    }
    return json.dumps(document).encode()


@pytest.fixture
def signed_services(settings: Settings, clock: FakeClock, database: Database) -> Services:
    return build_services(
        dataclasses.replace(settings, alerts_signing_secret=SECRET), clock, database
    )


@pytest.fixture
def api(signed_services: Services, settings: Settings) -> PostureApi:
    return PostureApi(signed_services, build_client(settings), run_later=lambda job: job())


@pytest.fixture
def acme(member: MemberFactory, account: AccountFactory) -> BusinessAccount:
    ana = member("U0ANA", email="ana@example.com", name="Ana")
    raj = member("U0RAJ", email="raj@example.com", name="Raj")
    return account("Acme Shoes Ads", members=[ana, raj], platform_account_id="7012345")


def post(api: PostureApi, clock: FakeClock, body: bytes, *, secret: str = SECRET) -> ApiAnswer:
    return api.answer(sign(secret, body, int(clock.now().timestamp())), body)


def test_a_signed_report_is_accepted_and_the_home_tab_shows_the_platform_evidence(
    api: PostureApi, clock: FakeClock, standin: SlackStandIn, acme: BusinessAccount
) -> None:
    answer = post(api, clock, report(two_step=True, two_step_method="sms"))

    assert (answer.status, answer.payload) == (
        202,
        {"status": "accepted", "id": "posture-1", "applied": ["two_step"], "superseded": []},
    )
    home = standin.published_view("U0ANA")
    assert home is not None and validate_blocks(home["blocks"], surface="home") == []
    shown = text_of(home["blocks"])
    assert "Acme Shoes Ads: On, as the platform reports (with SMS)." in shown
    assert "<!date^" in shown  # the account line carries the report's date
    assert standin.published_view("U0RAJ") is None  # the report was about Ana only


def test_the_platform_contradicting_the_member_turns_the_check_red_with_the_reason(
    api: PostureApi,
    clock: FakeClock,
    standin: SlackStandIn,
    signed_services: Services,
    acme: BusinessAccount,
) -> None:
    reported = clock.now()
    clock.set(reported - timedelta(hours=1))  # the member's word comes before the platform's
    signed_services.self_reports.two_step_turned_on("U0ANA", acme.id, "authenticator_app")
    clock.set(reported)

    assert post(api, clock, report(two_step=False)).status == 202

    home = standin.published_view("U0ANA")
    assert home is not None
    shown = text_of(home["blocks"])
    assert "🔴 *2-step verification on each business account*" in shown
    assert "Needs turning on: Acme Shoes Ads." in shown
    assert "Reported on, but the platform's later report says it is off." in shown
    assert any(
        (block.get("accessory") or {}).get("action_id") == "report_two_step"
        for block in home["blocks"]
    )


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(lambda body, now: sign("not-the-secret", body, now), id="forged"),
        pytest.param(lambda body, now: sign(SECRET, body + b" ", now), id="another body"),
        pytest.param(lambda body, now: sign(SECRET, body, now - FIVE_MINUTES - 1), id="stale"),
        pytest.param(lambda body, now: sign(SECRET, body, now + FIVE_MINUTES + 1), id="future"),
        pytest.param(lambda body, now: {}, id="unsigned"),
    ],
)
def test_forged_stale_and_unsigned_reports_are_refused_and_change_nothing(
    api: PostureApi,
    clock: FakeClock,
    database: Database,
    standin: SlackStandIn,
    acme: BusinessAccount,
    headers: Any,
) -> None:
    body = report()
    before = row_counts(database)

    answer = api.answer(headers(body, int(clock.now().timestamp())), body)

    assert (answer.status, answer.payload) == (401, {"error": "invalid signature"})
    assert row_counts(database) == before
    assert standin.calls("views.publish") == []


def test_without_a_signing_secret_every_report_is_refused(
    services: Services, settings: Settings, clock: FakeClock, acme: BusinessAccount
) -> None:
    unsigned = PostureApi(services, build_client(settings), run_later=lambda job: job())
    assert post(unsigned, clock, report(), secret="").status == 401


def test_a_duplicate_is_answered_200_and_changes_nothing(
    api: PostureApi, clock: FakeClock, database: Database, acme: BusinessAccount
) -> None:
    assert post(api, clock, report()).status == 202
    before = row_counts(database)

    again = post(api, clock, report(two_step=True))

    assert (again.status, again.payload) == (200, {"status": "duplicate", "id": "posture-1"})
    assert row_counts(database) == before


def test_an_older_report_is_accepted_but_superseded(
    api: PostureApi, clock: FakeClock, signed_services: Services, acme: BusinessAccount
) -> None:
    post(api, clock, report(id="newer", reported_at="2026-11-24T09:30:00Z", two_step=True))

    older = post(api, clock, report(id="older", reported_at="2026-11-24T08:00:00Z"))

    assert older.status == 202
    assert older.payload["applied"] == [] and older.payload["superseded"] == ["two_step"]
    [account] = signed_services.members.status("U0ANA").checklist.line(Check.TWO_STEP).accounts
    assert account.explanation == "On, as the platform reports."
    with signed_services.database.sessions() as session:
        assert len(session.scalars(select(PostureReport)).all()) == 2


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "body is not valid JSON"),
        (report(reported_at=None), "missing field: reported_at"),
        (report(two_step="off"), "two_step must be true or false"),
        (report(account_id="404"), "unknown account_id"),
        (report(member_email="eve@example.com"), "member_email is not a member of that account"),
        (report(reported_at="2026-11-24T11:00:00Z"), "reported_at is in the future"),
    ],
)
def test_malformed_reports_are_answered_400_with_the_reason(
    api: PostureApi,
    clock: FakeClock,
    database: Database,
    acme: BusinessAccount,
    body: bytes,
    reason: str,
) -> None:
    answer = post(api, clock, body)

    assert (answer.status, answer.payload) == (400, {"error": reason})
    assert row_counts(database)["posture_reports"] == 0


def test_a_body_too_large_is_answered_413(api: PostureApi) -> None:
    assert api.answer({}, None).status == 413


def test_a_password_change_closes_the_alert_and_updates_its_dms_in_place(
    api: PostureApi,
    clock: FakeClock,
    standin: SlackStandIn,
    signed_services: Services,
    settings: Settings,
    acme: BusinessAccount,
) -> None:
    alert = {
        "id": "alert-1",
        "kind": "compromised_password",
        "account_id": "7012345",
        "member_email": "ana@example.com",
        "detected_at": "2026-11-24T08:00:00Z",
        "detail": "Found in a credential dump",
    }
    notice = signed_services.alerts.receive(json.dumps(alert)).notice
    assert notice is not None
    notify(build_client(settings), signed_services.alerts, notice)
    clock.advance(timedelta(minutes=1))

    answer = post(api, clock, report(password_changed_at="2026-11-24T09:45:00Z", two_step=None))

    assert answer.payload["applied"] == ["password_changed_at"]
    for user in ("U0ANA", "U0RAJ"):
        [dm] = standin.messages(user)
        assert dm["text"] == (
            "✅ Resolved: the password of TikTok for Business · Acme Shoes Ads (7012345) was "
            "changed, 1 h 45 min after the alert"
        )
        assert "The platform reports the password was changed" in text_of(dm["blocks"])
        home = standin.published_view(user)
        assert home is not None and "No open alert from the platform." in text_of(home["blocks"])
    with signed_services.database.sessions() as session:
        audited = session.scalars(select(AuditRecord.action).order_by(AuditRecord.id)).all()
    assert audited[-2:] == ["alerts.rotated", "posture.received"]
