"""Scheduled jobs: APScheduler, run only by the app process that leads.

APScheduler 3 cannot share a job store between processes, so every process competes for one
leadership (bot/core/leadership.py: an advisory lock on PostgreSQL, a lease row on SQLite) and
only the leader starts a scheduler; stop() shuts it down and lets go, so a successor takes over
within a second or two. The job store is the application
database, so the schedule survives restarts; `coalesce` folds missed runs into one,
`max_instances=1` never overlaps a job with itself, and a run later than its misfire grace is
skipped (the next one comes soon).

The nudge sweep decides and writes the outbox; delivery sends it at Slack's pace, never in a
Bolt listener. Slack's limits are per workspace, so the workspaces' outboxes are delivered side
by side (up to `side_by_side` at once, a thread each, started from the scheduler's worker), each
at its own pace (bot/nudges/pacing.Pacers), and a workspace waiting out a 429 holds back no
other. In-process pacers suffice: only the leader runs the jobs. The weekly summary to the security admins
is looked at every quarter of an hour, so it arrives early in each admin's working week.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, timedelta
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.core import logs
from bot.core.leadership import leadership, process_id
from bot.nudges.sender import Messenger, Sender
from bot.services import Services
from bot.stats.summary import Uploader
from bot.workspaces.rounds import SIDE_BY_SIDE
from handlers.jobs import cases as case_jobs

logger = logging.getLogger("security_bot.jobs")
JOBS_LEASE = "scheduled-jobs"
JOB_TABLE = "apscheduler_jobs"
SWEEP, DELIVER = "nudges.sweep", "nudges.deliver"
SUMMARY = "stats.summary"
SUMMARY_EVERY = timedelta(minutes=15)
# Workspaces uninstalled longer ago than WORKSPACE_RETENTION_DAYS lose their data (README).
PURGE, PURGE_EVERY = "workspaces.purge", timedelta(hours=6)

# The job store keeps a textual reference to `run_job` and its arguments, not live objects, so
# a job finds the running Jobs of its process here, by name.
_RUNNING: dict[str, Jobs] = {}
_RUNNING_LOCK = threading.Lock()


class _ExitingProcess(logging.Filter):
    """At interpreter exit APScheduler's loop may still hand a due job to a thread pool that has
    already shut down. The process is ending and the next lease holder runs the job: no error."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not (isinstance(error, RuntimeError) and "interpreter shutdown" in str(error))


_EXITING = _ExitingProcess()


def run_job(name: str, job: str) -> None:
    with _RUNNING_LOCK:
        jobs = _RUNNING.get(name)
    if jobs is None:
        logger.info("job %s skipped: no scheduler %s runs in this process", job, name)
        return
    with logs.job(job):  # one correlation id per run, on each of its log lines
        jobs.run(job)


class Jobs:
    """Leadership, the scheduler while leading, and what each job does."""

    def __init__(
        self,
        services: Services,
        messenger: Messenger,
        *,
        uploader: Uploader | None = None,
        name: str = "security-bot",
        holder: str | None = None,
        table: str = JOB_TABLE,
        side_by_side: int = SIDE_BY_SIDE,
    ) -> None:
        self.services = services
        self.name = name
        self.holder = holder or process_id()
        self.lease = leadership(services.database, services.clock, JOBS_LEASE, self.holder)
        self.sender = Sender(
            services.database,
            services.clock,
            messenger,
            services.nudges.policies,
            self.holder,
            languages=services.languages.of,
        )
        self.messenger = messenger
        self.side_by_side = side_by_side  # workspaces whose reminders are delivered at once
        self.uploader = uploader  # None: no weekly summaries from this process
        self._table = table
        self._scheduler: BackgroundScheduler | None = None
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def leading(self) -> bool:
        return self.lease.held and self._scheduler is not None

    # -- leadership ------------------------------------------------------------------------

    def start(self) -> Jobs:
        """Compete for the lease in a background thread, for as long as the process runs."""
        self._thread = threading.Thread(target=self._loop, name="jobs-leadership", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the scheduler and let go of leadership (a job still running stops at its next
        check of the lease: a nudge delivery after the message in hand)."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._stop_scheduler()
        self.lease.release()

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                self.tick()
            except Exception:  # the next round tries again; leadership must not die with it
                logger.exception("scheduled jobs: leadership round failed")
                self._stop_scheduler()
            self._stopping.wait(self.lease.renew_every.total_seconds())

    def tick(self) -> None:
        """One round: renew or take the lease, and start or stop the scheduler to match."""
        if self.lease.renew():
            if self._scheduler is None:
                self._start_scheduler()
        elif self._scheduler is not None:
            self._stop_scheduler()

    def _start_scheduler(self) -> None:
        policy = self.services.nudges.policy
        scheduler = BackgroundScheduler(
            jobstores={
                "default": SQLAlchemyJobStore(
                    engine=self.services.database.engine, tablename=self._table
                )
            },
            executors={"default": ThreadPoolExecutor(max_workers=2)},
            job_defaults={"coalesce": True, "max_instances": 1},
            timezone=UTC,
        )
        scheduler_log = logging.getLogger("apscheduler.scheduler")
        if _EXITING not in scheduler_log.filters:
            scheduler_log.addFilter(_EXITING)
        scheduler.start(paused=True)
        self._scheduler = scheduler  # from here on, stopping shuts it down whatever fails next
        self._schedule(scheduler, SWEEP, policy.sweep_every, grace=policy.sweep_every)
        self._schedule(scheduler, DELIVER, policy.deliver_every, grace=2 * policy.deliver_every)
        self._schedule(scheduler, case_jobs.JOB, case_jobs.EVERY, grace=case_jobs.EVERY)
        if self.uploader is not None:
            self._schedule(scheduler, SUMMARY, SUMMARY_EVERY, grace=SUMMARY_EVERY)
        self._schedule(scheduler, PURGE, PURGE_EVERY, grace=PURGE_EVERY)
        with _RUNNING_LOCK:
            _RUNNING[self.name] = self
        scheduler.resume()
        logger.info("scheduler started by %s", self.holder)

    def _schedule(
        self, scheduler: BackgroundScheduler, job: str, every: timedelta, grace: timedelta
    ) -> None:
        """Keep a stored job (and its next run) when it is unchanged; replace it otherwise."""
        args = [self.name, job]
        stored: Any = scheduler.get_job(job)
        trigger = IntervalTrigger(seconds=int(every.total_seconds()), timezone=UTC)
        if (
            stored is not None
            and list(stored.args) == args
            and getattr(stored.trigger, "interval", None) == trigger.interval
        ):
            return
        scheduler.add_job(
            run_job,
            trigger,
            args=args,
            id=job,
            name=job,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=int(grace.total_seconds()),
        )

    def _stop_scheduler(self) -> None:
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is None:
            return
        with _RUNNING_LOCK:
            if _RUNNING.get(self.name) is self:
                del _RUNNING[self.name]
        scheduler.shutdown(wait=False)
        logger.info("scheduler stopped by %s", self.holder)

    # -- the jobs --------------------------------------------------------------------------

    def run(self, job: str) -> None:
        """`job` for every workspace: one after another, but the reminders' delivery side by
        side (after the sweep, workspace by workspace as ever), each at its own pace."""
        if not self.lease.held:
            return  # lost the lease since the scheduler fired; the new holder runs it
        rounds = self.services.workspace_rounds
        if job not in (SWEEP, DELIVER):
            rounds.each(lambda _key: self.run_in_workspace(job), what=job)
            return
        if job == SWEEP:
            rounds.each(lambda _key: self.sweep(), what=job)
        rounds.side_by_side(lambda _key: self.deliver(), what=DELIVER, at_once=self.side_by_side)

    def run_in_workspace(self, job: str) -> None:
        """One job for the workspace being served."""
        if not self.lease.held:
            return
        if job == case_jobs.JOB:
            case_jobs.run_case_jobs(self.services, self.messenger)
            return
        if job == PURGE:
            days = self.services.settings.workspace_retention_days
            purged = self.services.workspaces.purge_expired(days)
            if purged:
                logger.info("purged the data of %s uninstalled workspaces", len(purged))
            return
        if job == SUMMARY:
            if self.uploader is not None:
                run = self.services.summaries.send_due(self.uploader, self.holder)
                if run.sent or run.failed:
                    logger.info("weekly summaries: %s", run.summary())
            return
        if job == SWEEP:
            self.sweep()
        elif job != DELIVER:
            logger.warning("unknown job %s", job)
            return
        self.deliver()

    def sweep(self) -> None:
        """The sweep of the workspace being served: decided and written to its outbox."""
        if not self.lease.held:
            return
        report = self.services.nudges.sweep()
        logger.info("nudge sweep: %s", report.summary())

    def deliver(self) -> None:
        """The outbox of the workspace being served, sent at its pace while this process leads."""
        if not self.lease.held:
            return
        self.services.nudges.recheck()
        delivery = self.sender.deliver(keep_going=lambda: self.lease.held)
        if delivery.sent or delivery.updated or delivery.failed:
            logger.info("nudge delivery: %s", delivery.summary())
