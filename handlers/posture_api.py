"""`POST /api/v1/posture`: the platform's signed posture reports.

Signed, checked and answered exactly like the alerts API (handlers/alerts_api.py): 413 for a body
too large, 401 for a bad signature, 400 with the reason for a malformed report or one naming no
business account (or member) of the directory, 202 for a new report and 200 for an id received
before. Slack follows after the answer, on a background executor: the DMs about alerts a password
change closed are updated in place, and the Home tab of each member whose evidence changed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from functools import partial
from http import HTTPStatus

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import views_alerts, views_stats
from bot.alerts import Role
from bot.members import MemberService
from bot.posture import Applied, PostureOutcome
from bot.posture_document import PostureInvalid
from bot.services import Services
from bot.stats.report import StatsService
from handlers.alerts_api import TOO_LARGE, ApiAnswer, refusal

logger = logging.getLogger("security_bot.posture")
PATH = "/api/v1/posture"
Job = Callable[[], None]


class PostureApi:
    def __init__(
        self, services: Services, client: WebClient, run_later: Callable[[Job], object]
    ) -> None:
        self._services = services
        self._client = client
        self._run_later = run_later

    def answer(self, headers: Mapping[str, str], body: bytes | None) -> ApiAnswer:
        """`body` is None when it was larger than any report may be."""
        services = self._services
        refused_early = refusal(services, headers, body)
        if refused_early is not None or body is None:
            return refused_early or TOO_LARGE
        try:
            receipt = services.posture.receive(body)
        except PostureInvalid as invalid:
            return ApiAnswer(HTTPStatus.BAD_REQUEST, {"error": invalid.reason})
        if receipt.outcome is PostureOutcome.DUPLICATE:
            return ApiAnswer(
                HTTPStatus.OK, {"status": "duplicate", "id": receipt.platform_report_id}
            )
        applied = receipt.applied
        if applied.members or applied.closed:
            self._later(partial(follow_up, self._client, services.members, applied, services.stats))
        return ApiAnswer(
            HTTPStatus.ACCEPTED,
            {
                "status": "accepted",
                "id": receipt.platform_report_id,
                "applied": list(applied.fields),
                "superseded": list(applied.superseded),
            },
        )

    def _later(self, job: Job) -> None:
        def logged() -> None:
            try:
                job()
            except Exception:  # a background failure has nowhere else to go
                logger.exception("a posture report's follow-up in Slack failed")

        self._run_later(logged)


def follow_up(
    client: WebClient, members: MemberService, applied: Applied, stats: StatsService
) -> None:
    """Each DM about an alert the report closed now says it is resolved and how long it took;
    then the Home tab of every member whose evidence changed, or who was told about the alert."""
    refresh = set(applied.members)
    for alert in applied.closed:
        message = views_alerts.resolved_dm(alert)
        for sent in alert.messages:
            try:
                client.chat_update(channel=sent.channel, ts=sent.ts, **message)
            except SlackApiError as error:
                logger.warning(
                    "could not update the DM about alert %s (%s)",
                    alert.platform_alert_id,
                    error.response.get("error"),
                )
            if sent.role is Role.MEMBER:
                refresh.add(sent.slack_user_id)
    for member in sorted(refresh):
        try:
            status = members.status(member)
            view = views_stats.home_view(status.checklist, stats.overview(member))
            client.views_publish(user_id=member, view=view)
        except SlackApiError as error:
            logger.warning(
                "could not refresh the Home tab of %s (%s)", member, error.response.get("error")
            )
