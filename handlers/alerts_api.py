"""`POST /api/v1/alerts`: the platform's signed alerts.

Checked in this order, each refusal answered in JSON (`{"error": "..."}`): the body's size (413),
the signature (401), the document (400, with the reason). A new alert answers 202 and a second
delivery of an id 200. The DMs an alert causes are sent on a background executor after the
answer, so a slow Slack never makes the platform wait or retry.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from http import HTTPStatus
from typing import Any

from slack_sdk import WebClient

from bot import platform_signature
from bot.alert_document import AlertInvalid
from bot.alerts import Outcome, UnknownAccount
from bot.services import Services
from handlers.alerts import notify, tell_admins
from handlers.suspicious_login import after_alert

logger = logging.getLogger("security_bot.alerts")
PATH = "/api/v1/alerts"
Job = Callable[[], None]


@dataclass(frozen=True)
class ApiAnswer:
    status: HTTPStatus
    payload: dict[str, Any] = field(default_factory=dict)


TOO_LARGE = ApiAnswer(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": "request body too large"})
NOT_SIGNED = ApiAnswer(HTTPStatus.UNAUTHORIZED, {"error": "invalid signature"})


def refusal(services: Services, headers: Mapping[str, str], body: bytes | None) -> ApiAnswer | None:
    """The answer to a platform request that is too large or not signed; None when it may pass.

    Shared by every signed platform API (alerts, posture), so they refuse alike."""
    if body is None:
        return TOO_LARGE
    secret = services.settings.alerts_signing_secret
    if not platform_signature.verify(secret, headers, body, services.clock.now()):
        return NOT_SIGNED
    return None


class AlertsApi:
    def __init__(
        self, services: Services, client: WebClient, run_later: Callable[[Job], object]
    ) -> None:
        self._services = services
        self._client = client
        self._run_later = run_later

    def answer(self, headers: Mapping[str, str], body: bytes | None) -> ApiAnswer:
        """`body` is None when it was larger than any alert may be."""
        services = self._services
        refused_early = refusal(services, headers, body)
        if refused_early is not None or body is None:
            return refused_early or TOO_LARGE
        try:
            receipt = services.alerts.receive(body)
        except UnknownAccount as refused:
            admins = services.settings.security_admins
            self._later(partial(tell_admins, self._client, admins, refused))
            return ApiAnswer(HTTPStatus.BAD_REQUEST, {"error": refused.reason})
        except AlertInvalid as invalid:
            return ApiAnswer(HTTPStatus.BAD_REQUEST, {"error": invalid.reason})
        if receipt.outcome is Outcome.DUPLICATE:
            return ApiAnswer(
                HTTPStatus.OK, {"status": "duplicate", "id": receipt.platform_alert_id}
            )
        notice = receipt.notice
        if notice is not None:
            self._later(partial(notify, self._client, services.alerts, notice))
        # A takeover opens a case; a suspicious login asks "Was this you?" (no-op otherwise).
        self._later(partial(after_alert, self._client, services, receipt.platform_alert_id))
        return ApiAnswer(
            HTTPStatus.ACCEPTED, {"status": "accepted", "id": receipt.platform_alert_id}
        )

    def _later(self, job: Job) -> None:
        def logged() -> None:
            try:
                job()
            except Exception:  # a background failure has nowhere else to go
                logger.exception("an alert's follow-up in Slack failed")

        self._run_later(logged)
