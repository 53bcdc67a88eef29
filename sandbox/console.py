"""`python app.py sandbox`: a local Slack workspace in the terminal, no Slack account needed.

The workspace (sandbox/workspace.py) serves the real app on 127.0.0.1 against the Slack stand-in.
The console is Slack to the app, signing what it sends, and the Slack client to you.
"""

from __future__ import annotations

import cmd
import json
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO, TypeVar

from bot.config import Settings
from bot.nudges.hours import zone
from handlers.ids import Command
from sandbox import payloads, render, workspace
from sandbox.case_console import HELP as CASE_HELP
from sandbox.case_console import CaseCommands
from sandbox.slack_standin import SlackStandIn
from sandbox.stats_console import HELP as STATS_HELP
from sandbox.stats_console import StatsCommands
from sandbox.workspace import PEOPLE, Person

T = TypeVar("T")
APP_NAME = "Account Security"  # the bot's display name in manifest.yml
WAIT_SECONDS = 2.0  # how long a silent app gets to show something after a command
QUIET_SECONDS = 0.25  # how long the stand-in must stay quiet before the prompt returns
LINE_WIDTH = 100
REQUIRED = "Please complete this required field."  # Slack checks this before the app sees it
HELP = """\
  /security status         your checklist (also /security status @ana, /security help)
  press <label>            press a button on what you looked at last (a prefix is enough)
  home                     open the bot's Home tab
  choose <input> <option>  in an open modal, pick an option (by number or label)
  type <input> <text>      in an open modal, type into a text input (by number or label)
  submit, cancel           submit or close the open modal
  posture <account> two_step=off   the platform reports on your account (also method=sms,
                           recovery_phone=on, recovery_email=off, password_changed=now)
  as <name>                be someone else: ana, raj, dana (account manager), sam (admin)
  time [+2d | +3h | 2026-12-01T10:00]   the app's time, or move it on (nudges need days)
  nudge [dry-run]          one reminder sweep now, at the app's time, and its DMs
  wait [seconds]           show what the app sends meanwhile, e.g. an alert's DMs (10 s)
  help, quit"""


@dataclass
class Surface:
    """What a member looks at: a message, the Home tab, or a modal (over what was there)."""

    kind: str
    content: dict[str, Any]
    values: dict[str, Any] = field(default_factory=dict)  # a modal's choices, as state.values
    errors: dict[str, str] = field(default_factory=dict)
    under: Surface | None = None

    @property
    def blocks(self) -> list[dict[str, Any]]:
        return list(self.content.get("blocks") or [])


def pick(wanted: str, choices: Sequence[tuple[str, T]], what: str) -> T | str:
    """The choice labelled `wanted`, or the only one starting with it (any case); else why not."""
    fold = wanted.strip().strip("\"'").replace("\u2019", "'").casefold()
    labels = [label.replace("\u2019", "'").casefold() for label, _ in choices]
    exact = [c for label, c in zip(labels, choices, strict=True) if label == fold]
    found = exact or [c for label, c in zip(labels, choices, strict=True) if label.startswith(fold)]
    if fold and len(found) == 1:
        return found[0][1]
    shown = [label for label, _ in (found or choices) if not label.isdigit()]
    listed = ", ".join(dict.fromkeys(f'"{label}"' for label in shown))
    if not choices:
        return f"There is no {what} here."
    if len(found) > 1:
        return f'"{wanted}" matches several {what}s: {listed}. Type more of the label.'
    return f'No {what} "{wanted}" here. The {what}s here: {listed}.'


def numbered(items: Sequence[T], label: Callable[[T], str]) -> list[tuple[str, T]]:
    """Items to pick by their number (from 1) or by their label."""
    return [(str(n), item) for n, item in enumerate(items, 1)] + [(label(i), i) for i in items]


class Console(CaseCommands, StatsCommands, cmd.Cmd):
    def __init__(self, standin: SlackStandIn, url: str, secret: str, stdin: TextIO, out: TextIO):
        super().__init__(stdin=stdin, stdout=out)
        self.standin, self.url, self.secret, self.color = standin, url, secret, out.isatty()
        self.use_rawinput = stdin is sys.stdin and stdin.isatty() and out is sys.stdout
        self.person = PEOPLE[0]
        self.surfaces: dict[str, Surface | None] = {}
        self.want_home = False
        self.seen_posts, self.seen_calls = len(standin.response_url_posts()), len(standin.calls())
        self.seen_messages = dict(_fingerprint(m) for m in standin.messages())
        self.seen_views = {v["id"]: v["hash"] for v in standin.opened_views()}
        self.place: workspace.Workspace | None = None  # the app's clock and nudges, if served
        self.postcmd(False, "")

    def say(self, text: str = "", kind: str | None = None) -> None:
        lines = render.wrap(render.style(text, kind, color=self.color), LINE_WIDTH)
        self.stdout.write("\n".join(lines) + "\n")
        self.stdout.flush()

    @property
    def surface(self) -> Surface | None:
        return self.surfaces.get(self.person.user_id)

    def look_at(self, surface: Surface | None, *, replacing: bool = False) -> None:
        """A message takes the eye if it has buttons or replaces the one seen; modals stay on top."""
        current = self.surface
        buttonless = surface and surface.kind == "message" and not render.buttons(surface.blocks)
        if current and buttonless and not replacing:
            return
        if current and current.kind == "modal" and (surface is None or surface.kind != "modal"):
            current.under = surface
        else:
            self.surfaces[self.person.user_id] = surface

    # -- the loop (cmd.Cmd) ------------------------------------------------------------------

    def precmd(self, line: str) -> str:
        if not self.use_rawinput and line != "EOF":
            self.stdout.write(line + "\n")  # echoed, so a piped session reads as a transcript
        word, space, rest = line.strip().partition(" ")
        return line if line == "EOF" else word.lower() + space + rest

    def postcmd(self, stop: bool, line: str) -> bool:
        self.prompt = f"{self.person.short}> "
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
        self.say(CASE_HELP)
        self.say(STATS_HELP)

    def do_quit(self, _: str) -> bool:
        return True

    do_exit = do_EOF = do_quit  # EOF: what cmd.Cmd calls at the end of the input

    # -- acting as Slack ---------------------------------------------------------------------

    def send(self, request: tuple[bytes, str]) -> tuple[int, bytes]:
        return payloads.deliver(self.url, self.secret, request)

    def slash(self, command: str, text: str) -> None:
        if command not in set(Command):
            self.say(f"{command} is not a valid command. Try /security help.")
            return
        response_url = self.standin.response_url()
        text = workspace.escape_mentions(text)  # should_escape is on in manifest.yml
        request = payloads.slash_command(self.person.user_id, text, response_url=response_url)
        status, body = self.send(request)
        if status != 200:
            self.say(f'{command} failed with the error "dispatch_failed" ({status})', "warning")
        elif body.strip():
            self.show_message(_answer(body), "only visible to you")
        self.settle(expect=status == 200 and not body.strip())

    def do_press(self, label: str) -> None:
        if (surface := self.surface) is None:
            self.say("There is nothing to press yet. Try /security status or home.")
            return
        found = pick(label, [(b.label, b) for b in render.buttons(surface.blocks)], "button")
        if isinstance(found, str):
            self.say(found)
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
            view, response_url = _as_sent(surface), None
            container = {"type": "view", "view_id": view["id"]}
        action = found.action
        request = payloads.block_action(
            self.person.user_id, action, response_url=response_url, container=container, view=view
        )
        status, _ = self.send(request)
        if status != 200:
            self.say(f"⚠ The app did not take the button press (HTTP {status}).", "warning")
        self.settle(expect=status == 200)

    def do_home(self, _rest: str) -> None:
        self.want_home = True
        status, _ = self.send(payloads.app_home_opened(self.person.user_id))
        self.settle(expect=True, until=lambda: not self.want_home)
        if self.want_home:
            self.want_home = False
            self.say(f"The Home tab stayed empty: the app published nothing ({status}).", "warning")

    def modal(self) -> Surface | None:
        if self.surface is None or self.surface.kind != "modal":
            self.say('No modal is open. Buttons such as "I\'ve turned it on" open one.')
            return None
        return self.surface

    def do_choose(self, rest: str) -> None:
        """`choose <input> <option>`; labels may have spaces, so every split is tried."""
        if (modal := self.modal()) is None:
            return
        fields = numbered(render.inputs(modal.blocks), lambda f: f.label)
        words, problem = rest.split(), "Say which input and which option, e.g. choose 1 2."
        for cut in range(1, len(words)):
            chosen = pick(" ".join(words[:cut]), fields, "input")
            if isinstance(chosen, str):
                problem = chosen if cut == 1 else problem
                continue
            options = numbered(chosen.options, lambda o: render.text_of(o.get("text")))
            option = pick(" ".join(words[cut:]), options, "option")
            if isinstance(option, str):
                problem = option
                continue
            entry = {"type": chosen.kind, "selected_option": option}
            modal.values[chosen.block_id] = {chosen.action_id: entry}
            modal.errors.pop(chosen.block_id, None)
            self.say(f"✓ {chosen.label}: {render.chosen_label(modal.values, chosen)}")
            return
        self.say(problem)

    def do_submit(self, _: str) -> None:
        if (modal := self.modal()) is None:
            return
        fields = render.inputs(modal.blocks)
        missing = [f for f in fields if not f.optional and not render.chosen_label(modal.values, f)]
        modal.errors = {f.block_id: REQUIRED for f in missing}
        if not missing:
            view = _as_sent(modal)
            values = view["state"]["values"]
            status, body = self.send(payloads.view_submission(self.person.user_id, view, values))
            if status != 200:
                self.say("We had some trouble connecting. Try again?", "warning")
                return
            answer = _answer(body) if body.strip() else {}
            if answer.get("response_action") == "update":  # the same modal, with a new content
                modal.content = {**answer["view"], "id": modal.content.get("id")}
                modal.values, modal.errors = {}, {}
                self.show_modal(modal)
                self.settle(expect=True)  # e.g. the mail with a code, written after the answer
                return
            if answer.get("response_action") != "errors":
                self.do_cancel("")
                self.settle(expect=True)
                return
            modal.errors = dict(answer.get("errors") or {})
        self.show_modal(modal)

    def do_type(self, rest: str) -> None:
        """`type <input> <text>`: the input by its number or label, then what to type."""
        if (modal := self.modal()) is None:
            return
        fields = [f for f in render.inputs(modal.blocks) if f.kind in render.TEXT_INPUTS]
        words = rest.split()
        for cut in range(1, len(words)):
            # By the number the modal shows (every input counts), or by its label.
            choices = [(str(f.number), f) for f in fields] + [(f.label, f) for f in fields]
            chosen = pick(" ".join(words[:cut]), choices, "input")
            if isinstance(chosen, render.Input):
                typed = rest.split(None, cut)[cut]
                modal.values[chosen.block_id] = {
                    chosen.action_id: {"type": chosen.kind, "value": typed}
                }
                modal.errors.pop(chosen.block_id, None)
                self.say(f"✓ {chosen.label}: {typed}")
                return
        self.say("Say which input and what to type, e.g. type 1 ana@example.com.")

    def do_posture(self, rest: str) -> None:
        """The platform's signed posture report about one of your accounts, as the API takes it."""
        if self.place is None:
            self.say("This console has no platform to report from.")
            return
        answer = self.place.post_posture(self.person.email, rest)
        self.say(answer, "dim" if answer.startswith("The platform") else "warning")
        self.settle(expect=False)

    def do_cancel(self, _: str) -> None:
        if (modal := self.modal()) is not None:
            self.surfaces[self.person.user_id] = modal.under
            self.say("(the modal closed)", "dim")

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

    def do_as(self, name: str) -> None:
        found = pick(name, [(p.short, p) for p in PEOPLE] + [(p.name, p) for p in PEOPLE], "member")
        if isinstance(found, Person):
            self.person = found
        self.say(found if isinstance(found, str) else f"You are now {found}.")

    # -- showing what the app did ------------------------------------------------------------

    def settle(self, *, expect: bool, until: Callable[[], bool] | None = None) -> None:
        """Show what the app does after its acknowledgement (lazy listeners), until it is quiet.

        Any call the app makes to the stand-in counts as activity, so slow work is waited for;
        silence for WAIT_SECONDS ends the wait even when nothing came.
        """
        start = last_activity = time.monotonic()
        shown_any, calls = False, len(self.standin.calls())
        while True:
            shown = self.show_news()
            count, now = len(self.standin.calls()), time.monotonic()
            if shown or count != calls:
                shown_any, calls, last_activity = shown_any or shown, count, now
            done = until() if until else (shown_any or not expect)
            quiet = now - last_activity >= (QUIET_SECONDS if done else WAIT_SECONDS)
            if quiet or now - start >= 5 * WAIT_SECONDS:  # a busy app still gets the prompt back
                return
            time.sleep(0.02)

    def show_news(self) -> bool:
        """Print what the app did since last time; True when something was shown."""
        shown = False
        for call in self.standin.calls()[self.seen_calls :]:
            self.seen_calls += 1
            if not call.ok:
                self.say(f"⚠ Slack refused the app's {call.method} call.", "warning")
        for post in self.standin.response_url_posts()[self.seen_posts :]:
            self.seen_posts, shown = self.seen_posts + 1, True
            if post.get("delete_original"):
                self.say("(the message was deleted)", "dim")
                self.look_at(None, replacing=True)
            else:
                replacing = bool(post.get("replace_original"))
                note = "only visible to you" + (" · updated" if replacing else "")
                self.show_message(post, note, replacing=replacing)
        for message in self.standin.messages():
            key, content = _fingerprint(message)
            if self.seen_messages.get(key) != content:
                self.show_posted(message, "updated" if key in self.seen_messages else "new message")
                self.seen_messages[key], shown = content, True
        for view in self.standin.opened_views():
            if self.seen_views.get(view["id"]) != view["hash"]:
                self.seen_views[view["id"]], shown = view["hash"], True
                under = self.surface
                if under is not None and under.content.get("id") == view["id"]:
                    under = under.under  # views.update of the open modal
                self.surfaces[self.person.user_id] = Surface("modal", view, under=under)
                self.show_modal(self.surfaces[self.person.user_id])
        shown = self.show_mail() or shown
        home = self.standin.published_view(self.person.user_id)
        if home is not None and self.seen_views.get(home["id"]) != home["hash"]:
            self.seen_views[home["id"]] = home["hash"]
            if self.want_home or (self.surface is not None and self.surface.kind == "home"):
                self.want_home, shown = False, True
                self.say(render.render_home(home, app=APP_NAME, color=self.color))
                self.look_at(Surface("home", home), replacing=True)
        return shown

    def show_mail(self) -> bool:
        """Mail the app wrote to the outbox folder (SMTP_URL unset), as it arrives."""
        if self.place is None:
            return False
        shown = False
        for path, mail in self.place.new_mail():
            self.say(f"📧 A mail was written to the outbox: {path}", "bold")
            self.say(mail)
            shown = True
        return shown

    def show_message(self, message: dict[str, Any], note: str, *, replacing: bool = True) -> None:
        self.say(render.render_message(message, sender=APP_NAME, note=note, color=self.color))
        self.look_at(Surface("message", message), replacing=replacing)

    def show_posted(self, message: dict[str, Any], note: str) -> None:
        """A message the app posted with chat.postMessage (or chat.postEphemeral)."""
        owner = {self.standin.dm_channel(p.user_id): p for p in PEOPLE}.get(message["channel"])
        where = f"{owner.name}'s DM" if owner else f"channel {message['channel']}"
        where = "your DM" if owner == self.person else where
        if message.get("ephemeral"):
            where += f", only visible to {message.get('user')}"
        note = f"{note} in {where}"
        self.say(render.render_message(message, sender=APP_NAME, note=note, color=self.color))
        same = self.surface is not None and self.surface.content.get("ts") == message["ts"]
        if owner == self.person or (owner is None and same):  # e.g. a case card, edited
            self.look_at(Surface("message", message), replacing=same)

    def show_modal(self, modal: Surface | None) -> None:
        if modal is not None:
            view, values, errors = modal.content, modal.values, modal.errors
            self.say(render.render_modal(view, values=values, errors=errors, color=self.color))
            self.say("choose <input> <option> · type <input> <text> · submit · cancel", "dim")


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


def _answer(body: bytes) -> dict[str, Any]:
    """An acknowledgement's body: JSON, or plain text when the app acknowledged with text only."""
    return json.loads(body) if body.lstrip().startswith(b"{") else {"text": body.decode()}


def _as_sent(surface: Surface) -> dict[str, Any]:
    """A view as Slack puts it in a payload: with its state, without the trigger."""
    view = {k: v for k, v in surface.content.items() if k != "trigger_id"}
    return {**view, "state": {"values": render.state_values(surface.blocks, surface.values)}}


def _fingerprint(message: dict[str, Any]) -> tuple[tuple[str, str], str]:
    content = json.dumps([message.get("text"), message.get("blocks")], sort_keys=True)
    return (message["channel"], message["ts"]), content


def run_console(
    settings: Settings,
    *,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    database_url: str | None = None,
) -> int:
    """Start the workspace (the stand-in, the seeded database, the real app); read commands."""
    with workspace.running(settings, database_url or settings.database_url) as place:
        console = Console(place.standin, place.slack_url, place.signing_secret, stdin, stdout)
        console.place = place
        _banner(console, place)
        while True:  # Ctrl-C drops the line being typed, as a shell does; quit or Ctrl-D leave
            try:
                console.cmdloop()
                break
            except KeyboardInterrupt:
                console.say("^C")
        console.say("\nBye. What the app stored stays in the database for next time.", "dim")
    return 0


def _banner(console: Console, place: workspace.Workspace) -> None:
    say = console.say
    say(f"{APP_NAME} · sandbox: a local Slack workspace, no Slack account needed", "bold")
    for line, kind in place.introduction():
        say("\n".join(render.wrap(line, render.WIDTH)), kind)
    say("\n".join(place.alerts.snippet()) + "\n", "code")
    say("Try /security status, then press a button by its label. Type help for all commands.\n")
