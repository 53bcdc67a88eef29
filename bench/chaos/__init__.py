"""The chaos test (`make chaos`; a short form runs in `make test`): several `serve` processes on
PostgreSQL against the Slack stand-in, mixed traffic and a reminder sweep, while the leader is
killed with SIGKILL mid-delivery, the app's database backends are terminated and Slack answers 429
and 5xx in bursts. It prints requests failed, reminders lost, reminders duplicated and the
failover time, and fails unless the first three are 0. See README, "Chaos test"."""
