"""Workspaces: which one the bot serves now, their installs, and their own settings."""
