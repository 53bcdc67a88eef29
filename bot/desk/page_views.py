"""Block Kit for a business account's page (`/security account`): the desk's view of the one
account with every gap owner, who manages it, and its history with times in the reader's zone;
the accounts to choose from when the words fit several; and what "Remind now" did. Pure."""

from __future__ import annotations

from typing import Any

from bot.cases.severity import SEVERITY_ICONS, SEVERITY_WORDS
from bot.cases.wording import STATUS_ICONS, STATUS_INLINE
from bot.core.blocks import Blocks, line_groups, mrkdwn, notice, plain
from bot.core.i18n import N_, _
from bot.core.masking import mask_email
from bot.core.text import escape, mention, shorten
from bot.core.words import platform_name, slack_time
from bot.desk.history import AlertEntry, CaseEntry, Entry, ManagerEntry, PostureEntry
from bot.desk.reminders import Reminded
from bot.desk.service import AccountPage, Choices
from bot.desk.views import account_blocks, gap_words
from storage.account_pages import Person

OWNERS_ON_A_PAGE = 25  # a message holds 50 blocks: the rest is the heading and the history

ALERT_WORDS = {
    "compromised_password": N_("compromised password"),
    "suspicious_login": N_("suspicious sign-in"),
    "account_takeover": N_("account takeover"),
}
ALERT_STATUS = {
    # Translators: an alert's state in a list line ("… · open")
    "open": N_("open"),
    "waiting": N_("reported changed, waiting for the platform"),
    "closed": N_("closed"),
}


def account_message(page: AccountPage) -> dict[str, Any]:
    posture = page.posture
    title = _("Business account: {name}").format(name=posture.name)
    blocks: Blocks = [{"type": "header", "text": plain(shorten(title, 150))}]
    blocks += account_blocks(posture, owners_shown=OWNERS_ON_A_PAGE, may_remind=page.may_remind)
    if page.manager:
        managed_by = _("Account manager: {person}").format(person=mention(page.manager))
    else:
        managed_by = _("No account manager on record.")
    blocks.append({"type": "context", "elements": [mrkdwn(managed_by)]})
    blocks.append({"type": "divider"})
    lines = [_("*History*, newest first")]
    lines += [history_line(entry) for entry in page.history] or [_("Nothing on record yet.")]
    blocks += [{"type": "section", "text": mrkdwn(text)} for text in line_groups(lines)]
    return {"text": title, "blocks": blocks}


def choices_message(choices: Choices) -> dict[str, Any]:
    words = f"`{escape(choices.words, limit=60)}`"
    if choices.same_name:
        lines = [_("Several business accounts answer to {words}. Which one?").format(words=words)]
    else:
        lines = [_("No business account is called {words}. Did you mean:").format(words=words)]
    for found in choices.accounts:
        command = f"`/security account {escape(found.platform_account_id, limit=64)}`"
        name = escape(found.name, limit=100)
        lines.append(f"• {command}: {name} ({escape(platform_name(found.platform))})")
    return notice("\n".join(lines))


def history_line(entry: Entry) -> str:
    when = slack_time(entry.at)
    if isinstance(entry, PostureEntry):
        about = _("every member") if entry.person is None else _person(entry.person)
        said = _posture_words(entry.fields) or _("no settings")
        text = _("Posture report about {person}: {said}").format(person=about, said=said)
    elif isinstance(entry, AlertEntry):
        kind = _(ALERT_WORDS[entry.kind]) if entry.kind in ALERT_WORDS else escape(entry.kind)
        status = _(ALERT_STATUS[entry.status]) if entry.status in ALERT_STATUS else entry.status
        text = _("🚨 Alert: {kind} ({person}) · {status}").format(
            kind=kind, person=_person(entry.person), status=escape(status)
        )
    elif isinstance(entry, CaseEntry):
        text = _("{icon} Case *#{number}* opened · {severity} · {status}").format(
            icon=STATUS_ICONS[entry.status],
            number=entry.number,
            severity=f"{SEVERITY_ICONS[entry.severity]} {_(SEVERITY_WORDS[entry.severity])}",
            status=_(STATUS_INLINE[entry.status]),
        )
    else:
        text = _manager_words(entry)
    return f"• {when} · {text}"


def _manager_words(entry: ManagerEntry) -> str:
    if entry.before is None and entry.after is not None:
        return _("{after} became the account manager").format(after=_person(entry.after))
    if entry.after is None and entry.before is not None:
        return _("{before} is no longer the account manager; nobody is on record now").format(
            before=_person(entry.before)
        )
    return _("Account manager changed from {before} to {after}").format(
        before=_person(entry.before) if entry.before else _("nobody"),
        after=_person(entry.after) if entry.after else _("nobody"),
    )


def _posture_words(fields: dict[str, Any]) -> str:
    """What a posture report said, setting by setting."""
    parts = []
    if "two_step" in fields:
        parts.append(
            _("2-step verification on") if fields["two_step"] else _("2-step verification off")
        )
    if "recovery_email_set" in fields:
        parts.append(
            _("recovery email set") if fields["recovery_email_set"] else _("no recovery email")
        )
    if "recovery_phone_set" in fields:
        parts.append(
            _("recovery phone set") if fields["recovery_phone_set"] else _("no recovery phone")
        )
    if fields.get("password_changed_at"):
        parts.append(_("password changed"))
    return ", ".join(parts)


def _person(person: Person) -> str:
    """By name: a mention, else the directory's name, else the address masked."""
    if person.slack_user_id:
        return mention(person.slack_user_id)
    if person.display_name:
        return escape(person.display_name, limit=80)
    return escape(mask_email(person.email or ""))


# -- "Remind now" -------------------------------------------------------------------------------


def reminded_notice(reminded: Reminded, sent: bool) -> str:
    """What happened, and only that."""
    name, gaps = mention(reminded.member), gap_words(reminded.checks)
    if reminded.outbox_id is None:
        return _(
            "Another reminder to {name} was being written at the same moment; it goes out as "
            "usual, so I sent nothing more."
        ).format(name=name)
    if sent:
        return _("✅ Reminder sent to {name} about: {gaps}.").format(name=name, gaps=gaps)
    return _(
        "The reminder to {name} (about: {gaps}) is written; Slack did not take it just now, so "
        "it goes out with the next delivery round."
    ).format(name=name, gaps=gaps)
