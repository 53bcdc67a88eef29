"""The local sandbox: loopback stand-ins for Slack and Pwned Passwords, signed-request builders,
and the console of `app.py sandbox`, for tests, benchmarks and trying the bot without Slack."""
