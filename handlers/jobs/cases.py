"""The case job, run by the scheduler of the process holding the jobs lease (handlers/jobs/scheduler.py):
the reminders that keep cases moving, and the follow-up of any alert whose own follow-up was
lost (the process stopped between the API's answer and its Slack calls) or that came in through
`alerts import` (a takeover there opens its case here, within a few minutes)."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.core.i18n import reading
from bot.nudges.sender import DeliveryFailed, Messenger
from bot.services import Services
from handlers.slack.suspicious_login import follow_up

logger = logging.getLogger("security_bot.cases")
JOB = "cases.remind"
EVERY = timedelta(minutes=1)


def run_case_jobs(services: Services, messenger: Messenger) -> None:
    for platform_alert_id in services.cases.reminders.lost_follow_ups():
        try:
            follow_up(messenger, services, platform_alert_id)
        except Exception:  # one alert's failure must not hold up the others, nor the reminders
            logger.exception("follow-up of alert %s failed", platform_alert_id)
    sent = 0
    reminders = services.cases.reminders
    # Mostly in the cases' channel threads, read by everyone there: the workspace's language.
    with reading(services.workspace_settings.current().language):
        due = reminders.due()
    for reminder in due:
        message = dict(reminder.message)
        if reminder.thread_ts is not None:
            # In the case's thread, and shown in the channel too: that is the ping.
            message |= {"thread_ts": reminder.thread_ts, "reply_broadcast": True}
        try:
            messenger.post(reminder.channel, message)
            sent += 1
        except DeliveryFailed as failure:
            logger.warning("case #%s reminder not sent: %s", reminder.case_number, failure.code)
            if not failure.permanent:
                reminders.release(reminder)
    if sent:
        logger.info("case reminders sent: %s", sent)
