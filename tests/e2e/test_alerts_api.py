"""`POST /api/v1/alerts` against the real app (`app.py serve`) over HTTP: only signed alerts are
taken, each id once, every refusal answered with its reason, and a compromised password reaches
the members in Slack within seconds of the answer."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.platform.signature import sign
from storage.database import Database
from storage.models import Alert, AuditRecord, BusinessAccount
from tests.conftest import ADMIN, AccountFactory, MemberFactory, carrying
from tests.e2e.conftest import Answer, AppStarter, RunningApp, request, row_counts

pytestmark = pytest.mark.e2e

SECRET = "alerts-e2e-secret"
PATH = "/api/v1/alerts"
FIVE_MINUTES = 5 * 60


def document(**changes: Any) -> dict[str, Any]:
    detected = datetime.now(UTC) - timedelta(hours=2)
    return {
        "id": "alert-123",
        "kind": "compromised_password",
        "account_id": "7012345",
        "member_email": "ana@example.com",
        "detected_at": detected.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "detail": "Found in a credential dump",
        **changes,
    }


def body_of(**changes: Any) -> bytes:
    return json.dumps(document(**changes)).encode()


def post(app: RunningApp, body: bytes, headers: Mapping[str, str]) -> Answer:
    return request(
        app.url,
        "POST",
        PATH,
        body=body,
        headers={"Content-Type": "application/json", **headers},
    )


def post_signed(app: RunningApp, body: bytes, *, secret: str = SECRET) -> Answer:
    return post(app, body, sign(secret, body, int(time.time())))


@pytest.fixture
def alerts_app(
    start_app: AppStarter, app_environment: dict[str, str], database: Database
) -> RunningApp:
    return start_app({**app_environment, "ALERTS_SIGNING_SECRET": SECRET}, database)


@pytest.fixture
def acme(member: MemberFactory, account: AccountFactory) -> BusinessAccount:
    ana = member("U0ANA", email="ana@example.com", name="Ana")
    raj = member("U0RAJ", email="raj@example.com", name="Raj")
    dana = member("U0DANA", email="dana@example.com", name="Dana")
    return account(
        "Acme Shoes Ads", members=[ana, raj], manager=dana, platform_account_id="7012345"
    )


def forgeries(body: bytes) -> dict[str, dict[str, str]]:
    now = int(time.time())
    good = sign(SECRET, body, now)
    return {
        "forged": sign("not-the-secret", body, now),
        "signed over another body": sign(SECRET, body + b" ", now),
        "stale": sign(SECRET, body, now - FIVE_MINUTES - 10),
        "future": sign(SECRET, body, now + FIVE_MINUTES + 10),
        "missing headers": {},
        "missing signature": {"X-Alert-Timestamp": str(now)},
        "missing timestamp": {"X-Alert-Signature": good["X-Alert-Signature"]},
        "non-numeric timestamp": {
            "X-Alert-Timestamp": "yesterday",
            "X-Alert-Signature": good["X-Alert-Signature"],
        },
        "Slack's headers instead": {
            "X-Slack-Request-Timestamp": str(now),
            "X-Slack-Signature": good["X-Alert-Signature"],
        },
    }


def test_unsigned_forged_and_stale_alerts_are_refused_and_nothing_is_stored(
    alerts_app: RunningApp, database: Database, acme: BusinessAccount
) -> None:
    body = body_of()
    before = row_counts(database)

    answers = {problem: post(alerts_app, body, h) for problem, h in forgeries(body).items()}
    time.sleep(0.3)  # had anything been accepted, its DMs would go out now

    assert {problem: a.status for problem, a in answers.items() if a.status != 401} == {}
    assert {a.json()["error"] for a in answers.values()} == {"invalid signature"}
    assert row_counts(database) == before
    assert alerts_app.standin.messages() == []
    # the same body, signed properly, is taken: the refusals above are what kept it out
    assert post_signed(alerts_app, body).status == 202


def test_without_a_signing_secret_every_alert_is_refused(
    running_app: RunningApp, database: Database, acme: BusinessAccount
) -> None:
    body = body_of()
    before = row_counts(database)

    for secret in (SECRET, ""):
        answer = post_signed(running_app, body, secret=secret)
        assert (answer.status, answer.json()) == (401, {"error": "invalid signature"})

    assert row_counts(database) == before


def test_a_compromised_password_is_accepted_and_the_members_are_told_within_seconds(
    alerts_app: RunningApp, database: Database, acme: BusinessAccount
) -> None:
    standin = alerts_app.standin

    answer = post_signed(alerts_app, body_of())

    assert (answer.status, answer.json()) == (202, {"status": "accepted", "id": "alert-123"})
    assert answer.seconds < 1.0
    standin.wait_for(lambda: len(standin.messages()) == 3, timeout=5.0)
    for user in ("U0ANA", "U0RAJ", "U0DANA"):
        [dm] = standin.messages(user)
        assert "Acme Shoes Ads" in dm["text"]
    with database.sessions() as session:
        stored = session.scalars(select(Alert)).one()
    assert (stored.status, stored.received_via) == ("open", "api")


def test_a_second_delivery_answers_200_and_changes_nothing(
    alerts_app: RunningApp, database: Database, acme: BusinessAccount
) -> None:
    body = body_of()
    assert post_signed(alerts_app, body).status == 202
    alerts_app.standin.wait_for(lambda: len(alerts_app.standin.messages()) == 3)
    before = row_counts(database)

    answer = post_signed(alerts_app, body_of(detail="sent again, reworded"))
    time.sleep(0.3)

    assert (answer.status, answer.json()) == (200, {"status": "duplicate", "id": "alert-123"})
    assert row_counts(database) == before
    assert len(alerts_app.standin.messages()) == 3


def test_parallel_deliveries_of_one_id_store_one_alert(
    alerts_app: RunningApp, database: Database, acme: BusinessAccount
) -> None:
    body = body_of()
    headers = sign(SECRET, body, int(time.time()))
    start = threading.Barrier(8)
    statuses: list[int] = []

    def deliver() -> None:
        start.wait()
        statuses.append(post(alerts_app, body, headers).status)

    threads = [threading.Thread(target=carrying(deliver)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200] * 7 + [202]
    assert row_counts(database)["alerts"] == 1
    alerts_app.standin.wait_for(lambda: len(alerts_app.standin.messages()) == 3)
    time.sleep(0.3)
    assert len(alerts_app.standin.messages()) == 3  # one DM each, not one per delivery


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "body is not valid JSON"),
        (
            json.dumps({k: v for k, v in document().items() if k != "detail"}).encode(),
            "missing field: detail",
        ),
        (
            body_of(kind="weak_password"),
            "kind must be one of: compromised_password, suspicious_login, account_takeover",
        ),
        (
            body_of(detected_at="24/11/2026"),
            "detected_at must be an ISO 8601 time with a time zone, e.g. 2026-11-24T10:00:00Z",
        ),
    ],
    ids=["malformed JSON", "missing field", "bad kind", "bad date"],
)
def test_a_malformed_alert_is_refused_with_the_reason(
    alerts_app: RunningApp, database: Database, acme: BusinessAccount, body: bytes, reason: str
) -> None:
    before = row_counts(database)

    answer = post_signed(alerts_app, body)

    assert (answer.status, answer.json()) == (400, {"error": reason})
    assert row_counts(database) == before


def test_an_alert_for_an_unknown_account_is_reported_not_dropped(
    alerts_app: RunningApp, database: Database, member: MemberFactory, acme: BusinessAccount
) -> None:
    member(ADMIN)
    standin = alerts_app.standin

    answer = post_signed(alerts_app, body_of(account_id="9999999"))

    assert (answer.status, answer.json()) == (400, {"error": "unknown account_id"})
    [dm] = standin.wait_for(lambda: standin.messages(ADMIN))
    assert "9999999" in dm["text"]
    with database.sessions() as session:
        actions = list(session.scalars(select(AuditRecord.action)))
        assert session.scalars(select(Alert)).all() == []
    assert actions == ["alerts.refused.unknown_account"]
    assert standin.messages("U0ANA") == []


def test_a_body_larger_than_any_alert_is_refused(
    alerts_app: RunningApp, database: Database, acme: BusinessAccount
) -> None:
    body = body_of(detail="x" * (300 * 1024))
    before = row_counts(database)

    answer = post_signed(alerts_app, body)

    assert answer.status == 413
    assert row_counts(database) == before


def test_only_post_is_served(alerts_app: RunningApp) -> None:
    answer = request(alerts_app.url, "GET", PATH)

    assert answer.status == 405
