"""`python app.py sandbox`: a local Slack workspace in the terminal, no Slack account needed.

The workspace (sandbox/workspace.py) serves the real app on 127.0.0.1 against the Slack stand-in.
The console is Slack to the app, signing what it sends, and the Slack client to you
(sandbox/screen.py).
"""

from __future__ import annotations

import cmd
import re
import sys
import time
from pathlib import Path
from typing import TextIO

from bot.core.config import Settings
from bot.core.i18n import LANGUAGE_NAMES
from bot.core.ids import Command
from sandbox import kept, payloads, render, workspace
from sandbox.case_console import HELP as CASE_HELP
from sandbox.case_console import CaseCommands
from sandbox.clock_console import ClockCommands
from sandbox.dm_console import HELP as DM_HELP
from sandbox.dm_console import DmCommands
from sandbox.link_console import HELP as LINK_HELP
from sandbox.link_console import LinkCommands
from sandbox.log_file import log_path, logging_to
from sandbox.modal_console import STILL_OPEN, ModalCommands
from sandbox.screen import APP_NAME, answer, as_sent, numbered_buttons, pick, pick_button
from sandbox.slack_standin import SlackStandIn
from sandbox.stats_console import HELP as STATS_HELP
from sandbox.stats_console import StatsCommands
from sandbox.teams import Team, first_team, install, pick_team
from sandbox.workspace import Person
from storage.scope import serving

SHORT_LOCALES = {"de": "de-DE", "en": "en-US"}
LOCALE = re.compile(r"^[a-z]{2}(?:[-_][A-Za-z]{2})?$")
HELP = """\
  /security status         your checklist (also /security status @ana, /security help)
  press <label>            press a button on what you looked at last (a prefix is enough)
  press <number>           press the Nth button shown, e.g. when two buttons share a label
  press <label> <word>     the button with that label whose row holds the word (press Remind now ana)
  buttons                  the buttons on what you look at, numbered
  home                     open the bot's Home tab
  choose <input> <option>  in an open modal, pick an option (by number or label)
  type <input> <text>      in an open modal, type into a text input (by number or label);
                           a day as 2027-01-31, a person as @dana
  submit, cancel           submit or close the open modal (a finished modal closes itself)
  posture <account> two_step=off   the platform reports on your account (also method=sms,
                           recovery_phone=on, recovery_email=off, password_changed=now)
  as <name>                be someone else: ana, raj, dana (account manager), sam (admin)
  time [+2d | +3h | mon 10:00 | 2026-12-01T10:00]   the app's time, or move it on (nudges
                           need days, and working hours: mon 10:00 is the next Monday, your time)
  nudge [dry-run]          one reminder sweep now, at the app's time, and its DMs
  wait [seconds]           show what the app sends meanwhile, e.g. an alert's DMs (10 s)
  locale [de | en | de-AT]  your Slack language (the bot follows it unless you chose one
                           with /security language)
  install [name]           add another simulated workspace (its own members and data)
  workspace <name | id>    act in another workspace: its members, its data, its requests
  reset                    start a clean sandbox: wipe its database and clock, reload the demo
  help, quit               (what the app stored, and a moved clock, stay for next time)"""


class Console(
    LinkCommands, CaseCommands, StatsCommands, DmCommands, ModalCommands, ClockCommands, cmd.Cmd
):
    def __init__(self, standin: SlackStandIn, url: str, secret: str, stdin: TextIO, out: TextIO):
        super().__init__(stdin=stdin, stdout=out)
        self.standin, self.url, self.secret, self.color = standin, url, secret, out.isatty()
        self.use_rawinput = stdin is sys.stdin and stdin.isatty() and out is sys.stdout
        self.team: Team = first_team(standin)
        self.teams: list[Team] = [self.team]
        self.person = self.team.people[0]
        self.resetting, self.database_url = False, ""
        self.surfaces = {}
        self.want_home = False
        self.start_looking()
        self.start_authenticators()
        self.place = None
        self.postcmd(False, "")

    # -- the loop (cmd.Cmd) ------------------------------------------------------------------

    def precmd(self, line: str) -> str:
        if not self.use_rawinput and line != "EOF":
            self.stdout.write(line + "\n")  # echoed, so a piped session reads as a transcript
        word, space, rest = line.strip().partition(" ")
        return line if line == "EOF" else word.lower() + space + rest

    @property
    def team_id(self) -> str:  # type: ignore[override] # Screen declares it, the team decides
        return self.team.team_id

    def onecmd(self, line: str) -> bool:
        with serving(self.team_id):  # what a command reads or runs, it does in its workspace
            return super().onecmd(line)

    def postcmd(self, stop: bool, line: str) -> bool:
        where = f"{self.team.name} · " if len(self.teams) > 1 else ""
        self.prompt = f"{where}{self.person.short}> "
        return stop

    def emptyline(self) -> bool:
        return False  # not cmd.Cmd's default of repeating the last command

    def default(self, line: str) -> None:
        word, _, rest = line.partition(" ")
        if word.startswith("/"):
            self.slash(word, rest.strip())
        else:
            self.say(f'I don\'t know "{word}". Type help for the commands.')

    def do_help(self, _: str) -> None:
        self.say(HELP)
        self.say(DM_HELP)
        self.say(LINK_HELP)
        self.say(CASE_HELP)
        self.say(STATS_HELP)

    def do_quit(self, _: str) -> bool:
        return True

    def do_reset(self, _: str) -> bool:
        """Stop this workspace; run_console wipes its database and clock and starts a clean one."""
        if not kept.can_reset(self.database_url):
            self.say("reset wipes the sandbox's own SQLite database only; DATABASE_URL is another.")
            return False
        self.resetting = True
        return True

    do_exit = do_EOF = do_quit  # EOF: what cmd.Cmd calls at the end of the input

    # -- acting as Slack ---------------------------------------------------------------------

    def send(self, request: tuple[bytes, str]) -> tuple[int, bytes]:
        return payloads.deliver(self.url, self.secret, request)

    def slash(self, command: str, text: str) -> None:
        if command not in set(Command):
            self.say(f"{command} is not a valid command. Try /security help.")
            return
        self.close_modal()  # in Slack a command is typed after closing any modal
        response_url = self.standin.response_url()
        text = workspace.escape_mentions(
            text, self.team.people
        )  # should_escape is on in manifest.yml
        request = payloads.slash_command(
            self.person.user_id, text, response_url=response_url, team_id=self.team_id
        )
        status, body = self.send(request)
        if status != 200:
            self.say(f'{command} failed with the error "dispatch_failed" ({status})', "warning")
        elif body.strip():
            self.show_message(answer(body), "only visible to you")
        self.settle(expect=status == 200 and not body.strip())

    def do_press(self, label: str) -> None:
        if (surface := self.surface) is None:
            self.say("There is nothing to press yet. Try /security status or home.")
            return
        found = pick_button(label, self.buttons_on(surface))
        if isinstance(found, str):
            self.say(found + (f" {STILL_OPEN}" if surface.kind == "modal" else ""))
            return
        if found.url:
            self.say(f"(your browser opens {found.url})", "dim")
        if surface.kind == "message":  # Slack sends a fresh response_url with every press
            ts = surface.content.get("ts", f"{time.time():.6f}")
            channel = surface.content.get("channel", "D0SANDBOX")
            container = {"type": "message", "message_ts": ts, "channel_id": channel}
            container["is_ephemeral"] = "ts" not in surface.content
            response_url, view = self.standin.response_url(), None
        else:
            view, response_url = as_sent(surface), None
            container = {"type": "view", "view_id": view["id"]}
        action = found.action
        request = payloads.block_action(
            self.person.user_id,
            action,
            response_url=response_url,
            container=container,
            view=view,
            team_id=self.team_id,
        )
        status, _ = self.send(request)
        if status != 200:
            self.say(f"⚠ The app did not take the button press (HTTP {status}).", "warning")
        self.settle(expect=status == 200)

    def do_buttons(self, _: str) -> None:
        """The buttons on what you look at, numbered as `press <number>` takes them."""
        found = self.buttons_on(self.surface) if self.surface else []
        self.say(numbered_buttons(found) if found else "There is no button here.")

    def do_home(self, _rest: str) -> None:
        self.close_modal()
        self.want_home = True
        status, _ = self.send(payloads.app_home_opened(self.person.user_id, team_id=self.team_id))
        self.settle(expect=True, until=lambda: not self.want_home)
        if self.want_home:
            self.want_home = False
            self.say(f"The Home tab stayed empty: the app published nothing ({status}).", "warning")

    def do_posture(self, rest: str) -> None:
        """The platform's signed posture report about one of your accounts, as the API takes it."""
        if self.place is None:
            self.say("This console has no platform to report from.")
            return
        reported = self.place.post_posture(self.person.email, rest, self.team_id)
        self.say(reported, "dim" if reported.startswith("The platform") else "warning")
        self.settle(expect=False)

    def do_as(self, name: str) -> None:
        people = self.team.people
        found = pick(name, [(p.short, p) for p in people] + [(p.name, p) for p in people], "member")
        if isinstance(found, Person):
            self.person = found
        self.say(found if isinstance(found, str) else f"You are now {found}.")

    def do_locale(self, wanted: str) -> None:
        """The simulated member changes their Slack language; the bot reads it at once, as it
        would at its next look at their profile."""
        if self.place is None:
            self.say("This console has no workspace.")
            return
        locale = SHORT_LOCALES.get(wanted.strip().lower(), wanted.strip())
        if not LOCALE.match(locale):
            self.say("Give a language such as de, en or de-AT.")
            return
        self.standin.set_locale(self.person.user_id, locale, team_id=self.team_id)
        language = self.place.refresh_profile(self.person.user_id, self.team_id)
        self.say(
            f"{self.person}'s Slack language is now {locale}: the bot writes to them in "
            f"{LANGUAGE_NAMES[language]}."
        )

    def do_install(self, name: str) -> None:
        """Another simulated workspace, as if the app were added to it; stays where you are."""
        if self.place is None:
            self.say("This console has no workspace to install the app in.")
            return
        found = install(self.place, name, self.teams)
        if isinstance(found, str):
            self.say(found)
            return
        self.say(
            f"The app is installed in the workspace {found}, installed by @sam through its "
            "Add to Slack page (so @sam is its first security admin), with its own members "
            f"({', '.join('@' + p.short for p in found.people)}) and the demo directory. "
            f"Type workspace {found.name} to act there."
        )

    def do_workspace(self, wanted: str) -> None:
        if not wanted.strip():
            names = ", ".join(str(t) for t in self.teams)
            self.say(f"You are in the workspace {self.team}. The workspaces: {names}.")
            return
        found = pick_team(wanted, self.teams)
        if isinstance(found, str):
            self.say(found)
            return
        self.close_modal()
        self.team, self.person = found, found.people[0]
        self.say(f"You are now in the workspace {found}, as {self.person}.")


def run_console(
    settings: Settings,
    *,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    database_url: str | None = None,
) -> int:
    """Start the workspace (the stand-in, the seeded database, the real app); read commands.
    `reset` ends one workspace, wipes what it stored and starts a clean one."""
    url = database_url or settings.database_url
    log = log_path(url)
    with logging_to(log):
        while True:
            with workspace.running(settings, url) as place:
                console = Console(
                    place.standin, place.slack_url, place.signing_secret, stdin, stdout
                )
                console.place, console.database_url = place, url
                _banner(console, place, log)
                while True:  # Ctrl-C drops the line being typed, as a shell does; quit or Ctrl-D
                    try:
                        console.cmdloop()
                        break
                    except KeyboardInterrupt:
                        console.say("^C")
            if not console.resetting:
                break
            kept.wipe(url)
            console.say(
                "The sandbox's database and clock are wiped: starting a clean one.\n", "dim"
            )
    console.say("\nBye. What the app stored stays in the database for next time.", "dim")
    return 0


def _banner(console: Console, place: workspace.Workspace, log: Path) -> None:
    say = console.say
    say(f"{APP_NAME} · sandbox: a local Slack workspace, no Slack account needed", "bold")
    for line, kind in place.introduction():
        say("\n".join(render.wrap(line, render.WIDTH)), kind)
    if (moved := place.clock_note()) is not None:
        say("\n".join(render.wrap(moved, render.WIDTH)), "warning")
    say("\n".join(render.wrap(f"The app's log lines go to {log} (tail -f it elsewhere).")), "dim")
    say("\n".join(place.alerts.snippet()) + "\n", "code")
    say("Try /security status, then press a button by its label. Type help for all commands.\n")
