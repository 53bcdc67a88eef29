"""The HTTP front door: Slack's events URL, the one-time pages, the signed alerts and
posture APIs, health checks and the production server."""
