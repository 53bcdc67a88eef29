"""The weekly summary: once per ISO week each security admin gets, by DM and inside their own
working hours, a short text and a chart of adoption over time (run by the scheduled jobs).

Exactly once per admin and week, across restarts and app processes: the (admin, week) row is
claimed before anything is uploaded (storage/summaries.py), and only the process that claimed it
uploads. A failed upload is retried later with a growing delay, up to MAX_ATTEMPTS. As with the
nudges' outbox one window stays: a process that dies after Slack took the file and before the row
says so has it uploaded again once its claim expires, as Slack's upload has no idempotency key.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.campaigns.figures import Progress
from bot.campaigns.summary_words import summary_lines
from bot.core.clock import Clock
from bot.core.i18n import _, language, reading
from bot.nudges.hours import zone
from bot.nudges.sender import DeliveryFailed
from bot.nudges.settings import PolicySource, policy_of
from bot.stats.chart import adoption_chart, alt_text
from bot.stats.report import AdoptionReport, StatsService
from bot.stats.views import summary_text
from storage import outbox as outbox_store
from storage import summaries as store
from storage.database import Database

logger = logging.getLogger("security_bot.stats")
CLAIM_FOR = timedelta(minutes=5)
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class SharedChart:
    """A chart shared in a DM: the image, its title, the message beside it and its alt text."""

    filename: str
    content: bytes
    title: str
    comment: str
    alt_text: str


class Uploader(Protocol):
    """Slack, as the summary needs it (handlers/outbound/slack_messenger.py over slack_sdk)."""

    def open_dm(self, user: str) -> str:
        """The DM channel with `user`."""
        ...

    def upload(self, channel: str, chart: SharedChart) -> str:
        """Share `chart` in `channel`; the file's id."""
        ...


@dataclass
class SummaryRun:
    sent: list[str] = field(default_factory=list)
    outside_hours: list[str] = field(default_factory=list)
    not_due: list[str] = field(default_factory=list)  # sent this week, or another process has it
    failed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"sent {len(self.sent)}, outside working hours {len(self.outside_hours)}, "
            f"already sent or taken {len(self.not_due)}, failed {len(self.failed)}"
        )


def iso_week(moment: datetime, tz: ZoneInfo) -> str:
    """The ISO week of `moment` in the admin's own time zone: 2026-W48."""
    year, week, _weekday = moment.astimezone(tz).isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class WeeklySummaries:
    """The Monday summary: the statistics' report, to each security admin in their working hours
    (in their own time zone, else `default_time_zone`)."""

    database: Database
    clock: Clock
    stats: StatsService
    admins: AbstractSet[str]
    policies: PolicySource  # the served workspace's: its working hours and default time zone
    # Each admin's language (their own choice, else their Slack locale); None: the job's.
    languages: Callable[[str], str | None] | None = None
    # The running campaigns with their days (bot/campaigns): drawn under adoption, one line each.
    campaigns: Callable[[], Sequence[Progress]] | None = None

    def send_due(self, uploader: Uploader, holder: str) -> SummaryRun:
        """Send this week's summary to every security admin in working hours who lacks it."""
        now = self.clock.now()
        run = SummaryRun()
        policy = policy_of(self.policies)
        admins = frozenset(self.admins)
        with self.database.sessions() as session:
            zones = store.time_zones(session, admins)
        report: AdoptionReport | None = None
        running: Sequence[Progress] = ()
        charts: dict[str, bytes] = {}  # by language: drawn once per language in a run
        for admin in sorted(admins):
            tz = zone(zones.get(admin), policy.default_time_zone)
            if not policy.hours.contains(now, tz):
                run.outside_hours.append(admin)
                continue
            week = iso_week(now, tz)
            with self.database.sessions.begin() as session:
                claimed = store.claim(
                    session, admin, week, holder, now, now + CLAIM_FOR, MAX_ATTEMPTS
                )
            if not claimed:
                run.not_due.append(admin)
                continue
            if report is None:  # the same figures for every admin of this run
                report = self.stats.build()
                running = self.campaigns() if self.campaigns is not None else ()
            reader = self.languages(admin) if self.languages is not None else language()
            with reading(reader) as chosen:
                if chosen not in charts:
                    title = _("Adoption over time")
                    charts[chosen] = adoption_chart(report.history, title=title, campaigns=running)
                shared = SharedChart(
                    filename=f"adoption-{week}.png",
                    content=charts[chosen],
                    title=_("Adoption over time, {week}").format(week=week),
                    comment="\n".join([summary_text(report, week), *summary_lines(running)]),
                    alt_text=alt_text(report.history, running),
                )
            try:
                file_id = uploader.upload(self._channel(admin, uploader), shared)
            except DeliveryFailed as failure:
                self._failed(admin, week, holder, failure)
                run.failed.append(admin)
                continue
            with self.database.sessions.begin() as session:
                store.finish(
                    session, admin, week, holder, state="sent", sent_at=self.clock.now(),
                    file_id=file_id[:32], last_error=None,
                )  # fmt: skip
            run.sent.append(admin)
        return run

    def _channel(self, admin: str, uploader: Uploader) -> str:
        """The admin's DM: known from a reminder or an earlier summary, else opened once."""
        with self.database.sessions() as session:
            known = outbox_store.dm_channel(session, admin)
        if known is not None:
            return known
        channel = uploader.open_dm(admin)
        with self.database.sessions.begin() as session:
            outbox_store.remember_dm_channel(session, admin, channel, self.clock.now())
        return channel

    def _failed(self, admin: str, week: str, holder: str, failure: DeliveryFailed) -> None:
        with self.database.sessions.begin() as session:
            row = store.summary_of(session, admin, week)
            attempts = row.attempts if row is not None else MAX_ATTEMPTS
            give_up = failure.permanent or attempts >= MAX_ATTEMPTS
            later = self.clock.now() + timedelta(minutes=5 * 2**attempts)
            store.finish(
                session, admin, week, holder,
                state="failed" if give_up else store.PENDING,
                not_before=None if give_up else later,
                last_error=failure.code[:100],
            )  # fmt: skip
        logger.warning("weekly summary for %s not sent: %s", admin, failure.code)
