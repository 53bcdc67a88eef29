"""Listeners that answer Slack at once and do the work after the acknowledgement (Bolt's lazy
listeners): Slack's 3-second deadline is met whatever the work costs."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from slack_bolt import Ack, App

from bot.core.ids import Action


def acknowledge(ack: Ack) -> None:
    ack()


def on_buttons(app: App, work: Mapping[Action, Callable[..., None]]) -> None:
    """Each button is acknowledged at once; its work runs after, in a lazy listener."""
    for action, listener in work.items():
        app.action(action)(ack=acknowledge, lazy=[listener])
