"""What every signed platform API shares: too large, then not signed (or signed too long ago), each
refused before the API reads a byte; a follow-up that fails is logged, never raised."""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta
from http import HTTPStatus

import pytest

from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.platform.signature import sign
from bot.services import Services, build_services
from handlers.web.alerts_api import AlertsApi
from handlers.web.platform_api import ApiAnswer, SignedPlatformApi
from handlers.web.posture_api import PostureApi
from storage.database import Database
from tests.conftest import MemberFactory
from wiring import build_client

SECRET = "platform-secret"


class EchoApi(SignedPlatformApi):
    """Answers what it read, then fails in Slack."""

    log = logging.getLogger("security_bot.tests.echo")
    follow_up_failed = "an echo's follow-up in Slack failed"

    def __init__(self, services: Services, settings: Settings) -> None:
        super().__init__(services, build_client(settings), run_later=lambda job: job())
        self.read: list[bytes] = []

    def _receive(self, body: bytes) -> ApiAnswer:
        self.read.append(body)
        self._later(self._fail)
        return ApiAnswer(HTTPStatus.ACCEPTED, {"status": "accepted"})

    def _fail(self) -> None:
        raise RuntimeError("Slack is down")


@pytest.fixture
def api(settings: Settings, clock: FakeClock, database: Database) -> EchoApi:
    signed = dataclasses.replace(settings, alerts_signing_secret=SECRET)
    return EchoApi(build_services(signed, clock, database), signed)


def stamp(clock: FakeClock, ago: timedelta = timedelta()) -> int:
    return int((clock.now() - ago).timestamp())


def test_a_body_too_large_is_refused_first(api: EchoApi) -> None:
    answer = api.answer({}, None)

    assert (answer.status, answer.payload) == (413, {"error": "request body too large"})
    assert api.read == []


@pytest.mark.parametrize(
    ("secret", "ago"),
    [("forged", timedelta()), (SECRET, timedelta(minutes=6)), (SECRET, -timedelta(minutes=6))],
)
def test_a_forged_or_stale_signature_is_refused_unread(
    api: EchoApi, clock: FakeClock, secret: str, ago: timedelta
) -> None:
    answer = api.answer(sign(secret, b"{}", stamp(clock, ago)), b"{}")

    assert (answer.status, answer.payload) == (401, {"error": "invalid signature"})
    assert api.read == []


def test_a_signed_body_is_read_and_a_failed_follow_up_only_logged(
    api: EchoApi, clock: FakeClock, caplog: pytest.LogCaptureFixture, member: MemberFactory
) -> None:
    member("U0ANA")  # the one workspace with data: a document naming none is its
    answer = api.answer(sign(SECRET, b"{}", stamp(clock)), b"{}")

    assert answer == ApiAnswer(HTTPStatus.ACCEPTED, {"status": "accepted"})
    assert api.read == [b"{}"]
    [failed] = [r for r in caplog.records if r.name == "security_bot.tests.echo"]
    assert failed.getMessage() == "an echo's follow-up in Slack failed"
    assert failed.exc_info is not None


def test_the_alerts_and_posture_apis_log_their_failures_apart() -> None:
    assert (AlertsApi.log.name, AlertsApi.follow_up_failed) == (
        "security_bot.alerts",
        "an alert's follow-up in Slack failed",
    )
    assert (PostureApi.log.name, PostureApi.follow_up_failed) == (
        "security_bot.posture",
        "a posture report's follow-up in Slack failed",
    )
