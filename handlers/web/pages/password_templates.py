"""The password check page: the form (masked fields, never filled in) and the verdicts (which name
accounts and never show a password). Every value is escaped here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from bot.checklist.model import BusinessAccountRef, State
from bot.core.words import platform_name
from bot.passwords.rules import Breach
from bot.passwords.service import AccountVerdict, CheckOutcome
from handlers.web.pages.templates import _error, _form, _greeting, page, prose

FIELD = "password"  # the single field of a member without business accounts
FIELD_PREFIX = "password-"  # then the business account's id
SCORE_WORDS = ("Very weak", "Weak", "Fair", "Strong", "Very strong")
_VERDICT = {
    State.PASSING: ("ok", "Meets the policy"),
    State.NEEDS_ACTION: ("bad", "Needs a new password"),
    State.UNKNOWN: ("unsure", "Not confirmed"),
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
        how = (
            "Type the password of each of your business accounts. Leave a field empty to skip an "
            "account; type them all to check that no two are the same."
        )
    else:
        fields = _password_field(FIELD, "Your password", None, first=True)
        how = "No business accounts are on record for you yet, so there is one field."
    hidden = (
        prose(f"You have {hidden_accounts} more business accounts: check them with another link.")
        if hidden_accounts
        else ""
    )
    title = "Check your new password" if rotation else "Check your passwords"
    return page(
        title,
        _error(error)
        + _greeting(display_name)
        + prose(how)
        + prose(
            "Passwords are checked on the security bot's server and thrown away: they are never "
            "stored, never logged and never shown again. Never type a password in Slack."
        )
        + hidden
        + _form(csrf, {"step": "check"}, fields, "Check")
        + f'<p class="small">This link works once, for {link_minutes} minutes after it was '
        "sent.</p>",
    )


def verdicts(outcome: CheckOutcome, rotation: Rotation | None) -> str:
    passing = sum(1 for verdict in outcome.verdicts if verdict.passed)
    total = len(outcome.verdicts)
    body = f'<p id="summary">{passing} of {total} meet the policy.</p>'
    body += "".join(_verdict(n, verdict) for n, verdict in enumerate(outcome.verdicts))
    if total > 1 or outcome.reused:
        css, _ = _VERDICT[outcome.unique]
        body += (
            '<section class="verdict" id="unique"><h2>Unique passwords</h2>'
            f'<p class="{css}">{escape(outcome.unique_note)}</p></section>'
        )
    if rotation is not None:
        body += _rotation(rotation)
    body += (
        '<p class="small">Nothing you typed was stored. Your checklist in Slack shows the '
        "result; you can close this page.</p>"
    )
    return page("Your password check", body)


def _verdict(n: int, verdict: AccountVerdict) -> str:
    css, headline = _VERDICT[verdict.state]
    strength = verdict.strength
    problems = ", ".join(verdict.acceptance.problems)
    if verdict.platform:
        platform = platform_name(verdict.platform)
        accepted = "Accepts it" if verdict.acceptance.accepted else f"Won't accept it: {problems}"
    else:
        platform = "Length"
        accepted = "Long enough" if verdict.acceptance.accepted else f"Too short: {problems}"
    rows = [
        ("Strength", f"{SCORE_WORDS[strength.score]} ({strength.score} of 4)"),
        ("Time to crack", f"{strength.crack_time} (offline attack on a slow hash)"),
        (platform, f"{accepted}. It needs {verdict.acceptance.rule}."),
        ("Known breaches", _BREACH_WORDS[verdict.breach]),
        ("Reuse", _reuse(verdict.reused_with)),
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
            f'<p class="small">Only its first {strength.evaluated_length} characters were scored; '
            "the rest can only make it stronger.</p>"
        )
    return (
        f'<section class="verdict" id="verdict-{n}"><h2>{escape(verdict.name)}</h2>'
        f'<p class="{css}">{escape(headline)}</p><dl>{details}</dl>{advice}</section>'
    )


def _reuse(others: Sequence[str]) -> str:
    if not others:
        return "Not the same as any other password you typed here."
    return "The same or nearly the same as the password of " + ", ".join(others) + "."


def _rotation(rotation: Rotation) -> str:
    lines = [
        f'<p class="ok">The alert on {escape(name)} now waits for the platform to confirm the '
        f"change (reported {escape(took)} after the alert).</p>"
        for name, took in rotation.closed
    ]
    lines.extend(
        f'<p class="bad">The alert on {escape(name)} stays open until a new password for it '
        "passes every check above. Change it on the platform, then press “I've changed it” on "
        "the alert again.</p>"
        for name in rotation.still_open
    )
    if not lines and not rotation.failed:
        lines.append(
            '<p class="ok">The alert waits for the platform to confirm the change: the alert '
            "message will say when it does.</p>"
        )
    if rotation.failed:
        lines.append(
            '<p class="bad">The alert could not be updated just now. Press “I\'ve changed it” on '
            "the alert again.</p>"
        )
    return (
        '<section class="verdict" id="rotation"><h2>The alert</h2>' + "".join(lines) + "</section>"
    )


def _password_field(name: str, label: str, platform: str | None, *, first: bool) -> str:
    hint = f' <span class="small">{escape(platform)}</span>' if platform else ""
    return (
        f'<label for="{escape(name)}">{escape(label)}{hint}</label>'
        f'<input id="{escape(name)}" name="{escape(name)}" type="password" '
        'autocomplete="new-password" autocapitalize="none" autocorrect="off" spellcheck="false"'
        + (" autofocus>" if first else ">")
    )


_BREACH_WORDS = {
    Breach.FOUND: "Found in known data breaches: attackers try it first. Don't use it anywhere.",
    Breach.NOT_FOUND: "Not found in known data breaches.",
    Breach.FAILED: (
        "Could not check: the breach service did not answer. This is not a sign that it is safe."
    ),
    Breach.NOT_CONFIGURED: "Not checked: no breach service is set up for the bot.",
}
