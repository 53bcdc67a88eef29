"""Scheduled jobs: the APScheduler set-up run by the process holding the lease, and
the compromise cases' reminders."""
