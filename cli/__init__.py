"""The command-line subcommands of app.py (imports, nudge run-once): each is a composition
root of its own, building what it needs from the settings."""
