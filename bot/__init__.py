"""Domain logic of the account-security bot: no Slack payloads, no HTTP."""
