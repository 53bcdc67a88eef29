"""Suspend and restore requests for business accounts, sent to the platform through a hook.

`PlatformHook` is the interface. `RecordingHook`, the default, only records each request (the
case's audit records say what was asked); handlers/outbound/platform_webhook.py posts each as signed JSON
to PLATFORM_WEBHOOK_URL. A hook raises PlatformUnavailable when the platform did not confirm;
the case then does not change.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

logger = logging.getLogger("security_bot.cases")


class PlatformAction(StrEnum):
    SUSPEND = "suspend"
    RESTORE = "restore"


@dataclass(frozen=True)
class PlatformRequest:
    """One request about one business account. `id` is the same for a retried request."""

    id: str
    action: PlatformAction
    platform: str
    account_id: str  # the platform's own account id
    case_number: int
    requested_by: str
    requested_at: datetime
    reason: str

    def document(self) -> dict[str, Any]:
        """The JSON document the webhook sends."""
        fields = asdict(self)
        fields["action"] = self.action.value
        fields["requested_at"] = self.requested_at.isoformat().replace("+00:00", "Z")
        return fields


class PlatformHook(Protocol):
    @property
    def connected(self) -> bool:
        """Whether requests reach the platform; False: they are only recorded."""
        ...

    def send(self, request: PlatformRequest) -> None:
        """Deliver `request`; raise PlatformUnavailable when the platform did not take it."""
        ...


class RecordingHook:
    """The default when no PLATFORM_WEBHOOK_URL is set: keeps and logs what would have been sent."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: list[PlatformRequest] = []

    @property
    def connected(self) -> bool:
        return False

    def send(self, request: PlatformRequest) -> None:
        with self._lock:
            self._requests.append(request)
        logger.info(
            "platform request recorded (no PLATFORM_WEBHOOK_URL): %s %s account %s, case #%s",
            request.action.value,
            request.platform,
            request.account_id,
            request.case_number,
        )

    @property
    def requests(self) -> list[PlatformRequest]:
        with self._lock:
            return list(self._requests)
