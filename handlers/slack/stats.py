"""`/security stats`, for security admins: the permission is checked before the acknowledgement,
which says "Gathering the figures…"; the figures follow after it, as reading them aggregates over
every reminder sent and is not a constant-cost answer."""

from __future__ import annotations

from bot.stats import views as views_stats
from handlers.slack.command_line import Call, Message


def may_see(call: Call) -> None:
    """Refuses, and audits, anyone but a security admin."""
    call.services.stats.check_viewer(call.viewer)


def answer(call: Call) -> Message:
    return views_stats.gathering()


def send_after_answer(call: Call) -> None:
    """The figures, in place of "Gathering the figures…"."""
    report = call.services.stats.report(call.viewer)
    call.respond(
        response_type="ephemeral", replace_original=True, **views_stats.stats_message(report)
    )
