"""The console as the Slack client (mixed into sandbox.console.Console): what a member looks at,
and what the app did since they last looked.

Every command group shows the app's answers through here, so each sees the same screen.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from sandbox import render
from sandbox.reader import for_reader
from sandbox.slack_standin import SlackStandIn
from sandbox.workspace import Person, Workspace

if TYPE_CHECKING:
    from sandbox.teams import Team

T = TypeVar("T")
READER_ZONE = "Europe/Berlin"  # every demo person's Slack time zone (sandbox/workspace.py)
APP_NAME = "Account Security"  # the bot's display name in manifest.yml
WAIT_SECONDS = 2.0  # how long a silent app gets to show something after a command
QUIET_SECONDS = 0.25  # how long the stand-in must stay quiet before the prompt returns
LINE_WIDTH = 100


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


def pick_button(wanted: str, found: Sequence[render.Button]) -> render.Button | str:
    """The button labelled `wanted` (or the only one starting with it), or the Nth one shown when
    `wanted` is a number N. Equal labels doing the same thing count as one; equal labels doing
    different things are listed with their numbers, to press by number, or by the label and a
    word of their row ("Remind now Raj")."""
    number = wanted.strip()
    if number.isdigit() and not any(button.label == number for button in found):
        if 1 <= int(number) <= len(found):
            return found[int(number) - 1]
        return f"There are {len(found)} buttons here; `buttons` lists them with their numbers."
    chosen = pick(
        wanted, [(button.label, (n, button)) for n, button in enumerate(found, 1)], "button"
    )
    if not isinstance(chosen, str):
        return chosen[1]
    fold = wanted.strip().strip("\"'").replace("\u2019", "'").casefold()
    matches = [
        (n, button)
        for n, button in enumerate(found, 1)
        if fold and button.label.replace("\u2019", "'").casefold().startswith(fold)
    ]
    exact = [(n, b) for n, b in matches if b.label.replace("\u2019", "'").casefold() == fold]
    matches = exact or matches
    if len({_doing(button) for _, button in matches}) == 1:
        return matches[0][1]  # e.g. "Check my passwords" under two checks: either will do
    if matches:
        first = {_doing(button): (n, button) for n, button in reversed(matches)}  # one each
        listed = ", ".join(
            f'press {n} for "{b.label}"{_beside(b)}' for n, b in sorted(first.values())
        )
        return f'"{wanted.strip()}" matches several buttons: {listed}.'
    return _by_row(fold, found) or chosen


def _by_row(fold: str, found: Sequence[render.Button]) -> render.Button | None:
    """The one button whose label starts `fold` and whose row holds the rest of it."""
    rows = []
    for button in found:
        label = button.label.replace("\u2019", "'").casefold()
        rest = fold[len(label) :].strip() if fold.startswith(label + " ") else ""
        if rest and rest in button.beside.casefold():
            rows.append(button)
    # The same member beside two accounts: one reminder either way (the action id names the row).
    same = {(b.action.get("value"), str(b.action.get("action_id")).split(":")[0]) for b in rows}
    return rows[0] if len(same) == 1 else None


def _beside(button: render.Button, width: int = 40) -> str:
    """(beside @Ana Example: …)", for buttons that share a label, one per row."""
    if not button.beside:
        return ""
    text = button.beside if len(button.beside) <= width else button.beside[: width - 1] + "…"
    return f" (beside {text})"


def _doing(button: render.Button) -> str:
    """What pressing the button asks the app to do, wherever it sits."""
    doing = {key: value for key, value in button.action.items() if key not in ("block_id", "text")}
    return json.dumps([doing, button.url], sort_keys=True)


def numbered_buttons(found: Sequence[render.Button]) -> str:
    """One line per button; a label shared by several says which row each sits beside."""
    labels = [button.label for button in found]
    return "\n".join(
        f"{n:>3}  [ {button.label} ]" + (_beside(button) if labels.count(button.label) > 1 else "")
        for n, button in enumerate(found, 1)
    )


def answer(body: bytes) -> dict[str, Any]:
    """An acknowledgement's body: JSON, or plain text when the app acknowledged with text only."""
    return json.loads(body) if body.lstrip().startswith(b"{") else {"text": body.decode()}


def as_sent(surface: Surface) -> dict[str, Any]:
    """A view as Slack puts it in a payload: with its state, without the trigger."""
    view = {k: v for k, v in surface.content.items() if k != "trigger_id"}
    return {**view, "state": {"values": render.state_values(surface.blocks, surface.values)}}


class Screen:
    standin: SlackStandIn
    person: Person
    team_id: str  # the workspace the member acts in: every request is signed with it
    team: Team  # that workspace: its members; what the panes show is read from it
    teams: list[Team]  # every workspace the app is installed in
    place: Workspace | None  # the app's clock, nudges and mail, if served
    stdout: IO[str]
    color: bool
    surfaces: dict[str, Surface | None]
    want_home: bool
    seen_posts: int
    seen_calls: int
    seen_messages: dict[tuple[str, str, str], str]  # by workspace, channel and ts
    seen_views: dict[tuple[str, str], Any]  # by workspace and view id

    def start_looking(self) -> None:
        """What the stand-in held before the console started is not news."""
        standin, team = self.standin, self.team_id
        self.seen_posts, self.seen_calls = len(standin.response_url_posts()), len(standin.calls())
        messages = standin.messages(team_id=team)
        self.seen_messages = dict(_fingerprint(team, m) for m in messages)
        self.seen_views = {(team, v["id"]): v["hash"] for v in standin.opened_views(team_id=team)}

    def names(self) -> dict[str, str]:
        """Every member's name by user id, in every workspace (their ids differ)."""
        return {p.user_id: p.name for team in self.teams for p in team.people}

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
            if shown or count != calls or self.app_at_work():
                shown_any, calls, last_activity = shown_any or shown, count, now
            done = until() if until else (shown_any or not expect)
            quiet = now - last_activity >= (QUIET_SECONDS if done else WAIT_SECONDS)
            if quiet or now - start >= 5 * WAIT_SECONDS:  # a busy app still gets the prompt back
                return
            time.sleep(0.02)

    def app_at_work(self) -> bool:
        """Whether a lazy listener of the app is still running (its answer may be on the way)."""
        pool = self.place.listeners if self.place is not None else None
        return pool is not None and pool.busy

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
        # Only the workspace acted in is on screen; another's news shows on switching to it.
        team = self.team_id
        for message in self.standin.messages(team_id=team):
            key, content = _fingerprint(team, message)
            if self.seen_messages.get(key) != content:
                self.show_posted(message, "updated" if key in self.seen_messages else "new message")
                self.seen_messages[key], shown = content, True
        for view in self.standin.opened_views(team_id=team):
            if self.seen_views.get((team, view["id"])) != view["hash"]:
                self.seen_views[(team, view["id"])], shown = view["hash"], True
                under = self.surface
                if under is not None and under.content.get("id") == view["id"]:
                    under = under.under  # views.update of the open modal
                values = render.initial_values(view.get("blocks") or [])
                self.surfaces[self.person.user_id] = Surface("modal", view, values, under=under)
                self.show_modal(self.surfaces[self.person.user_id])
        shown = self.show_mail() or shown
        home = self.standin.published_view(self.person.user_id, team_id=team)
        if home is not None and self.seen_views.get((team, home["id"])) != home["hash"]:
            self.seen_views[(team, home["id"])] = home["hash"]
            if self.want_home or (self.surface is not None and self.surface.kind == "home"):
                self.want_home, shown = False, True
                self.say(render.render_home(self.as_read(home), app=APP_NAME, color=self.color))
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

    def buttons_on(self, surface: Surface) -> list[render.Button]:
        """The buttons of `surface`, each beside its row as the member reads it (names)."""
        return render.buttons(self.as_read({"blocks": surface.blocks})["blocks"])

    def as_read(self, content: dict[str, Any]) -> dict[str, Any]:
        """`content` as Slack shows it to the member at the keyboard: names, their time zone."""
        shown: dict[str, Any] = for_reader(content, self.names(), ZoneInfo(READER_ZONE))
        return shown

    def show_message(self, message: dict[str, Any], note: str, *, replacing: bool = True) -> None:
        shown = self.as_read(message)
        self.say(render.render_message(shown, sender=APP_NAME, note=note, color=self.color))
        self.look_at(Surface("message", message), replacing=replacing)

    def show_posted(self, message: dict[str, Any], note: str) -> None:
        """A message the app posted with chat.postMessage (or chat.postEphemeral)."""
        dms = {
            self.standin.dm_channel(p.user_id, team_id=self.team_id): p for p in self.team.people
        }
        owner = dms.get(message["channel"])
        where = f"{owner.name}'s DM" if owner else f"channel {message['channel']}"
        where = "your DM" if owner == self.person else where
        if message.get("ephemeral"):
            where += f", only visible to {self.names().get(str(message.get('user')), 'someone')}"
        note = f"{note} in {where}"
        shown = self.as_read(message)
        self.say(render.render_message(shown, sender=APP_NAME, note=note, color=self.color))
        same = self.surface is not None and self.surface.content.get("ts") == message["ts"]
        if owner == self.person or (owner is None and same):  # e.g. a case card, edited
            self.look_at(Surface("message", message), replacing=same)

    def show_modal(self, modal: Surface | None, *, hint: bool = True) -> None:
        if modal is not None:
            view, values, errors = self.as_read(modal.content), modal.values, modal.errors
            self.say(render.render_modal(view, values=values, errors=errors, color=self.color))
            if hint:
                self.say("choose <input> <option> · type <input> <text> · submit · cancel", "dim")


def _fingerprint(team: str, message: dict[str, Any]) -> tuple[tuple[str, str, str], str]:
    content = json.dumps([message.get("text"), message.get("blocks")], sort_keys=True)
    return (team, message["channel"], message["ts"]), content
