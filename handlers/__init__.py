"""Slack and HTTP glue: parse, authorise, call one service, render, send."""
