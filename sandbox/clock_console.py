"""Console commands for the passing of time (mixed into sandbox.console.Console):

time [+2d | +3h | mon 10:00 | 2026-12-01T10:00]   the app's time, or move it (nudges need days)
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
            moved = _moved(wanted, clock.now()) or _next(wanted, clock.now(), self.person_zone())
            if moved is None:
                self.say(
                    'Say how far, like "time +2d" or "time +3h", or when: 2026-12-01T10:00, '
                    'or "time mon 10:00" (the next Monday, 10:00 your time)'
                )
                return
            self.place.move_clock(moved)
        now = clock.now()
        local = now.astimezone(zone(self.person_zone(), "UTC"))
        self.say(f"The app's time: {now:%a %d %b %Y %H:%M} UTC, {local:%a %H:%M} for you.")
        if wanted:
            self.after_time_moved()

    def after_time_moved(self) -> None:
        """What a scheduler would have done meanwhile (the case console runs the case job)."""

    def person_zone(self) -> str | None:
        return self.standin.time_zone(self.person.user_id, team_id=self.team_id)

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


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _next(wanted: str, now: datetime, time_zone: str | None) -> datetime | None:
    """`mon 10:00`: the next such moment after now, in the member's time zone (working hours
    are theirs, so this is how a sweep lands inside them whatever the real time is)."""
    match = re.fullmatch(r"([a-z]{3})[a-z]*\s+(\d{1,2}):(\d{2})", wanted.lower())
    if match is None or match.group(1) not in WEEKDAYS:
        return None
    hour, minute = int(match.group(2)), int(match.group(3))
    if hour > 23 or minute > 59:
        return None
    local = now.astimezone(zone(time_zone, "UTC"))
    days = (WEEKDAYS.index(match.group(1)) - local.weekday()) % 7
    moment = (local + timedelta(days=days)).replace(hour=hour, minute=minute, second=0)
    if moment <= local:
        moment += timedelta(days=7)
    return moment.astimezone(UTC)
