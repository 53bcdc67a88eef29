"""The reminder DM's Snooze and "Why am I getting this?", and `/security exclude|include|excluded`
for security admins. Sending reminders is not here: the scheduler's jobs do it (handlers/jobs/scheduler.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.checklist import views
from bot.core.errors import InvalidInput
from bot.core.ids import Action, Surface, read_button_value
from bot.core.text import escape, slack_date
from bot.core.words import slack_time
from bot.nudges.service import Exclusion, Reason
from bot.services import Services
from handlers.slack.errors import tells_member

EXCLUSION_WORDS = {"service": Reason.SERVICE_ACCOUNT, "leave": Reason.ON_LEAVE}


def acknowledge(ack: Ack) -> None:
    ack()


@tells_member
def snooze(body: dict[str, Any], services: Services, respond: Respond) -> None:
    selected = (body["actions"][0].get("selected_option") or {}).get("value", "")
    message_id, _, choice = str(selected).partition(":")
    if not message_id.isdigit():
        raise InvalidInput("I couldn't tell which reminder to snooze.")
    snoozed = services.nudges.snooze(body["user"]["id"], int(message_id), choice)
    respond(replace_original=True, **snoozed.message)
    note = f"Snoozed until {slack_time(snoozed.until)}."  # in the member's own time zone
    if snoozed.capped:
        note += " Urgent items come back sooner: they can't wait that long."
    respond(response_type="ephemeral", replace_original=False, **views.notice(note))


@tells_member
def explain(body: dict[str, Any], services: Services, respond: Respond) -> None:
    surface, item = read_button_value(body["actions"][0].get("value"))
    if surface is not Surface.NUDGE or item is None or not item.isdigit():
        raise InvalidInput("I couldn't tell which reminder you mean.")
    answer = services.nudges.explain(body["user"]["id"], int(item))
    respond(response_type="ephemeral", replace_original=False, **answer)


# -- /security exclude @someone service | leave DATE, include @someone, excluded ------------------


def answer_exclusions(
    ack: Ack,
    viewer: str,
    name: str,
    subject: str | None,
    words: tuple[str, ...],
    services: Services,
) -> None:
    """The answer goes in the acknowledgement; refusals come back as domain errors."""
    nudges = services.nudges
    if name == "excluded":
        listed = nudges.exclusions(viewer)
        ack(response_type="ephemeral", **views.notice(_listing(listed)))
    elif name == "include" and subject is not None:
        lifted = nudges.include(viewer, subject)
        done = "will get reminders again" if lifted else "was not excluded"
        ack(response_type="ephemeral", **views.notice(f"<@{subject}> {done}."))
    elif name == "exclude" and subject is not None and words:
        reason = EXCLUSION_WORDS.get(words[0].lower())
        if reason is None:
            raise InvalidInput(_EXCLUDE_USAGE)
        until = _date(words[1]) if len(words) > 1 else None
        exclusion = nudges.exclude(viewer, subject, reason, until)
        ack(response_type="ephemeral", **views.notice(f"No more reminders for {_line(exclusion)}."))
    else:
        raise InvalidInput(_EXCLUDE_USAGE)


def _date(word: str) -> date:
    try:
        return date.fromisoformat(word)
    except ValueError:
        raise InvalidInput("Give the date as YYYY-MM-DD, e.g. `leave 2026-12-24`.") from None


def _listing(exclusions: list[Exclusion]) -> str:
    if not exclusions:
        return "Nobody is excluded from the reminders."
    lines = ["*Left alone by the reminders*"] + [f"• {_line(e)}" for e in exclusions[:50]]
    return "\n".join(lines)


def _line(exclusion: Exclusion) -> str:
    who = f"<@{exclusion.slack_user_id}>"
    if exclusion.reason == Reason.SERVICE_ACCOUNT:
        return f"{who} (service account)"
    until = slack_date(exclusion.until) if exclusion.until else "further notice"
    return f"{who} (on leave until {until}, set by <@{escape(exclusion.by)}>)"


_EXCLUDE_USAGE = (
    "Try `/security exclude @someone service` for a service account, "
    "`/security exclude @someone leave 2026-12-24` for someone on leave, "
    "`/security include @someone` to lift it, or `/security excluded` for the list."
)


def register(app: App) -> None:
    app.action(Action.SNOOZE_NUDGE)(ack=acknowledge, lazy=[snooze])
    app.action(Action.EXPLAIN_NUDGE)(ack=acknowledge, lazy=[explain])
