"""Block Kit for campaigns: the start modal, `/security campaign list` and `show N`, and the
compact section on a security admin's Home tab. Pure: plain values in, messages out.

People are mentions (Slack shows the name they go by), business accounts and titles are
escaped user text, days are the reader's own, figures and plurals the reader's language's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from bot.campaigns.figures import CampaignView, Figures, Progress
from bot.campaigns.model import CAMPAIGN_CHECKS, Scope
from bot.campaigns.service import TITLE_LIMIT, StartForm
from bot.campaigns.words import campaign_name, check_name, due_words, scope_words
from bot.checklist.model import TITLES
from bot.core.blocks import Blocks, line_groups, modal, mrkdwn, notice, plain
from bot.core.i18n import N_, _, ngettext, number, pgettext
from bot.core.ids import Block, Callback
from bot.core.text import escape, mention, shorten, slack_date
from bot.core.words import platform_name, slack_time
from bot.stats.words import pct, short_day

SPARKS = "▁▂▃▄▅▆▇█"
HOME_CAMPAIGNS = 5  # with its header, "and N more" and divider: at most 8 blocks on the Home tab
LISTED = 40  # campaigns in `/security campaign list`
SHOWN = 15  # account managers and accounts in `/security campaign show`
DAYS_SHOWN = 7  # the latest days written out under the spark line
USAGE = N_(
    "`/security campaign start`: start a campaign (a form: the check, who it is for, the last "
    "day, a title)\n"
    "`/security campaign list`: every campaign with its progress\n"
    "`/security campaign show <number>`: one campaign in full: per day, per account manager, "
    "per business account\n"
    "`/security campaign stop <number>`: stop a campaign (its deadline and reminders end)"
)
SCOPE_OPTIONS = {
    Scope.EVERYONE: N_("Every business account"),
    Scope.MANAGER: N_("One account manager's business accounts (choose below)"),
    Scope.PLATFORM: N_("The business accounts on one platform (choose below)"),
}


def name_of(campaign: CampaignView) -> str:
    return campaign_name(campaign.title, campaign.check, campaign.scope, campaign.scope_value)


# -- starting -----------------------------------------------------------------------------------


def start_modal(form: StartForm) -> dict[str, Any]:
    """The check, who it is for (everyone, one manager's accounts, one platform's), the last
    day and a title; the manager and the platform are asked below, and checked on submit."""
    checks = [{"text": plain(shorten(_(TITLES[c]), 75)), "value": c.value} for c in CAMPAIGN_CHECKS]
    scopes = [
        {"text": plain(_(label)), "value": scope.value} for scope, label in SCOPE_OPTIONS.items()
    ]
    blocks: Blocks = [
        {
            "type": "section",
            "text": mrkdwn(
                _(
                    "A campaign asks for one check by a day. Members in scope see the deadline "
                    "on their checklist and in their reminders, which come more often as it "
                    "nears (still only in working hours, and never more than the cap). After "
                    "the deadline, each account manager and the security admins get the list "
                    "of what is still open."
                )
            ),
        },
        _input(Block.CHECK, pgettext("field label", "Check"), _select(Block.CHECK, checks)),
        _input(
            Block.SCOPE,
            _("Who it is for"),
            {
                "type": "radio_buttons",
                "action_id": Block.SCOPE,
                "options": scopes,
                "initial_option": scopes[0],
            },
        ),
        _input(
            Block.MANAGER,
            _("Account manager (for one manager's accounts)"),
            {"type": "users_select", "action_id": Block.MANAGER},
            optional=True,
        ),
    ]
    if form.platforms:
        platforms = [
            {"text": plain(shorten(platform_name(found), 75)), "value": found}
            for found in form.platforms[:100]
        ]
        blocks.append(
            _input(
                Block.PLATFORM,
                _("Platform (for one platform's accounts)"),
                _select(Block.PLATFORM, platforms),
                optional=True,
            )
        )
    blocks += [
        _input(
            Block.DEADLINE,
            _("Last day"),
            {
                "type": "datepicker",
                "action_id": Block.DEADLINE,
                "initial_date": (form.today + timedelta(days=30)).isoformat(),
            },
        ),
        _input(
            Block.TITLE,
            _("Title"),
            {
                "type": "plain_text_input",
                "action_id": Block.TITLE,
                "max_length": TITLE_LIMIT,
                "placeholder": plain(_("2-step verification on every TikTok account by 31 Jan")),
            },
            optional=True,
        ),
    ]
    # Translators: a modal's title, at most 24 characters
    return modal(Callback.CAMPAIGN_START, pgettext("modal title", "Start a campaign"), _("Start"),
                 blocks)  # fmt: skip


def _input(
    block: Block, label: str, element: dict[str, Any], *, optional: bool = False
) -> dict[str, Any]:
    found = {"type": "input", "block_id": block, "label": plain(label), "element": element}
    return found | ({"optional": True} if optional else {})


def _select(block: Block, options: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "static_select", "action_id": block, "options": options}


def started_notice(campaign: CampaignView) -> str:
    return _(
        "Campaign *#{number}* is running: {name}. 📅 {due}. Members in scope see it on their "
        "checklist from now on, and the reminder sweep follows its deadline. "
        "`/security campaign show {number}` shows its progress once a sweep has counted it."
    ).format(number=campaign.id, name=name_of(campaign), due=due_words(campaign.deadline, None))


def stopped_notice(campaign: CampaignView) -> dict[str, Any]:
    return notice(
        _(
            "Campaign *#{number}* ({name}) is stopped: its deadline no longer shows and "
            "reminders follow their usual pace."
        ).format(number=campaign.id, name=name_of(campaign))
    )


def usage() -> dict[str, Any]:
    return notice(_(USAGE))


# -- figures ------------------------------------------------------------------------------------


def _figures(figures: Figures) -> str:
    # Translators: "64% done or exempt (128 of 200 members' accounts; 72 open)"
    text = ngettext(
        "*{percent}* done or exempt ({done} of {count} member's account; {open} open)",
        "*{percent}* done or exempt ({done} of {count} members' accounts; {open} open)",
        figures.pairs,
    )
    return text.format(
        percent=pct(figures.percent),
        done=number(figures.done + figures.exempt),
        count=number(figures.pairs),
        open=number(figures.open),
    )


def _spark(progress: Progress) -> str:
    values = [point.figures.percent for point in progress.series]
    known = [value for value in values if value is not None]
    if not known:
        return ""
    return (
        "`" + "".join(SPARKS[min(int(v / 100 * len(SPARKS)), len(SPARKS) - 1)] for v in known) + "`"
    )


def _progress_line(progress: Progress) -> str:
    if progress.latest is None:
        return _("Not counted yet: the reminder sweep counts it on its next run.")
    spark = _spark(progress)
    return (spark + " " if spark else "") + _figures(progress.latest)


def _status(campaign: CampaignView) -> str:
    if not campaign.running:
        return _("stopped by {person}").format(person=mention(campaign.stopped_by or ""))
    if campaign.overdue_at is not None:
        return _("running; the lists of what was still open went out {when}").format(
            when=slack_time(campaign.overdue_at)
        )
    return _("running")


def _heading(campaign: CampaignView) -> str:
    # Translators: "#3 Title" at the start of a campaign's entry
    return _("*#{number} {name}*").format(number=campaign.id, name=name_of(campaign))


def _who(manager: str | None) -> str:
    return mention(manager) if manager else _("no account manager")


# -- list and show ------------------------------------------------------------------------------


def list_message(campaigns: Sequence[Progress]) -> dict[str, Any]:
    if not campaigns:
        return notice(_("No campaign yet. `/security campaign start` starts one."))
    blocks: Blocks = [{"type": "header", "text": plain(_("Campaigns"))}]
    for progress in campaigns[:LISTED]:
        campaign = progress.campaign
        lines = [
            _heading(campaign) + " · " + check_name(campaign.check),
            "📅 " + due_words(campaign.deadline, progress.today),
            _("For {scope} · {status}").format(
                scope=scope_words(campaign.scope, campaign.scope_value), status=_status(campaign)
            ),
            _progress_line(progress),
        ]
        blocks.append({"type": "section", "text": mrkdwn("\n".join(lines))})
    more = len(campaigns) - LISTED
    hint = _("`/security campaign show <number>` shows one in full.")
    if more > 0:
        hint = (
            ngettext("…and {count} more campaign.", "…and {count} more campaigns.", more).format(
                count=number(more)
            )
            + " "
            + hint
        )
    blocks.append({"type": "context", "elements": [mrkdwn(hint)]})
    return {"text": _("Campaigns"), "blocks": blocks}


def show_message(progress: Progress) -> dict[str, Any]:
    campaign = progress.campaign
    heading = _("Campaign #{number}").format(number=campaign.id)
    about = [
        _heading(campaign),
        _("• Check: {check}").format(check=check_name(campaign.check)),
        _("• For: {scope}").format(scope=scope_words(campaign.scope, campaign.scope_value)),
        "• 📅 " + due_words(campaign.deadline, progress.today),
        _("• Started by {person} on {date}; {status}").format(
            person=mention(campaign.started_by),
            date=slack_date(campaign.started_at),
            status=_status(campaign),
        ),
    ]
    blocks: Blocks = [
        {"type": "header", "text": plain(shorten(heading, 150))},
        {"type": "section", "text": mrkdwn("\n".join(about))},
    ]
    if progress.latest is None:
        blocks.append({"type": "section", "text": mrkdwn(_progress_line(progress))})
        return {"text": heading, "blocks": blocks}
    accounts = ngettext(
        "{done} of {count} business account has nothing left open.",
        "{done} of {count} business accounts have nothing left open.",
        progress.accounts,
    ).format(done=number(progress.accounts_done), count=number(progress.accounts))
    blocks.append(
        {"type": "section", "text": mrkdwn(_("*Progress*") + "\n" + _figures(progress.latest)
                                           + "\n" + accounts)}
    )  # fmt: skip
    if progress.counted_at is not None:
        counted = _("As the reminder sweep of {when} counted it; one point a day.")
        blocks.append(
            {"type": "context", "elements": [mrkdwn(counted.format(when=slack_time(progress.counted_at)))]}
        )  # fmt: skip
    blocks.append({"type": "section", "text": mrkdwn(_days(progress))})
    for text in line_groups(_managers(progress)) + line_groups(_accounts(progress)):
        blocks.append({"type": "section", "text": mrkdwn(text)})
    return {"text": heading, "blocks": blocks}


def _days(progress: Progress) -> str:
    lines = [_("*Per day*") + " " + _spark(progress)]
    steps = [f"{short_day(p.day)}: {pct(p.figures.percent)}" for p in progress.series[-DAYS_SHOWN:]]
    if steps:
        lines.append(" → ".join(steps))
    return "\n".join(lines)


def _share(figures: Figures) -> str:
    # Translators: "12 of 20 (60%), 8 open", one account manager's or one account's pairs
    return _("{done} of {count} ({percent}), {open} open").format(
        done=number(figures.done + figures.exempt),
        count=number(figures.pairs),
        percent=pct(figures.percent),
        open=number(figures.open),
    )


def _managers(progress: Progress) -> list[str]:
    lines = [_("*Per account manager* (most still open first)")]
    lines += [f"• {_who(row.manager)}: {_share(row.figures)}" for row in progress.managers[:SHOWN]]
    hidden = len(progress.managers) - SHOWN
    if hidden > 0:
        lines.append(
            ngettext(
                "…and {count} more account manager", "…and {count} more account managers", hidden
            ).format(count=number(hidden))
        )
    return lines


def _accounts(progress: Progress) -> list[str]:
    if not progress.worst_accounts:
        return [_("*Business accounts*: nothing left open on any of them.")]
    lines = [_("*Business accounts with most still open*")]
    lines += [
        f"• {escape(row.name, limit=80)} ({_who(row.manager)}): {_share(row.figures)}"
        for row in progress.worst_accounts[:SHOWN]
    ]
    return lines


# -- the Home tab -------------------------------------------------------------------------------


def home_blocks(campaigns: Sequence[Progress] | None) -> Blocks:
    """A security admin's compact section: at most 8 blocks (the Home tab holds 100)."""
    if campaigns is None:
        return []
    blocks: Blocks = [{"type": "header", "text": plain(_("Campaigns"))}]
    if not campaigns:
        hint = _("No campaign is running. `/security campaign start` starts one.")
        return [*blocks, {"type": "context", "elements": [mrkdwn(hint)]}, {"type": "divider"}]
    for progress in campaigns[:HOME_CAMPAIGNS]:
        campaign = progress.campaign
        lines = [
            _heading(campaign) + " · 📅 " + due_words(campaign.deadline, progress.today),
            _progress_line(progress),
        ]
        behind = [row for row in progress.managers if row.figures.open][:3]
        if behind:
            most = ", ".join(f"{_who(row.manager)} {pct(row.figures.percent)}" for row in behind)
            lines.append(_("Most still open: {managers}").format(managers=most))
        blocks.append({"type": "section", "text": mrkdwn(shorten("\n".join(lines), 3000))})
    hint = _("`/security campaign show <number>` for one in full.")
    more = len(campaigns) - HOME_CAMPAIGNS
    if more > 0:
        hint = (
            ngettext("…and {count} more campaign.", "…and {count} more campaigns.", more).format(
                count=number(more)
            )
            + " "
            + hint
        )
    return [*blocks, {"type": "context", "elements": [mrkdwn(hint)]}, {"type": "divider"}]
