"""The password check page: the form (masked fields, never filled in) and the verdicts (which name
accounts and never show a password). Every value is escaped here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from bot.checklist.model import BusinessAccountRef, State
from bot.core.i18n import N_, _, ngettext, number
from bot.core.words import platform_name
from bot.passwords.rules import Breach
from bot.passwords.service import AccountVerdict, CheckOutcome
from handlers.web.pages.templates import _error, _form, _greeting, page, prose

FIELD = "password"  # the single field of a member without business accounts
FIELD_PREFIX = "password-"  # then the business account's id
# Translators: a password's strength, from 0 (very weak) to 4 (very strong).
SCORE_WORDS = (N_("Very weak"), N_("Weak"), N_("Fair"), N_("Strong"), N_("Very strong"))
_VERDICT = {
    State.PASSING: ("ok", N_("Meets the policy")),
    State.NEEDS_ACTION: ("bad", N_("Needs a new password")),
    State.UNKNOWN: ("unsure", N_("Not confirmed")),
}


@dataclass(frozen=True)
class Rotation:
    """What happened to the compromised-password alerts, for a link sent after one."""

    closed: tuple[tuple[str, str], ...]  # account name, how long until it was reported changed
    still_open: tuple[str, ...]  # account names
    failed: bool = False


def field_name(account: BusinessAccountRef | None) -> str:
    return FIELD if account is None else f"{FIELD_PREFIX}{account.id}"


def check_form(
    *,
    display_name: str | None,
    accounts: Sequence[BusinessAccountRef],
    hidden_accounts: int,
    link_minutes: int,
    csrf: str,
    rotation: bool,
    error: str | None = None,
) -> str:
    """One masked field per business account (or one field); never a value, so a page shown
    again after an error has them all empty."""
    if accounts:
        fields = "".join(
            _password_field(
                field_name(account), account.name, platform_name(account.platform), first=n == 0
            )
            for n, account in enumerate(accounts)
        )
        how = _(
            "Type the password of each of your business accounts. Leave a field empty to skip an "
            "account; type them all to check that no two are the same."
        )
    else:
        fields = _password_field(FIELD, _("Your password"), None, first=True)
        how = _("No business accounts are on record for you yet, so there is one field.")
    hidden = (
        prose(
            ngettext(
                "You have {count} more business account: check it with another link.",
                "You have {count} more business accounts: check them with another link.",
                hidden_accounts,
            ).format(count=number(hidden_accounts))
        )
        if hidden_accounts
        else ""
    )
    title = _("Check your new password") if rotation else _("Check your passwords")
    return page(
        title,
        _error(error)
        + _greeting(display_name)
        + prose(how)
        + prose(
            _(
                "Passwords are checked on the security bot's server and thrown away: they are "
                "never stored, never logged and never shown again. Never type a password in Slack."
            )
        )
        + hidden
        + _form(csrf, {"step": "check"}, fields, _("Check"))
        + '<p class="small">'
        + escape(
            ngettext(
                "This link works once, for {minutes} minute after it was sent.",
                "This link works once, for {minutes} minutes after it was sent.",
                link_minutes,
            ).format(minutes=number(link_minutes))
        )
        + "</p>",
    )


def verdicts(outcome: CheckOutcome, rotation: Rotation | None) -> str:
    passing = sum(1 for verdict in outcome.verdicts if verdict.passed)
    total = len(outcome.verdicts)
    summary = ngettext(
        "{passing} of {total} meets the policy.", "{passing} of {total} meet the policy.", total
    ).format(passing=number(passing), total=number(total))
    body = f'<p id="summary">{escape(summary)}</p>'
    body += "".join(_verdict(n, verdict) for n, verdict in enumerate(outcome.verdicts))
    if total > 1 or outcome.reused:
        css = _VERDICT[outcome.unique][0]
        body += (
            '<section class="verdict" id="unique"><h2>'
            + escape(_("Unique passwords"))
            + "</h2>"
            + f'<p class="{css}">{escape(outcome.unique_note)}</p></section>'
        )
    if rotation is not None:
        body += _rotation(rotation)
    done = _(
        "Nothing you typed was stored. Your checklist in Slack shows the result; you can close "
        "this page."
    )
    body += f'<p class="small">{escape(done)}</p>'
    return page(_("Your password check"), body)


def _verdict(n: int, verdict: AccountVerdict) -> str:
    css, headline = _VERDICT[verdict.state]
    strength = verdict.strength
    problems = ", ".join(verdict.acceptance.problems)
    if verdict.platform:
        platform = platform_name(verdict.platform)
        if verdict.acceptance.accepted:
            accepted = _("Accepts it. It needs {rule}.")
        else:
            accepted = _("Won't accept it: {problems}. It needs {rule}.")
    else:
        platform = _("Length")
        if verdict.acceptance.accepted:
            accepted = _("Long enough. It needs {rule}.")
        else:
            accepted = _("Too short: {problems}. It needs {rule}.")
    rows = [
        (
            _("Strength"),
            _("{score_word} ({score} of 4)").format(
                score_word=_(SCORE_WORDS[strength.score]), score=number(strength.score)
            ),
        ),
        (
            _("Time to crack"),
            _("{time} (offline attack on a slow hash)").format(time=strength.crack_time),
        ),
        (platform, accepted.format(problems=problems, rule=verdict.acceptance.rule)),
        (_("Known breaches"), _(_BREACH_WORDS[verdict.breach])),
        (_("Reuse"), _reuse(verdict.reused_with)),
    ]
    details = "".join(f"<dt>{escape(term)}</dt><dd>{escape(text)}</dd>" for term, text in rows)
    advice = ""
    if strength.warning:
        advice += f'<p class="warning">{escape(strength.warning)}</p>'
    if strength.suggestions:
        items = "".join(f"<li>{escape(s)}</li>" for s in strength.suggestions)
        advice += f'<ul class="suggestions">{items}</ul>'
    if strength.truncated:
        advice += (
            '<p class="small">'
            + escape(
                _(
                    "Only its first {count} characters were scored; the rest can only make it "
                    "stronger."
                ).format(count=number(strength.evaluated_length))
            )
            + "</p>"
        )
    return (
        f'<section class="verdict" id="verdict-{n}"><h2>{escape(verdict.name)}</h2>'
        f'<p class="{css}">{escape(_(headline))}</p><dl>{details}</dl>{advice}</section>'
    )


def _reuse(others: Sequence[str]) -> str:
    if not others:
        return _("Not the same as any other password you typed here.")
    return _("The same or nearly the same as the password of {accounts}.").format(
        accounts=", ".join(others)
    )


def _rotation(rotation: Rotation) -> str:
    lines = [
        _line(
            "ok",
            _(
                "The alert on {account} now waits for the platform to confirm the change "
                "(reported {time} after the alert)."
            ).format(account=name, time=took),
        )
        for name, took in rotation.closed
    ]
    lines.extend(
        _line(
            "bad",
            # Translators: “I've changed it” is the label of the alert's button.
            _(
                "The alert on {account} stays open until a new password for it passes every "
                "check above. Change it on the platform, then press “I've changed it” on the "
                "alert again."
            ).format(account=name),
        )
        for name in rotation.still_open
    )
    if not lines and not rotation.failed:
        lines.append(
            _line(
                "ok",
                _(
                    "The alert waits for the platform to confirm the change: the alert message "
                    "will say when it does."
                ),
            )
        )
    if rotation.failed:
        lines.append(
            _line(
                "bad",
                # Translators: “I've changed it” is the label of the alert's button.
                _(
                    "The alert could not be updated just now. Press “I've changed it” on the alert again."
                ),
            )
        )
    title = escape(_("The alert"))
    return (
        f'<section class="verdict" id="rotation"><h2>{title}</h2>' + "".join(lines) + "</section>"
    )


def _line(css: str, text: str) -> str:
    return f'<p class="{css}">{escape(text)}</p>'


def _password_field(name: str, label: str, platform: str | None, *, first: bool) -> str:
    hint = f' <span class="small">{escape(platform)}</span>' if platform else ""
    return (
        f'<label for="{escape(name)}">{escape(label)}{hint}</label>'
        f'<input id="{escape(name)}" name="{escape(name)}" type="password" '
        'autocomplete="new-password" autocapitalize="none" autocorrect="off" spellcheck="false"'
        + (" autofocus>" if first else ">")
    )


_BREACH_WORDS = {
    Breach.FOUND: N_(
        "Found in known data breaches: attackers try it first. Don't use it anywhere."
    ),
    Breach.NOT_FOUND: N_("Not found in known data breaches."),
    Breach.FAILED: N_(
        "Could not check: the breach service did not answer. This is not a sign that it is safe."
    ),
    Breach.NOT_CONFIGURED: N_("Not checked: no breach service is set up for the bot."),
}
