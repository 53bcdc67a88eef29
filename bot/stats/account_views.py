"""The figures per business account and platform, as `/security stats` shows them in full, and
compactly on the admins' Home overview and in the weekly summary. Pure: figures in, mrkdwn out.

A platform's name is the directory's (a slug the code does not know is spelled out), so it is
escaped like any user-supplied text."""

from __future__ import annotations

from bot.core.i18n import _, ngettext, number
from bot.core.text import escape
from bot.stats.accounts import AccountFigures, PlatformFigures, Share
from bot.stats.words import pct

PLATFORMS_SHOWN = 10  # a section holds 3,000 characters; directories have a few platforms
COMPACT_SHOWN = 3  # on the Home overview and in the weekly summary


def accounts_text(figures: AccountFigures) -> str:
    """The section of `/security stats`: what counts, then one line per platform (and all of
    them, when there are several)."""
    days = figures.recent.days
    heading = ngettext(
        "*Per business account* (an account counts when every member on it has 2-step "
        "verification confirmed by the platform, a password check that passed within the last "
        "{days} day, and recovery email and phone confirmed, as their checklists show; an "
        "account whose only gaps are covered by approved exemptions is counted as exempt, apart)",
        "*Per business account* (an account counts when every member on it has 2-step "
        "verification confirmed by the platform, a password check that passed within the last "
        "{days} days, and recovery email and phone confirmed, as their checklists show; an "
        "account whose only gaps are covered by approved exemptions is counted as exempt, apart)",
        days,
    ).format(days=number(days))
    if not figures.platforms:
        return heading + "\n" + _("No business accounts are in the directory yet.")
    lines = [heading]
    if len(figures.platforms) > 1:
        lines.append(_full_line(_("All platforms"), figures.all_platforms))
    shown = figures.platforms[:PLATFORMS_SHOWN]
    lines += [_full_line(escape(line.name, limit=100), line) for line in shown]
    hidden = len(figures.platforms) - len(shown)
    if hidden > 0:
        lines.append(
            ngettext("…and {count} more platform", "…and {count} more platforms", hidden).format(
                count=number(hidden)
            )
        )
    return "\n".join(lines)


def compact_lines(figures: AccountFigures) -> list[str]:
    """A line per platform (the biggest few), for the Home overview and the weekly summary."""
    if not figures.platforms:
        return [_("Business accounts: none in the directory yet.")]
    biggest = sorted(figures.platforms, key=lambda line: (-line.accounts, line.platform))
    lines = [_compact_line(escape(line.name, limit=100), line) for line in biggest[:COMPACT_SHOWN]]
    if len(figures.platforms) > COMPACT_SHOWN:
        lines.append(_compact_line(_("All platforms"), figures.all_platforms))
    return lines


def _full_line(name: str, line: PlatformFigures) -> str:
    count = line.accounts
    two_step = ngettext(
        "2SV confirmed on {confirmed} of {count} account ({percent})",
        "2SV confirmed on {confirmed} of {count} accounts ({percent})",
        count,
    ).format(
        confirmed=number(line.two_step.confirmed),
        count=number(count),
        percent=pct(line.two_step.percent),
    )
    passwords = _("a recent password check on {confirmed} ({percent})").format(
        confirmed=number(line.passwords.confirmed), percent=pct(line.passwords.percent)
    )
    recovery = _("recovery confirmed on {confirmed} ({percent})").format(
        confirmed=number(line.recovery.confirmed), percent=pct(line.recovery.percent)
    )
    parts = [two_step + _exempt(line.two_step), passwords + _exempt(line.passwords), recovery]
    if line.without_members:
        parts.append(
            ngettext(
                "{count} account has no members on record",
                "{count} accounts have no members on record",
                line.without_members,
            ).format(count=number(line.without_members))
        )
    return f"• *{name}*: " + " · ".join(parts)


def _compact_line(name: str, line: PlatformFigures) -> str:
    text = ngettext(
        "{name}: of {count} business account, 2SV confirmed on {two_step}, a recent password "
        "check on {passwords}, recovery confirmed on {recovery}",
        "{name}: of {count} business accounts, 2SV confirmed on {two_step}, a recent password "
        "check on {passwords}, recovery confirmed on {recovery}",
        line.accounts,
    )
    return text.format(
        name=name,
        count=number(line.accounts),
        two_step=pct(line.two_step.percent),
        passwords=pct(line.passwords.percent),
        recovery=pct(line.recovery.percent),
    )


def _exempt(share: Share) -> str:
    if not share.exempt:
        return ""
    # Translators: follows a figure of accounts ("… (30%), 2 more exempt")
    return ngettext(", {count} more exempt", ", {count} more exempt", share.exempt).format(
        count=number(share.exempt)
    )
