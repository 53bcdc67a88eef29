"""The platform hook over HTTP: each suspend or restore request is POSTed as JSON to
PLATFORM_WEBHOOK_URL, signed like the alerts API (X-Alert-Timestamp, X-Alert-Signature: v0= hex
HMAC-SHA256 of `v0:{timestamp}:{body}` with ALERTS_SIGNING_SECRET).

Any 2xx answer confirms. A connection error, a timeout or a 5xx is tried once more; anything
else, or a second failure, raises PlatformUnavailable and the case does not change. The request's
`id` (also sent as Idempotency-Key) is the same on the retry.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request

from bot.cases.model import PlatformUnavailable
from bot.cases.platform import PlatformRequest
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.platform import signature as platform_signature

logger = logging.getLogger("security_bot.cases")
TIMEOUT_SECONDS = 5.0
ATTEMPTS = 2


class WebhookHook:
    def __init__(
        self, url: str, secret: str, clock: Clock, *, timeout: float = TIMEOUT_SECONDS
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError("the platform webhook needs an http(s) URL")
        self._url = url
        self._secret = secret
        self._clock = clock
        self._timeout = timeout

    @property
    def connected(self) -> bool:
        return True

    def send(self, request: PlatformRequest) -> None:
        body = json.dumps(request.document(), sort_keys=True, separators=(",", ":")).encode()
        for attempt in range(1, ATTEMPTS + 1):
            outcome = self._post(body, request.id)
            if outcome is None:
                return
            logger.warning(
                "platform webhook attempt %s for %s failed: %s", attempt, request.id, outcome
            )
            if not outcome.startswith(("connection", "http 5")) or attempt == ATTEMPTS:
                break
            time.sleep(0.5)
        raise PlatformUnavailable(
            f"The platform did not confirm the request to {request.action.value} account "
            f"{request.account_id}, so nothing changed. Try again in a minute; if it keeps "
            f"failing, {request.action.value} it in the platform's own console and tell a "
            "security admin."
        )

    def _post(self, body: bytes, request_id: str) -> str | None:
        """None when the platform confirmed; otherwise what went wrong (never the body)."""
        stamp = int(self._clock.now().timestamp())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "security-bot",
            "Idempotency-Key": request_id,
            **platform_signature.sign(self._secret, body, stamp),
        }
        http_request = urllib.request.Request(  # noqa: S310 - the URL is checked above
            self._url, data=body, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(http_request, timeout=self._timeout) as answer:  # noqa: S310
                status = int(answer.status)
        except urllib.error.HTTPError as error:
            status = error.code
        except (urllib.error.URLError, OSError) as error:
            return f"connection: {type(error).__name__}"
        return None if 200 <= status < 300 else f"http {status}"


def for_settings(settings: Settings, clock: Clock) -> WebhookHook | None:
    """The webhook when PLATFORM_WEBHOOK_URL is set (config requires its secret then)."""
    if not settings.platform_webhook_url or not settings.alerts_signing_secret:
        return None
    return WebhookHook(settings.platform_webhook_url, settings.alerts_signing_secret, clock)
