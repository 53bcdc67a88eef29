"""Block Kit for the security statistics: `/security stats`, the overview on a security admin's
Home tab, and the text of the weekly summary. Pure: a report in, messages out.

Names of account managers come from Slack profiles, so they are escaped like any user text.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.checklist.model import Checklist
from bot.checklist.views import checklist_blocks
from bot.core.blocks import Blocks, mrkdwn, notice, plain
from bot.core.words import plural, slack_time
from bot.stats.report import AdoptionReport

SPARKS = "▁▂▃▄▅▆▇█"
NO_SWEEP = (
    "No full reminder sweep has counted adoption yet. The sweep runs every 5 minutes; the "
    "figures below the line do not wait for it."
)


def gathering() -> dict[str, Any]:
    """The acknowledgement while the figures are read."""
    return notice("Gathering the figures…")


def stats_message(report: AdoptionReport) -> dict[str, Any]:
    """The full report, for `/security stats`."""
    blocks: Blocks = [
        {"type": "header", "text": plain("Security statistics")},
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
    ]
    return {"text": _fallback(report), "blocks": blocks}


def overview_blocks(report: AdoptionReport) -> Blocks:
    """A compact "Security overview" for the top of a security admin's Home tab."""
    nudges = report.nudges
    lines = [_headline(report) if report.as_of is not None else NO_SWEEP]
    if report.as_of is not None:
        lines.append(_spark_line(report))
        lines += [f"• {check.title}: *{_pct(check.percent)}*" for check in report.checks]
    week = (
        f"This week: {plural(nudges.reminders.period, 'reminder')} sent · "
        f"{plural(nudges.snoozes.period, 'snooze')} · "
        f"{plural(nudges.escalations.period, 'escalation')} · "
        f"{plural(nudges.fixed.period, 'gap')} fixed · "
        f"median time to fix {_took(nudges.median_to_fix_this_week)}. "
        "`/security stats` shows everything, with each account manager."
    )
    return [
        {"type": "header", "text": plain("Security overview")},
        {"type": "section", "text": mrkdwn("\n".join(lines))},
        {"type": "context", "elements": [mrkdwn(week)]},
        {"type": "divider"},
    ]


def home_view(checklist: Checklist, report: AdoptionReport | None) -> dict[str, Any]:
    """The Home tab: a security admin's overview first (when `report` is given), then the
    member's own checklist as everyone sees it."""
    overview = overview_blocks(report) if report is not None else []
    return {"type": "home", "blocks": overview + checklist_blocks(checklist, own=True)}


def summary_text(report: AdoptionReport, week: str) -> str:
    """The weekly summary posted with the chart (mrkdwn, as the file's comment)."""
    nudges = report.nudges
    lines = [f"*Weekly security summary* · {week}"]
    if report.as_of is None:
        lines.append(NO_SWEEP)
    else:
        lines.append(f"• {_headline(report)}")
        weakest = min(report.checks, key=lambda c: c.percent or 0.0, default=None)
        if weakest is not None:
            lines.append(f"• Weakest check: {weakest.title}, {_pct(weakest.percent)} passing")
    lines += [
        f"• This week: {plural(nudges.reminders.period, 'reminder')} sent, "
        f"{plural(nudges.snoozes.period, 'snooze')}, "
        f"{plural(nudges.escalations.period, 'escalation')}",
        f"• Gaps fixed after a reminder: {nudges.fixed.period} this week "
        f"(median {_took(nudges.median_to_fix_this_week)} from the first reminder)",
        "The chart shows adoption over the last 12 weeks. `/security stats` has every figure.",
    ]
    return "\n".join(lines)


# -- pieces ------------------------------------------------------------------------------------


def _as_of(report: AdoptionReport) -> str:
    if report.as_of is None:
        return NO_SWEEP
    return (
        f"Adoption as the reminder sweep of {_when(report.as_of)} found it; excluded members "
        "(service accounts, people on leave) are not counted, and the checks about business "
        "accounts count only members who work on one (“every check” is every check that applies "
        "to the member). “This week” is the last 7 days."
    )


def _headline(report: AdoptionReport) -> str:
    every = _pct(report.fully_passing_percent)
    text = (
        f"*{_count(report.in_scope, 'member')} in scope* · *{every}* pass every check "
        f"({report.fully_passing})"
    )
    before = report.week_before()
    now, then = report.fully_passing_percent, before.percent() if before else None
    if now is not None and then is not None:
        text += f", {_points(now - then)} on a week before"
    return text


def _per_check(report: AdoptionReport) -> str:
    lines = ["*Passing, per check*"]
    for check in report.checks:
        lines.append(
            f"• {check.title}: *{_pct(check.percent)}* ({check.passing} of {check.in_scope})"
            f" · {check.needs_action} {'needs' if check.needs_action == 1 else 'need'} action"
            f" · {check.unknown} unknown"
        )
    return "\n".join(lines)


def _over_time(report: AdoptionReport) -> str:
    weekly = report.weekly()
    lines = ["*Adoption over time* (members passing every check, last 12 weeks)"]
    lines.append(_spark_line(report))
    if len(weekly) > 1:
        steps = " → ".join(f"{point.day:%d %b}: {_pct(point.percent())}" for point in weekly[-6:])
        lines.append(steps)
    return "\n".join(lines)


def _spark_line(report: AdoptionReport) -> str:
    values = [point.percent() for point in report.weekly()]
    known = [value for value in values if value is not None]
    if not known:
        return "No history yet."
    spark = "".join(SPARKS[min(int(value / 100 * len(SPARKS)), len(SPARKS) - 1)] for value in known)
    if len(known) == 1:
        return f"`{spark}` {_pct(known[0])}"
    return f"`{spark}` {_pct(known[0])} → {_pct(known[-1])} over {plural(len(known), 'week')}"


def _reminders(report: AdoptionReport) -> str:
    nudges = report.nudges
    return "\n".join(
        [
            "*Reminders* (this week · all time)",
            f"• Reminders sent: {nudges.reminders.period} · {nudges.reminders.total}",
            f"• Snoozes: {nudges.snoozes.period} · {nudges.snoozes.total}",
            f"• Escalations: {nudges.escalations.period} · {nudges.escalations.total} "
            f"({nudges.to_admins} reached the security admins)",
            f"• Gaps fixed after a reminder: {nudges.fixed.period} · {nudges.fixed.total}",
            f"• Median time from first reminder to fix: {_took(nudges.median_to_fix_this_week)}"
            f" · {_took(nudges.median_to_fix)}",
        ]
    )


def _managers(report: AdoptionReport) -> str:
    if not report.managers:
        return "*Per account manager*\nNo business account has an account manager on record."
    lines = ["*Per account manager* (members passing every check · open gaps)"]
    for line in report.managers:
        name = f"<@{line.slack_user_id}>"  # Slack shows the name they go by now
        lines.append(
            f"• {name}: {line.fully_passing} of {_count(line.members, 'member')} "
            f"({_pct(line.percent)}) · {_count(line.open_gaps, 'open gap')}"
        )
    hidden = report.managers_total - len(report.managers)
    if hidden > 0:
        lines.append(f"…and {_count(hidden, 'more account manager')}")
    return "\n".join(lines)


def _fallback(report: AdoptionReport) -> str:
    if report.as_of is None:
        return "Security statistics: no sweep has counted adoption yet"
    return (
        f"Security statistics: {_pct(report.fully_passing_percent)} of {report.in_scope} "
        "members pass every check"
    )


def _count(n: int, word: str) -> str:
    return plural(n, word)


def _pct(value: float | None) -> str:
    return "applies to no one yet" if value is None else f"{value:.0f}%"


def _points(delta: float) -> str:
    return f"{delta:+.0f} points" if round(delta) else "unchanged"


def _when(moment: datetime) -> str:
    return slack_time(moment)  # in the reader's own time zone


def _took(duration: timedelta | None) -> str:
    if duration is None:
        return "none yet"
    hours = duration.total_seconds() / 3600
    if hours < 1:
        return f"{max(1, round(hours * 60))} min"
    if hours < 48:
        return f"{hours:.1f} hours"
    return f"{hours / 24:.1f} days"
