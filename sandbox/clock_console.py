"""Console commands for the passing of time (mixed into sandbox.console.Console):

time [+2d | +3h | 2026-12-01T10:00]   the app's time, or move it on (nudges need days)
nudge [dry-run]                       one reminder sweep now, at the app's time, and its DMs
wait [seconds]                        show what the app sends meanwhile, e.g. an alert's DMs

The sandbox runs no scheduler, so a member moves the clock and sweeps by hand.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

from bot.nudges.hours import zone
from sandbox.screen import WAIT_SECONDS, Screen


class ClockCommands(Screen):
    def do_time(self, rest: str) -> None:
        if self.place is None:
            self.say("This console has no app clock.")
            return
        clock, wanted = self.place.clock, rest.strip()
        if wanted:
            moved = _moved(wanted, clock.now())
            if moved is None:
                self.say('Say how far, like "time +2d" or "time +3h", or when: 2026-12-01T10:00')
                return
            clock.set(moved)
        now = clock.now()
        local = now.astimezone(zone(self.person_zone(), "UTC"))
        self.say(f"The app's time: {now:%a %d %b %Y %H:%M} UTC, {local:%a %H:%M} for you.")
        if wanted:
            self.after_time_moved()

    def after_time_moved(self) -> None:
        """What a scheduler would have done meanwhile (the case console runs the case job)."""

    def person_zone(self) -> str | None:
        return self.standin.time_zone(self.person.user_id)

    def do_nudge(self, rest: str) -> None:
        if self.place is None:
            self.say("This console runs no nudges.")
            return
        self.say(self.place.nudge(dry_run=rest.strip().lower() in ("dry-run", "dry", "--dry-run")))
        self.settle(expect=False)

    def do_wait(self, rest: str) -> None:
        """What arrives while nobody types, e.g. the DMs of an alert sent from another terminal."""
        wanted = rest.strip() or f"{5 * WAIT_SECONDS:g}"
        if not re.fullmatch(r"\d{1,3}(\.\d+)?", wanted):  # under 1000 s; Ctrl-C ends it sooner
            self.say('Say how long, in seconds, like "wait 30".')
            return
        deadline = time.monotonic() + float(wanted)
        while not self.show_news():
            if time.monotonic() >= deadline:
                self.say(f"Nothing new from the app in {wanted} seconds.", "dim")
                return
            time.sleep(0.05)
        self.settle(expect=False)  # the rest of what came together


def _moved(wanted: str, now: datetime) -> datetime | None:
    """`+2d`, `+3h`, `+30m` from now, or a time (UTC unless it says)."""
    match = re.fullmatch(r"\+(\d+)([dhm])", wanted)
    if match:
        unit = {"d": "days", "h": "hours", "m": "minutes"}[match.group(2)]
        return now + timedelta(**{unit: int(match.group(1))})
    try:
        moment = datetime.fromisoformat(wanted)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
