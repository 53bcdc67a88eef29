"""The shared core every feature stands on: the clock, settings, errors, the audit
trail, text and words, Slack ids, secrets at rest and one-time links."""
