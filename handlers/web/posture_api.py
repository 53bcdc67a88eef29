"""`POST /api/v1/posture`: the platform's signed posture reports.

Signed, checked and answered exactly like the alerts API (handlers/web/platform_api.py holds what they
share): 413 for a body too large, 401 for a bad signature, 400 with the reason for a malformed
report or one naming no business account (or member) of the directory, 202 for a new report and
200 for an id received before. Slack follows after the answer, on a background executor: the DMs
about alerts a password change closed are updated in place, and the Home tab of each member whose
evidence changed.
"""

from __future__ import annotations

import logging
from functools import partial

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.checklist.members import MemberService
from bot.platform.posture import Applied, PostureOutcome
from bot.platform.posture_document import PostureInvalid
from bot.stats import views as views_stats
from bot.stats.report import StatsService
from handlers.slack.alerts import LanguageOf, mark_resolved
from handlers.web.platform_api import ApiAnswer, SignedPlatformApi

logger = logging.getLogger("security_bot.posture")
PATH = "/api/v1/posture"


class PostureApi(SignedPlatformApi):
    log = logger
    follow_up_failed = "a posture report's follow-up in Slack failed"

    def _receive(self, body: bytes) -> ApiAnswer:
        try:
            receipt = self._services.posture.receive(body)
        except PostureInvalid as invalid:
            return ApiAnswer.malformed(invalid.reason)
        if receipt.outcome is PostureOutcome.DUPLICATE:
            return ApiAnswer.duplicate(receipt.platform_report_id)
        applied = receipt.applied
        if applied.members or applied.closed:
            members, stats = self._services.members, self._services.stats
            languages = self._services.languages.of
            self._later(partial(follow_up, self._client, members, applied, stats, languages))
        return ApiAnswer.accepted(
            receipt.platform_report_id,
            applied=list(applied.fields),
            superseded=list(applied.superseded),
        )


def follow_up(
    client: WebClient,
    members: MemberService,
    applied: Applied,
    stats: StatsService,
    languages: LanguageOf | None = None,
) -> None:
    """Each DM about an alert the report closed now says it is resolved and how long it took;
    then the Home tab of every member whose evidence changed, or who was told about the alert."""
    closed = applied.closed
    refresh = set(applied.members) | mark_resolved(
        client, closed, log=logger, language_of=languages
    )
    for member in sorted(refresh):
        try:
            status = members.status(member)
            view = views_stats.home_view(status.checklist, stats.overview(member))
            client.views_publish(user_id=member, view=view)
        except SlackApiError as error:
            logger.warning(
                "could not refresh the Home tab of %s (%s)", member, error.response.get("error")
            )
