"""The case job, run by the scheduler of the process holding the jobs lease (handlers/jobs.py):
the reminders that keep cases moving, and the follow-up of any alert whose own follow-up was
lost (the process stopped between the API's answer and its Slack calls) or that came in through
`alerts import` (a takeover there opens its case here, within a few minutes)."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.nudges.sender import DeliveryFailed, Messenger
from bot.services import Services
from handlers.suspicious_login import follow_up
from storage import cases as case_store

logger = logging.getLogger("security_bot.cases")
JOB = "cases.remind"
EVERY = timedelta(minutes=1)
FOLLOW_UP_GRACE = timedelta(minutes=2)  # the API's own follow-up comes first
FOLLOW_UP_WITHIN = timedelta(days=7)


def run_case_jobs(services: Services, messenger: Messenger) -> None:
    for platform_alert_id in _lost_follow_ups(services):
        try:
            follow_up(messenger, services, platform_alert_id)
        except Exception:  # one alert's failure must not hold up the others, nor the reminders
            logger.exception("follow-up of alert %s failed", platform_alert_id)
    sent = 0
    reminders = services.cases.reminders
    for reminder in reminders.due():
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


def _lost_follow_ups(services: Services) -> list[str]:
    before = services.clock.now() - FOLLOW_UP_GRACE
    with services.database.sessions() as session:
        alerts = case_store.alerts_without_follow_up(
            session, received_before=before, received_after=before - FOLLOW_UP_WITHIN
        )
        return [alert.platform_alert_id for alert in alerts]
