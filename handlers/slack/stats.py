"""`/security stats`, for security admins: the permission is checked in the acknowledgement, which
says "Gathering the figures…"; the figures follow from the lazy listener, as reading them
aggregates over every reminder sent and is not a constant-cost answer."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot.checklist import views
from bot.core.errors import DomainError
from bot.services import Services
from bot.stats import views as views_stats
from handlers.slack.errors import tells_member

ALLOWED = "stats_allowed"  # set in the context once the viewer may see the figures


def is_stats(name: str, arguments: tuple[str, ...]) -> bool:
    return name == "stats" and not arguments


def answer(ack: Ack, viewer: str, services: Services, context: BoltContext) -> None:
    try:
        services.stats.check_viewer(viewer)
    except DomainError as error:
        ack(response_type="ephemeral", **views.notice(error.user_message))
        return
    context[ALLOWED] = True
    ack(response_type="ephemeral", **views_stats.gathering())


@tells_member
def send_after_answer(
    command: dict[str, Any], services: Services, respond: Respond, context: BoltContext
) -> None:
    """The figures, in place of "Gathering the figures…"; nothing for a refused viewer."""
    if not context.get(ALLOWED):
        return
    report = services.stats.report(command["user_id"])
    respond(response_type="ephemeral", replace_original=True, **views_stats.stats_message(report))
