"""What the platform's signed APIs share (`POST /api/v1/alerts`, `POST /api/v1/posture`).

Each refuses alike and in the same order, answered in JSON (`{"error": "..."}`): a body too large
(413), then a bad or stale signature (401); only then does the API read the body. What Slack
should hear about a delivery runs on a background executor after the answer, so a slow Slack never
makes the platform wait or retry.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, ClassVar

from slack_sdk import WebClient

from bot.platform import signature as platform_signature
from bot.services import Services
from bot.workspaces.documents import WorkspaceUnknown, workspace_of_body
from bot.workspaces.scope import serving

Job = Callable[[], None]


@dataclass(frozen=True)
class ApiAnswer:
    status: HTTPStatus
    payload: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def malformed(cls, reason: str) -> ApiAnswer:
        return cls(HTTPStatus.BAD_REQUEST, {"error": reason})

    @classmethod
    def duplicate(cls, document_id: str) -> ApiAnswer:
        """A document whose id was received before: accepted once, so nothing more happens."""
        return cls(HTTPStatus.OK, {"status": "duplicate", "id": document_id})

    @classmethod
    def accepted(cls, document_id: str, **more: Any) -> ApiAnswer:
        return cls(HTTPStatus.ACCEPTED, {"status": "accepted", "id": document_id, **more})


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


class SignedPlatformApi(ABC):
    """One signed platform API: `_receive` answers only a body that passed `refusal`."""

    log: ClassVar[logging.Logger]
    follow_up_failed: ClassVar[str]  # logged, with the traceback, when a follow-up raises

    def __init__(
        self, services: Services, client: WebClient, run_later: Callable[[Job], object]
    ) -> None:
        self._services = services
        self._client = client
        self._run_later = run_later

    def answer(self, headers: Mapping[str, str], body: bytes | None) -> ApiAnswer:
        """`body` is None when it was larger than any delivery may be."""
        refused_early = refusal(self._services, headers, body)
        if refused_early is not None or body is None:
            return refused_early or TOO_LARGE
        try:
            workspace = workspace_of_body(body, self._services.workspace_rounds.keys)
        except WorkspaceUnknown as unknown:
            return ApiAnswer.malformed(unknown.reason)
        with serving(workspace):  # the follow-ups, submitted inside, carry it along
            return self._receive(body)

    @abstractmethod
    def _receive(self, body: bytes) -> ApiAnswer:
        """The answer to a signed body of an acceptable size."""

    def _later(self, job: Job) -> None:
        def logged() -> None:
            try:
                job()
            except Exception:  # a background failure has nowhere else to go
                self.log.exception(self.follow_up_failed)

        self._run_later(logged)
