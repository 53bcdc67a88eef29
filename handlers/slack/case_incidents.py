"""`/security case severity <number> <severity> <reason>`, `/security case ticket <number>
<reference> [answer]` and `/security case review <number>`: the service checks and changes in the
acknowledgement; the card, the thread line and the review (with its Markdown file) follow it.
The card's "Change severity" and "Platform ticket" open modals that make the same changes,
checked by the same service."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.cases import incident_views, modals, review_views
from bot.cases.access import Operation
from bot.cases.incident import CaseReview
from bot.core import blocks
from bot.core.i18n import N_, _, reading
from bot.core.ids import Action, Block, Callback
from bot.nudges.sender import DeliveryFailed
from bot.services import Services
from handlers.outbound.slack_messenger import SlackMessenger
from handlers.slack.case_slack import publish
from handlers.slack.cases import CHANGE, case_modal, change_in_ack, item_of, publish_from_context
from handlers.slack.command_line import Call, Message, Subcommand, by_the_service
from handlers.slack.lazy import on_buttons

logger = logging.getLogger("security_bot.cases")
REVIEW = "case_review"  # the review the answer read, for the follow-up to post
_QUIET = {"unfurl_links": False, "unfurl_media": False}


def _number(word: str) -> int | None:
    word = word.lstrip("#")
    return int(word) if word.isdigit() else None


def takes_severity(arguments: tuple[str, ...]) -> bool:
    return len(arguments) >= 3 and _number(arguments[0]) is not None


def takes_ticket(arguments: tuple[str, ...]) -> bool:
    return len(arguments) >= 2 and _number(arguments[0]) is not None


def takes_review(arguments: tuple[str, ...]) -> bool:
    return len(arguments) == 1 and _number(arguments[0]) is not None


def set_severity(call: Call) -> Message:
    number, word, *reason = call.arguments
    change = call.services.cases.incidents.set_severity(
        call.viewer, _number(number) or 0, word, " ".join(reason)
    )
    call.context[CHANGE] = change
    shown = incident_views.severity_words(change.case)
    return blocks.notice(
        _("Case *#{number}* is now of severity {severity}.").format(
            number=change.case.number, severity=shown
        )
    )


def record_ticket(call: Call) -> Message:
    number, reference, *answer = call.arguments
    change = call.services.cases.incidents.record_ticket(
        call.viewer, _number(number) or 0, reference, " ".join(answer)
    )
    call.context[CHANGE] = change
    return blocks.notice(
        _("The platform's ticket is on case *#{number}*.").format(number=change.case.number)
    )


def publish_change(call: Call) -> None:
    publish(call.client, call.services, call.context[CHANGE])


def review(call: Call) -> Message:
    zone = call.services.workspace_settings.current().value("default_time_zone") or "UTC"
    found = call.services.cases.incidents.review(call.viewer, _number(call.arguments[0]) or 0, zone)
    call.context[REVIEW] = found
    if found.card.channel is None or found.card.card_ts is None:
        return review_views.review_message(found)  # no thread to post in: the viewer reads it
    return blocks.notice(
        _("Posting the review of case *#{number}* in its thread, with a Markdown file.").format(
            number=found.card.number
        )
    )


def post_review(call: Call) -> None:
    """In the case's thread, in the channel's language; then the Markdown file beside it."""
    found: CaseReview = call.context[REVIEW]
    channel, thread = found.card.channel, found.card.card_ts
    if channel is None or thread is None:
        return
    messenger = SlackMessenger(call.client)
    with reading(call.services.workspace_settings.current().language):
        message = {**review_views.review_message(found), "thread_ts": thread, **_QUIET}
        shared = review_views.review_file(found)
    try:
        messenger.post(channel, message)
        messenger.share_file(
            channel, thread, shared.filename, shared.content, shared.title, shared.comment
        )
    except DeliveryFailed as failure:
        logger.warning("could not post the review of case #%s: %s", found.card.number, failure.code)
        call.respond(
            response_type="ephemeral",
            **blocks.notice(_("I couldn't post the review in the case's thread. Try again.")),
        )


ROWS = (
    Subcommand(
        "case severity",
        help=(
            N_(
                "`/security case severity <number> <critical|high|medium|low> <reason>`, "
                "`/security case ticket <number> <reference> [what the platform answered]`, "
                "`/security case review <number>`: a case's severity, the platform's ticket, and "
                "the post-incident review once it is resolved"
            ),
        ),
        takes=takes_severity,
        who=by_the_service,
        answer=set_severity,
        follow_up=publish_change,
    ),
    Subcommand(
        "case ticket",
        help=(),
        takes=takes_ticket,
        who=by_the_service,
        answer=record_ticket,
        follow_up=publish_change,
    ),
    Subcommand(
        "case review",
        help=(),
        takes=takes_review,
        who=by_the_service,
        answer=review,
        follow_up=post_review,
    ),
)


# -- the card's buttons: the same changes, from a modal ------------------------------------------


def submit_severity(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], services: Services, context: BoltContext
) -> None:
    """ "Change severity": the service checks who may (as for the command), in the acknowledgement,
    so a refusal shows on the form."""
    chosen = modals.value_of(view, Block.SEVERITY)
    reason = modals.value_of(view, Block.REASON)
    errors: dict[str, str] = {}
    if not chosen:
        errors[Block.SEVERITY] = _("Choose the new severity.")
    if not reason.strip():
        errors[Block.REASON] = _("Say why the severity changes.")
    if errors:
        ack(response_action="errors", errors=errors)
        return
    user = body["user"]["id"]
    change_in_ack(
        ack,
        context,
        Block.SEVERITY,
        lambda: services.cases.incidents.set_severity(user, item_of(view), chosen, reason),
    )


def submit_ticket(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], services: Services, context: BoltContext
) -> None:
    """ "Platform ticket": a reference, and what the platform answered if it has."""
    reference = modals.value_of(view, Block.REFERENCE)
    answer = modals.value_of(view, Block.ANSWER)
    if not reference.strip():
        ack(
            response_action="errors",
            errors={Block.REFERENCE: _("Type the platform's ticket or appeal reference.")},
        )
        return
    user = body["user"]["id"]
    change_in_ack(
        ack,
        context,
        Block.REFERENCE,
        lambda: services.cases.incidents.record_ticket(user, item_of(view), reference, answer),
    )


def register(app: App) -> None:
    on_buttons(
        app,
        {
            Action.CASE_SEVERITY: case_modal(Operation.SEVERITY, modals.severity_modal),
            Action.CASE_TICKET: case_modal(Operation.TICKET, modals.ticket_modal),
        },
    )
    app.view(Callback.CASE_SEVERITY)(ack=submit_severity, lazy=[publish_from_context])
    app.view(Callback.CASE_TICKET)(ack=submit_ticket, lazy=[publish_from_context])
