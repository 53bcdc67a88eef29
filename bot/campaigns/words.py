"""How a campaign is named to people: its deadline with a countdown, its check, its scope and
its name, in the reader's language. Counted in whole days of the reader's own calendar."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from bot.campaigns.model import Scope
from bot.checklist.model import TITLES, Check
from bot.core.i18n import N_, _, ngettext, number
from bot.core.text import escape, mention
from bot.core.words import platform_name
from bot.stats.words import long_day

# Catalogue texts: a check as a campaign names it, shorter than its checklist title.
CHECK_NAMES: dict[Check, str] = {
    # Translators: the check a campaign is about ("2-step verification · every business account")
    Check.TWO_STEP: N_("2-step verification"),
    Check.STRONG_PASSWORD: TITLES[Check.STRONG_PASSWORD],
    Check.UNIQUE_PASSWORDS: TITLES[Check.UNIQUE_PASSWORDS],
    Check.RECOVERY_EMAIL: TITLES[Check.RECOVERY_EMAIL],
    Check.RECOVERY_PHONE: TITLES[Check.RECOVERY_PHONE],
}
# "Why am I getting this?" about a gap a campaign covers (bot/campaigns/cadence.py).
CAMPAIGN_PACE = N_(
    "• A campaign asks for a check by a day: its reminders come weekly, every 3 days in its "
    "last two weeks and daily in its last 3 days, still only in your working hours and never "
    "more than the cap."
)


def check_name(check: Check) -> str:
    return _(CHECK_NAMES.get(check, TITLES[check]))


def deadline_of(raw: object) -> date | None:
    """A campaign's last day as a reminder keeps it ("2027-01-31"); None for none."""
    try:
        return date.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None


def due_line(raw: object, today: date | None) -> str:
    """A reminder's line under a gap a campaign covers ("2027-01-31" kept), or nothing."""
    deadline = deadline_of(raw)
    return "" if deadline is None else "\n📅 *" + due_words(deadline, today) + "*"


def campaign_pace(items: Iterable[Mapping[str, Any]]) -> list[str]:
    """The line of "Why am I getting this?" for a reminder about a gap a campaign covers."""
    return [_(CAMPAIGN_PACE)] if any(deadline_of(item.get("due")) for item in items) else []


def due_words(deadline: date, today: date | None) -> str:
    """ "Due by 31 Jan 2027 (in 12 days)", counted from the reader's `today` (None: no
    countdown); "Was due by 31 Jan 2027 (2 days ago)" once the day has passed."""
    when = long_day(deadline)
    if today is None:
        # Translators: {date} is a campaign's last day
        return _("Due by {date}").format(date=when)
    left = (deadline - today).days
    if left > 1:
        return ngettext(
            "Due by {date} (in {count} day)", "Due by {date} (in {count} days)", left
        ).format(date=when, count=number(left))
    if left == 1:
        return _("Due by {date} (tomorrow)").format(date=when)
    if left == 0:
        return _("Due by {date} (today)").format(date=when)
    return ngettext(
        "Was due by {date} ({count} day ago)", "Was due by {date} ({count} days ago)", -left
    ).format(date=when, count=number(-left))


def scope_words(scope: Scope, value: str | None) -> str:
    """Which business accounts, as mrkdwn: "every business account", "the business accounts of
    @dana", "every TikTok for Business account"."""
    if scope is Scope.MANAGER and value:
        # Translators: {person} mentions an account manager
        return _("the business accounts of {person}").format(person=mention(value))
    if scope is Scope.PLATFORM and value:
        # Translators: {platform} is a platform's name ("TikTok for Business")
        return _("every {platform} account").format(platform=escape(platform_name(value)))
    return _("every business account")


def campaign_name(title: str, check: Check, scope: Scope, value: str | None) -> str:
    """The title the admin gave, escaped, else the check and the scope, as mrkdwn."""
    if title.strip():
        return escape(title.strip(), limit=150)
    # Translators: a campaign without a title: "2-step verification · every business account"
    return _("{check} · {scope}").format(check=check_name(check), scope=scope_words(scope, value))
