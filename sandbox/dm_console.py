"""Console commands for the member's direct messages with the app (mixed into
sandbox.console.Console):

dms             your DMs from the app, numbered, newest last
open dm <N>     show DM number N again, to press its buttons

A DM scrolls past as other things happen; in Slack it stays in the conversation, so here too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox import render
from sandbox.screen import Screen

HELP = """\
  dms                      your DMs from the app, numbered, newest last
  open dm <number>         show one of them again, with its buttons to press"""
PREVIEW = 60  # characters of a DM's first line in the list


class DmCommands(Screen):
    if TYPE_CHECKING:

        def close_modal(self, note: str = "(the modal closed)") -> None: ...

    def my_dms(self) -> list[dict[str, Any]]:
        team = self.team_id
        channel = self.standin.dm_channel(self.person.user_id, team_id=team)
        return [m for m in self.standin.messages(channel, team_id=team) if not m.get("thread_ts")]

    def do_dms(self, _: str) -> None:
        dms = self.my_dms()
        if not dms:
            self.say("No DMs from the app yet.")
            return
        for number, message in enumerate(dms, 1):
            buttons = len(render.buttons(message.get("blocks") or []))
            pressable = f" · {buttons} button{'s' if buttons != 1 else ''}" if buttons else ""
            self.say(f"{number:>3}  {_first_line(message)}{pressable}")
        self.say("open dm <number> shows one again, with its buttons.", "dim")

    def do_open(self, rest: str) -> None:
        what, _, number = rest.strip().partition(" ")
        dms = self.my_dms()
        if what.lower() != "dm" or not number.strip().isdigit():
            self.say("Say which DM, e.g. open dm 2 (dms lists them).")
            return
        if not 1 <= int(number) <= len(dms):
            self.say(f"There is no DM {number.strip()}: you have {len(dms)} (dms lists them).")
            return
        self.close_modal()
        self.show_message(dms[int(number) - 1], f"DM {int(number)} of {len(dms)}")


def _first_line(message: dict[str, Any]) -> str:
    blocks = message.get("blocks") or []
    lines = [line for line in render.render_blocks(blocks, color=False) if line.strip()]
    first = (lines[0] if lines else str(message.get("text", ""))).strip()
    return first if len(first) <= PREVIEW else first[: PREVIEW - 1] + "…"
