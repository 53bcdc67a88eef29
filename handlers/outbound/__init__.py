"""Adapters to the outside: the Slack messenger, Slack's user directory, the
breach-range client and the platform webhook."""
