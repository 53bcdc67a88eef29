"""Console commands for compromise cases (mixed into sandbox.console.Console):

card [number]   look at a case card in the case channels, to press its buttons
claim           look at the latest reimbursement claim in a case thread
reply <text>    write in the thread of the case message you look at (a note on its timeline)

The sandbox runs no scheduler: when `time` moves the app's clock, the case job runs once (the
same code the scheduled job runs), so a case nobody took pings its channel after `time +1h`.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import wiring
from handlers.jobs.cases import run_case_jobs
from sandbox import payloads
from sandbox.screen import Screen
from sandbox.workspace import ESCALATION, SUPPORT

HELP = """\
  card [number]            look at a case card in the case channels (to press its buttons)
  claim                    look at the latest reimbursement claim in a case thread
  reply <text>             write in the thread of the case card you look at: a timeline note"""


class CaseCommands(Screen):
    if TYPE_CHECKING:

        def send(self, request: tuple[bytes, str]) -> tuple[int, bytes]: ...

    def case_channels(self) -> tuple[str, ...]:
        """Where the workspace acted in works its cases (its own settings, so the console runs
        commands serving it)."""
        if self.place is None:
            return (ESCALATION, SUPPORT)
        routing = self.place.services.workspace_settings.routing()
        return tuple(c for c in (routing.escalation, routing.support) if c)

    def _case_messages(self) -> list[dict[str, Any]]:
        channels = self.case_channels()
        found = self.standin.messages(team_id=self.team_id)
        return [m for m in found if m["channel"] in channels]

    def after_time_moved(self) -> None:
        """The case reminders due at the app's new time, sent as the scheduled job sends them."""
        if self.place is None:
            return
        services = self.place.services
        run_case_jobs(services, wiring.build_messenger(services.settings, services))
        self.settle(expect=False)

    def do_card(self, rest: str) -> None:
        wanted = rest.strip().lstrip("#")
        cards = [m for m in self._case_messages() if not m.get("thread_ts")]
        if wanted:
            cards = [m for m in cards if str(m.get("text", "")).startswith(f"Case #{wanted} ")]
        if not cards:
            self.say("No case card here yet. Report one with /security report.")
            return
        self.show_message(cards[-1], "in the case channel")

    def do_claim(self, _: str) -> None:
        claims = [m for m in self._case_messages() if str(m.get("text", "")).startswith("Charge ")]
        if not claims:
            self.say('No claim yet: press "Record a charge" on a case card.')
            return
        self.show_message(claims[-1], "in the case thread")

    def do_reply(self, text: str) -> None:
        surface = self.surface
        message = surface.content if surface is not None and surface.kind == "message" else {}
        if message.get("channel") not in self.case_channels() or not text.strip():
            self.say("Look at a case card first (card), then: reply <what you want to note>.")
            return
        event = {
            "type": "message",
            "channel": message["channel"],
            "user": self.person.user_id,
            "text": text.strip(),
            "ts": f"{time.time():.6f}",
            "thread_ts": message.get("thread_ts") or message["ts"],
            "channel_type": "channel",
        }
        status, _ = self.send(payloads.event(event, team_id=self.team_id))
        self.say(f"(you wrote in the case thread: {text.strip()})", "dim")
        self.settle(expect=status != 200)
