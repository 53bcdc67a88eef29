"""`POST /api/v1/alerts`: the platform's signed alerts.

Checked in this order, each refusal answered in JSON (`{"error": "..."}`): the body's size (413),
the signature (401), the document (400, with the reason). A new alert answers 202 and a second
delivery of an id 200. The DMs an alert causes are sent on a background executor after the
answer, so a slow Slack never makes the platform wait or retry. The first two checks and the
executor are handlers/web/platform_api.py's, shared with the posture API.
"""

from __future__ import annotations

import logging
from functools import partial

from bot.platform.alert_document import AlertInvalid
from bot.platform.alerts import Outcome, UnknownAccount
from handlers.slack.alerts import notify, tell_admins
from handlers.slack.suspicious_login import after_alert
from handlers.web.platform_api import ApiAnswer, SignedPlatformApi

PATH = "/api/v1/alerts"


class AlertsApi(SignedPlatformApi):
    log = logging.getLogger("security_bot.alerts")
    follow_up_failed = "an alert's follow-up in Slack failed"

    def _receive(self, body: bytes) -> ApiAnswer:
        services = self._services
        try:
            receipt = services.alerts.receive(body)
        except UnknownAccount as refused:
            admins = frozenset(services.admins)  # the document's workspace's, now
            self._later(
                partial(
                    tell_admins,
                    self._client,
                    admins,
                    refused,
                    language_of=services.languages.of,
                )
            )
            return ApiAnswer.malformed(refused.reason)
        except AlertInvalid as invalid:
            return ApiAnswer.malformed(invalid.reason)
        if receipt.outcome is Outcome.DUPLICATE:
            return ApiAnswer.duplicate(receipt.platform_alert_id)
        notice = receipt.notice
        if notice is not None:
            self._later(
                partial(
                    notify,
                    self._client,
                    services.alerts,
                    notice,
                    language_of=services.languages.of,
                )
            )
        # A takeover opens a case; a suspicious login asks "Was this you?" (no-op otherwise).
        self._later(partial(after_alert, self._client, services, receipt.platform_alert_id))
        return ApiAnswer.accepted(receipt.platform_alert_id)
