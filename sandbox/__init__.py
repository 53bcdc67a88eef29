"""Local stand-ins for the services the bot talks to, for tests and the sandbox console."""
