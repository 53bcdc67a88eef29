"""Block Kit for the security statistics: `/security stats`, the overview on a security admin's
Home tab, and the text of the weekly summary. Pure: a report in, messages out.

Names of account managers come from Slack profiles, so they are escaped like any user text.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.cases.figure_views import case_figures_text
from bot.checklist.model import Checklist
from bot.checklist.views import checklist_blocks
from bot.core.blocks import Blocks, mrkdwn, notice, plain
from bot.core.i18n import N_, _, ngettext, number
from bot.core.words import slack_time
from bot.stats.account_views import accounts_text, compact_lines
from bot.stats.report import AdoptionReport
from bot.stats.words import pct as _pct
from bot.stats.words import short_day

SPARKS = "▁▂▃▄▅▆▇█"
NO_SWEEP = N_(
    "No full reminder sweep has counted adoption yet. The sweep runs every 5 minutes; the "
    "figures below the line do not wait for it."
)


def gathering() -> dict[str, Any]:
    """The acknowledgement while the figures are read."""
    return notice(_("Gathering the figures…"))


def stats_message(report: AdoptionReport) -> dict[str, Any]:
    """The full report, for `/security stats`."""
    blocks: Blocks = [
        {"type": "header", "text": plain(_("Security statistics"))},
        {"type": "context", "elements": [mrkdwn(_as_of(report))]},
    ]
    if report.as_of is not None:
        blocks += [
            {"type": "section", "text": mrkdwn(_headline(report))},
            {"type": "section", "text": mrkdwn(_per_check(report))},
            {"type": "section", "text": mrkdwn(_over_time(report))},
        ]
    blocks += [
        {"type": "divider"},
        {"type": "section", "text": mrkdwn(_reminders(report))},
        {"type": "section", "text": mrkdwn(_managers(report))},
        {"type": "section", "text": mrkdwn(accounts_text(report.accounts))},
        {"type": "section", "text": mrkdwn(case_figures_text(report.cases))},
    ]
    return {"text": _fallback(report), "blocks": blocks}


def overview_blocks(report: AdoptionReport) -> Blocks:
    """A compact "Security overview" for the top of a security admin's Home tab."""
    nudges = report.nudges
    lines = [_headline(report) if report.as_of is not None else _(NO_SWEEP)]
    if report.as_of is not None:
        lines.append(_spark_line(report))
        lines += [f"• {_(check.title)}: *{_pct(check.percent)}*" for check in report.checks]
    figures = [
        *_week_figures(report),
        ngettext("{count} gap fixed", "{count} gaps fixed", nudges.fixed.period).format(
            count=number(nudges.fixed.period)
        ),
        _("median time to fix {took}").format(took=_took(nudges.median_to_fix_this_week)),
    ]
    week = _("This week: {figures}. `/security stats` shows everything, with each account manager.")
    return [
        {"type": "header", "text": plain(_("Security overview"))},
        {"type": "section", "text": mrkdwn("\n".join(lines))},
        {"type": "context", "elements": [mrkdwn(week.format(figures=" · ".join(figures)))]},
        {"type": "section", "text": mrkdwn("\n".join(compact_lines(report.accounts)))},
        {"type": "section", "text": mrkdwn(case_figures_text(report.cases))},
        {"type": "divider"},
    ]


def home_view(
    checklist: Checklist, report: AdoptionReport | None, campaigns: Blocks | None = None
) -> dict[str, Any]:
    """The Home tab: a security admin's overview first (when `report` is given) and their
    campaigns' section (bot/campaigns/views.home_blocks), then the member's own checklist as
    everyone sees it."""
    overview = overview_blocks(report) if report is not None else []
    mine = checklist_blocks(checklist, own=True)
    return {"type": "home", "blocks": overview + (campaigns or []) + mine}


def summary_text(report: AdoptionReport, week: str) -> str:
    """The weekly summary posted with the chart (mrkdwn, as the file's comment)."""
    nudges = report.nudges
    lines = [_("*Weekly security summary* · {week}").format(week=week)]
    if report.as_of is None:
        lines.append(_(NO_SWEEP))
    else:
        lines.append(f"• {_headline(report)}")
        weakest = min(report.checks, key=lambda c: c.percent or 0.0, default=None)
        if weakest is not None:
            lines.append(
                _("• Weakest check: {title}, {percent} passing").format(
                    title=_(weakest.title), percent=_pct(weakest.percent)
                )
            )
    lines += [f"• {line}" for line in compact_lines(report.accounts)]
    lines += [
        _("• This week: {figures}").format(figures=", ".join(_week_figures(report))),
        _(
            "• Gaps fixed after a reminder: {count} this week (median {took} from the first "
            "reminder)"
        ).format(count=number(nudges.fixed.period), took=_took(nudges.median_to_fix_this_week)),
        _("The chart shows adoption over the last 12 weeks. `/security stats` has every figure."),
    ]
    return "\n".join(lines)


# -- pieces ------------------------------------------------------------------------------------


def _week_figures(report: AdoptionReport) -> list[str]:
    nudges = report.nudges
    sent, snoozes = nudges.reminders.period, nudges.snoozes.period
    escalations = nudges.escalations.period
    return [
        ngettext("{count} reminder sent", "{count} reminders sent", sent).format(
            count=number(sent)
        ),
        ngettext("{count} snooze", "{count} snoozes", snoozes).format(count=number(snoozes)),
        ngettext("{count} escalation", "{count} escalations", escalations).format(
            count=number(escalations)
        ),
    ]


def _as_of(report: AdoptionReport) -> str:
    if report.as_of is None:
        return _(NO_SWEEP)
    return _(
        "Adoption as the reminder sweep of {when} found it; excluded members (service "
        "accounts, people on leave) are not counted, and the checks about business accounts "
        "count only members who work on one (“every check” is every check that applies to the "
        "member). “This week” is the last 7 days."
    ).format(when=_when(report.as_of))


def _headline(report: AdoptionReport) -> str:
    every = _pct(report.fully_passing_percent)
    before = report.week_before()
    now, then = report.fully_passing_percent, before.percent() if before else None
    count, passing = report.in_scope, report.fully_passing
    if now is not None and then is not None:
        text = ngettext(
            "*{count} member in scope* · *{percent}* pass every check ({passing}), {change} "
            "on a week before",
            "*{count} members in scope* · *{percent}* pass every check ({passing}), {change} "
            "on a week before",
            count,
        )
        return text.format(
            count=number(count), percent=every, passing=passing, change=_points(now - then)
        )
    text = ngettext(
        "*{count} member in scope* · *{percent}* pass every check ({passing})",
        "*{count} members in scope* · *{percent}* pass every check ({passing})",
        count,
    )
    return text.format(count=number(count), percent=every, passing=passing)


def _per_check(report: AdoptionReport) -> str:
    lines = [_("*Passing, per check*")]
    for check in report.checks:
        line = ngettext(
            "• {title}: *{percent}* ({passing} of {total}) · {needs_action} needs action · "
            "{unknown} unknown",
            "• {title}: *{percent}* ({passing} of {total}) · {needs_action} need action · "
            "{unknown} unknown",
            check.needs_action,
        )
        lines.append(
            line.format(
                title=_(check.title),
                percent=_pct(check.percent),
                passing=number(check.passing),
                total=number(check.in_scope),
                needs_action=number(check.needs_action),
                unknown=number(check.unknown),
            )
        )
    return "\n".join(lines)


def _over_time(report: AdoptionReport) -> str:
    weekly = report.weekly()
    lines = [_("*Adoption over time* (members passing every check, last 12 weeks)")]
    lines.append(_spark_line(report))
    if len(weekly) > 1:
        steps = " → ".join(
            f"{short_day(point.day)}: {_pct(point.percent())}" for point in weekly[-6:]
        )
        lines.append(steps)
    return "\n".join(lines)


def _spark_line(report: AdoptionReport) -> str:
    values = [point.percent() for point in report.weekly()]
    known = [value for value in values if value is not None]
    if not known:
        return _("No history yet.")
    spark = "".join(SPARKS[min(int(value / 100 * len(SPARKS)), len(SPARKS) - 1)] for value in known)
    if len(known) == 1:
        return f"`{spark}` {_pct(known[0])}"
    weeks = len(known)
    return ngettext(
        "`{spark}` {first} → {last} over {count} week",
        "`{spark}` {first} → {last} over {count} weeks",
        weeks,
    ).format(spark=spark, first=_pct(known[0]), last=_pct(known[-1]), count=number(weeks))


def _reminders(report: AdoptionReport) -> str:
    nudges = report.nudges
    return "\n".join(
        [
            _("*Reminders* (this week · all time)"),
            _("• Reminders sent: {week} · {total}").format(
                week=number(nudges.reminders.period), total=number(nudges.reminders.total)
            ),
            _("• Snoozes: {week} · {total}").format(
                week=number(nudges.snoozes.period), total=number(nudges.snoozes.total)
            ),
            _("• Escalations: {week} · {total} ({admins} reached the security admins)").format(
                week=number(nudges.escalations.period),
                total=number(nudges.escalations.total),
                admins=number(nudges.to_admins),
            ),
            _("• Gaps fixed after a reminder: {week} · {total}").format(
                week=number(nudges.fixed.period), total=number(nudges.fixed.total)
            ),
            _("• Median time from first reminder to fix: {week} · {total}").format(
                week=_took(nudges.median_to_fix_this_week), total=_took(nudges.median_to_fix)
            ),
        ]
    )


def _managers(report: AdoptionReport) -> str:
    if not report.managers:
        return _("*Per account manager*\nNo business account has an account manager on record.")
    lines = [_("*Per account manager* (members passing every check · open gaps)")]
    for line in report.managers:
        name = f"<@{line.slack_user_id}>"  # Slack shows the name they go by now
        gaps = ngettext("{count} open gap", "{count} open gaps", line.open_gaps).format(
            count=number(line.open_gaps)
        )
        text = ngettext(
            "• {name}: {passing} of {count} member ({percent}) · {gaps}",
            "• {name}: {passing} of {count} members ({percent}) · {gaps}",
            line.members,
        )
        lines.append(
            text.format(
                name=name,
                passing=number(line.fully_passing),
                count=number(line.members),
                percent=_pct(line.percent),
                gaps=gaps,
            )
        )
    hidden = report.managers_total - len(report.managers)
    if hidden > 0:
        lines.append(
            ngettext(
                "…and {count} more account manager", "…and {count} more account managers", hidden
            ).format(count=number(hidden))
        )
    return "\n".join(lines)


def _fallback(report: AdoptionReport) -> str:
    if report.as_of is None:
        return _("Security statistics: no sweep has counted adoption yet")
    return ngettext(
        "Security statistics: {percent} of {count} member pass every check",
        "Security statistics: {percent} of {count} members pass every check",
        report.in_scope,
    ).format(percent=_pct(report.fully_passing_percent), count=number(report.in_scope))


def _points(delta: float) -> str:
    points = round(delta)
    if not points:
        return _("unchanged")
    return ngettext("{points} point", "{points} points", abs(points)).format(points=f"{delta:+.0f}")


def _when(moment: datetime) -> str:
    return slack_time(moment)  # in the reader's own time zone


def _took(duration: timedelta | None) -> str:
    if duration is None:
        return _("none yet")
    hours = duration.total_seconds() / 3600
    if hours < 1:
        return _("{count} min").format(count=number(max(1, round(hours * 60))))
    if hours < 48:
        return ngettext("{count} hour", "{count} hours", _count_of(hours)).format(
            count=number(round(hours, 1))
        )
    days = hours / 24
    return ngettext("{count} day", "{count} days", _count_of(days)).format(
        count=number(round(days, 1))
    )


def _count_of(value: float) -> int:
    """The count that chooses the plural form of a figure shown to one decimal."""
    shown = round(value, 1)
    return int(shown) if shown == int(shown) else 2
