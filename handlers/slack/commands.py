"""`/security` and its subcommands, as one table: a subcommand is one row (its name, its help, the
arguments it takes, who may run it, the answer that goes in ack() itself, and what follows the
acknowledgement). Adding a subcommand is adding a row.

Two listeners serve the table: one for the rows without a follow-up, tried first, so that
`/security status`, the commonest request, is answered without the copy of the request a lazy
listener costs; one for the rows with a follow-up, which Bolt runs after the acknowledgement."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.checklist import views
from bot.core import blocks
from bot.core.errors import DomainError, InvalidInput
from bot.core.i18n import LANGUAGE_NAMES, N_, _, read_in
from bot.core.ids import Command
from bot.core.text import escape
from bot.services import Services
from handlers.slack import (
    campaigns,
    case_commands,
    case_incidents,
    desk,
    nudges,
    passwords,
    recovery,
    stats,
    two_step,
    workspace_settings,
)
from handlers.slack.command_line import (
    Call,
    CommandLine,
    Message,
    ServedHere,
    Subcommand,
    any_arguments,
    by_the_service,
    mentioned,
    no_arguments,
)
from handlers.slack.errors import tells_member
from handlers.slack.profiles import refresh_profile_if_stale

DEFAULT = "status"  # what `/security` alone means
ANSWERED = (
    "command_answered"  # in the context once the row's rule let the viewer in and it answered
)


# -- the rows that need more than a call into a feature's module ---------------------------------


def _status(call: Call) -> Message:
    subject = call.viewer
    if call.arguments:
        found = mentioned(call.arguments[0])
        if found is None:
            return blocks.notice(_(_BAD_MENTION))
        subject = found
    status = call.services.members.status(call.viewer, subject)
    if status.own:  # the read brought the reader's language along: no lookup of it
        read_in(status.language)
    if status.profile_stale:
        # Only now and then, and without the copy of the request a lazy listener costs.
        executor = call.context.listener_runner.listener_executor
        executor.submit(refresh_profile_if_stale, call.viewer, call.client, call.services)
    return views.status_message(status.checklist, own=status.own)


def _help(call: Call) -> Message:
    return views.help_message([_(line) for row in SUBCOMMANDS.values() for line in row.help])


def _reset_subject(call: Call) -> str:
    subject = mentioned(call.arguments[0])
    if subject is None:
        raise InvalidInput(_(_BAD_RESET_MENTION))
    return subject


def _may_reset(call: Call) -> None:
    """Unreadable first, as for an admin; then anyone but a security admin is refused (audited)."""
    two_step.refuse_reset(call.viewer, _reset_subject(call), call.services)


def _reset(call: Call) -> None:
    """The admin's step-up, which needs the trigger within 3 seconds, then the reset."""
    two_step.reset_after_answer(
        viewer=call.viewer,
        subject=_reset_subject(call),
        trigger_id=call.line.trigger_id,
        client=call.client,
        services=call.services,
        respond=call.respond,
    )


def _language(call: Call) -> Message:
    """The member's own language, answered in it."""
    chosen = call.services.languages.choose(call.viewer, call.arguments[0])
    read_in(chosen)
    done = _("From now on I write to you in {language}.")
    return blocks.notice(done.format(language=LANGUAGE_NAMES[chosen]))


def _modal_follows(call: Call) -> None:
    """An empty acknowledgement: the modal opens right after it."""


def _open_recovery_modal(call: Call) -> None:
    recovery.open_from_command(
        arguments=call.arguments,
        viewer=call.viewer,
        trigger_id=call.line.trigger_id,
        client=call.client,
        services=call.services,
        respond=call.respond,
    )


def _one_at_most(arguments: tuple[str, ...]) -> bool:
    return len(arguments) <= 1


def _one(arguments: tuple[str, ...]) -> bool:
    return len(arguments) == 1


# -- the table, in the order `/security help` lists it -------------------------------------------

SUBCOMMANDS: dict[str, Subcommand] = {
    row.name: row
    for row in (
        Subcommand(
            "status",
            help=(
                N_(
                    "`/security status`: your security checklist, with a button that fixes each gap"
                ),
                N_(
                    "`/security status @someone`: another member's checklist "
                    "(security admins and their account manager only)"
                ),
            ),
            takes=_one_at_most,
            who=by_the_service,
            answer=_status,
        ),
        Subcommand(
            "2sv",
            help=(
                N_(
                    "`/security 2sv`: 2-step verification on your business accounts, and the "
                    "authenticator app you link to the bot"
                ),
            ),
            takes=no_arguments,
            answer=two_step.answer,
        ),
        Subcommand(
            "2sv reset",
            help=(
                N_(
                    "`/security 2sv reset @someone`: reset a member's authenticator link "
                    "(security admins only, after a code from their own app)"
                ),
            ),
            takes=_one,
            who=_may_reset,
            answer=_modal_follows,
            follow_up=_reset,
        ),
        Subcommand(
            "password",
            help=(
                N_(
                    "`/security password`: a one-time link to a page that checks your passwords "
                    "(strength, what the platform accepts, reuse, known breaches); never type a "
                    "password in Slack"
                ),
            ),
            takes=no_arguments,
            answer=passwords.answer,
            follow_up=passwords.send_after_answer,
        ),
        Subcommand(
            "recovery",
            help=(
                N_(
                    "`/security recovery`: confirm a recovery email with a code I mail to it "
                    "(`/security recovery phone` for a recovery phone)"
                ),
            ),
            takes=recovery.wants_modal,
            answer=_modal_follows,
            follow_up=_open_recovery_modal,
        ),
        Subcommand(
            "report",
            help=(
                N_(
                    "`/security report`: report a business account someone else may be using; it "
                    "opens a case with your account manager or the support team"
                ),
            ),
            takes=no_arguments,
            answer=case_commands.answer_report,
            follow_up=case_commands.open_report,
        ),
        Subcommand(
            "case",
            help=(
                N_(
                    "`/security case list`, `/security case show <number>`: the compromise cases you "
                    "can see (`/security case open <account id> <summary>` for security admins and "
                    "account managers)"
                ),
            ),
            takes=any_arguments,
            who=by_the_service,
            answer=case_commands.answer_case,
        ),
        Subcommand(
            "case open",
            help=(),  # in the line of `case`
            takes=case_commands.takes_opening,
            who=by_the_service,
            answer=case_commands.open_case,
            follow_up=case_commands.publish_opened,
        ),
        *case_incidents.ROWS,
        *desk.ROWS,
        Subcommand(
            "exclude",
            help=(
                N_(
                    "`/security exclude @someone service` or `... leave <date>`, "
                    "`/security include @someone`, `/security excluded`: who the reminders leave "
                    "alone (security admins only)"
                ),
            ),
            takes=any_arguments,
            who=by_the_service,
            answer=nudges.exclude,
        ),
        Subcommand(
            "include", help=(), takes=any_arguments, who=by_the_service, answer=nudges.include
        ),
        Subcommand(
            "excluded", help=(), takes=any_arguments, who=by_the_service, answer=nudges.excluded
        ),
        *campaigns.ROWS,
        Subcommand(
            "stats",
            help=(
                N_(
                    "`/security stats`: members in scope, how many pass each check, adoption over "
                    "time, reminders, snoozes, escalations and time to fix, per account manager "
                    "(security admins only)"
                ),
            ),
            takes=no_arguments,
            who=stats.may_see,
            answer=stats.answer,
            follow_up=stats.send_after_answer,
        ),
        Subcommand(
            "settings",
            help=(
                N_(
                    "`/security settings`: this workspace's own settings: security admins, where "
                    "cases go, the support team, and the reminders' cap and working hours "
                    "(security admins only)"
                ),
            ),
            takes=no_arguments,
            who=workspace_settings.may_change,
            answer=workspace_settings.answer,
            follow_up=workspace_settings.open_modal,
        ),
        Subcommand(
            "language",
            help=(
                N_(
                    "`/security language de|en|auto`: the language the bot writes to you in "
                    "(auto: your Slack language)"
                ),
            ),
            takes=_one,
            answer=_language,
        ),
        Subcommand(
            "help", help=(N_("`/security help`: this list"),), takes=no_arguments, answer=_help
        ),
    )
}


# -- the two dispatchers -------------------------------------------------------------------------


def answer(
    ack: Ack,
    command_line: CommandLine,
    services: Services,
    client: WebClient,
    respond: Respond,
    context: BoltContext,
) -> None:
    """The acknowledgement: the row's rule, then its answer; a refusal or a domain error is the
    answer instead, and then nothing follows."""
    row = command_line.subcommand
    if row is None:
        ack(response_type="ephemeral", **blocks.notice(_unknown(command_line.text)))
        return
    call = Call(command_line, services, client, respond, context)
    try:
        row.who(call)
        message = row.answer(call)
    except DomainError as error:
        ack(response_type="ephemeral", **blocks.notice(error.user_message))
        return
    if row.follow_up is not None:
        context[ANSWERED] = True
    if message is None:
        ack()
    else:
        ack(response_type="ephemeral", **message)


def follow_up(
    command_line: CommandLine,
    services: Services,
    client: WebClient,
    respond: Respond,
    context: BoltContext,
) -> None:
    """After the acknowledgement (Bolt's lazy listener, on a copy of the context): the row's
    follow-up if it answered, then the caller's Slack profile, cached on first contact."""
    row = command_line.subcommand
    if row is not None and row.follow_up is not None and context.get(ANSWERED):
        call = Call(command_line, services, client, respond, context)
        _told_if_it_fails(step=row.follow_up, call=call, client=client, respond=respond)
    refresh_profile_if_stale(command_line.viewer, client, services)


@tells_member
def _told_if_it_fails(*, step: Callable[[Call], None], call: Call, **_: object) -> None:
    step(call)


_BAD_MENTION = N_(
    "I couldn't tell who you mean. Pick the person from the autocomplete list, "
    "like `/security status @dana`."
)
_BAD_RESET_MENTION = N_(
    "I couldn't tell who you mean. Pick the person from the autocomplete list, "
    "like `/security 2sv reset @dana`."
)


def _unknown(text: str) -> str:
    shown = escape(text.strip(), limit=60)
    return _(
        "I don't know `{text}`. Try `/security status` for your checklist, "
        "`/security 2sv` for 2-step verification, `/security password` to check your passwords, "
        "or `/security help` for everything I can do."
    ).format(text=shown)


def register(app: App) -> None:
    # `/security status`, the commonest request, matches the first listener tried.
    answered_in_full = ServedHere(SUBCOMMANDS, default=DEFAULT, follow_up=False)
    app.command(Command.SECURITY, middleware=[answered_in_full])(answer)
    followed_up = ServedHere(SUBCOMMANDS, default=DEFAULT, follow_up=True)
    app.command(Command.SECURITY, middleware=[followed_up])(ack=answer, lazy=[follow_up])
