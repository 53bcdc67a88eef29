"""The thread lines of an incident's changes (severity, the platform's ticket), built again in the
channel's language where they are posted (bot/cases/thread_lines.ThreadLine)."""

from __future__ import annotations

from bot.cases.incident_views import inline
from bot.cases.severity import Severity
from bot.cases.thread_lines import ThreadLine
from bot.cases.wording import person
from bot.core.i18n import _
from bot.core.text import escape


def severity_line(actor: str, before: Severity, after: Severity, reason: str) -> ThreadLine:
    def render() -> str:
        return _("{actor} changed the severity from {before} to *{after}*: “{reason}”").format(
            actor=person(actor),
            before=inline(before),
            after=inline(after),
            reason=escape(reason, limit=300),
        )

    return ThreadLine(render)


def ticket_line(actor: str, reference: str, answer: str | None) -> ThreadLine:
    def render() -> str:
        text = _("{actor} recorded the platform's ticket {reference}").format(
            actor=person(actor), reference=f"`{escape(reference, limit=200)}`"
        )
        if answer:
            text += ". " + _("The platform answered: “{answer}”").format(
                answer=escape(answer, limit=300)
            )
        return text

    return ThreadLine(render)
