"""The reminder DM's Snooze and "Why am I getting this?", and `/security exclude|include|excluded`
for security admins. Sending reminders is not here: the scheduler's jobs do it (handlers/jobs/scheduler.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_bolt import App, Respond

from bot.core import blocks
from bot.core.errors import InvalidInput
from bot.core.i18n import N_, _
from bot.core.ids import Action, Surface, read_button_value
from bot.core.text import escape, slack_date
from bot.core.words import slack_time
from bot.nudges.service import Exclusion, Reason
from bot.services import Services
from handlers.slack.command_line import Call, Message, mentioned
from handlers.slack.errors import tells_member
from handlers.slack.lazy import on_buttons

EXCLUSION_WORDS = {"service": Reason.SERVICE_ACCOUNT, "leave": Reason.ON_LEAVE}


@tells_member
def snooze(body: dict[str, Any], services: Services, respond: Respond) -> None:
    selected = (body["actions"][0].get("selected_option") or {}).get("value", "")
    message_id, _colon, choice = str(selected).partition(":")
    if not message_id.isdigit():
        raise InvalidInput(_("I couldn't tell which reminder to snooze."))
    snoozed = services.nudges.snooze(body["user"]["id"], int(message_id), choice)
    respond(replace_original=True, **snoozed.message)
    until = slack_time(snoozed.until)  # in the member's own time zone
    if snoozed.capped:
        note = _(
            "Snoozed until {until}. Urgent items come back sooner: they can't wait that long."
        ).format(until=until)
    else:
        note = _("Snoozed until {until}.").format(until=until)
    respond(response_type="ephemeral", replace_original=False, **blocks.notice(note))


@tells_member
def explain(body: dict[str, Any], services: Services, respond: Respond) -> None:
    surface, item = read_button_value(body["actions"][0].get("value"))
    if surface is not Surface.NUDGE or item is None or not item.isdigit():
        raise InvalidInput(_("I couldn't tell which reminder you mean."))
    answer = services.nudges.explain(body["user"]["id"], int(item))
    respond(response_type="ephemeral", replace_original=False, **answer)


# -- /security exclude @someone service | leave DATE, include @someone, excluded ------------------


def excluded(call: Call) -> Message:
    """`/security excluded`. The service refuses (and audits) anyone but a security admin, here
    and below; each answer goes in the acknowledgement."""
    return blocks.notice(_listing(call.services.nudges.exclusions(call.viewer)))


def include(call: Call) -> Message:
    subject = _subject(call.arguments)
    lifted = call.services.nudges.include(call.viewer, subject)
    if lifted:
        done = _("<@{subject}> will get reminders again.")
    else:
        done = _("<@{subject}> was not excluded.")
    return blocks.notice(done.format(subject=subject))


def exclude(call: Call) -> Message:
    subject, words = _subject(call.arguments), call.arguments[1:]
    reason = EXCLUSION_WORDS.get(words[0].lower()) if words else None
    if reason is None:
        raise InvalidInput(_(_EXCLUDE_USAGE))
    until = _date(words[1]) if len(words) > 1 else None
    exclusion = call.services.nudges.exclude(call.viewer, subject, reason, until)
    return blocks.notice(_("No more reminders for {who}.").format(who=_line(exclusion)))


def _subject(arguments: tuple[str, ...]) -> str:
    subject = mentioned(arguments[0]) if arguments else None
    if subject is None:
        raise InvalidInput(_(_EXCLUDE_USAGE))
    return subject


def _date(word: str) -> date:
    try:
        return date.fromisoformat(word)
    except ValueError:
        raise InvalidInput(_("Give the date as YYYY-MM-DD, e.g. `leave 2026-12-24`.")) from None


def _listing(exclusions: list[Exclusion]) -> str:
    if not exclusions:
        return _("Nobody is excluded from the reminders.")
    lines = [_("*Left alone by the reminders*")] + [f"• {_line(e)}" for e in exclusions[:50]]
    return "\n".join(lines)


def _line(exclusion: Exclusion) -> str:
    who = f"<@{exclusion.slack_user_id}>"
    if exclusion.reason == Reason.SERVICE_ACCOUNT:
        return _("{who} (service account)").format(who=who)
    by = f"<@{escape(exclusion.by)}>"
    if exclusion.until is None:
        text = _("{who} (on leave until further notice, set by {by})")
        return text.format(who=who, by=by)
    text = _("{who} (on leave until {until}, set by {by})")
    return text.format(who=who, until=slack_date(exclusion.until), by=by)


_EXCLUDE_USAGE = N_(
    "Try `/security exclude @someone service` for a service account, "
    "`/security exclude @someone leave 2026-12-24` for someone on leave, "
    "`/security include @someone` to lift it, or `/security excluded` for the list."
)


def register(app: App) -> None:
    on_buttons(app, {Action.SNOOZE_NUDGE: snooze, Action.EXPLAIN_NUDGE: explain})
