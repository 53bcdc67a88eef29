"""`/security <subcommand> <arguments>`: the record each subcommand is in handlers/slack/commands.py's
table, and the command line, read once per request into Bolt's context, where every listener of
the command (and its follow-up, on a copy of the context) finds it."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt import BoltContext, BoltRequest, BoltResponse, Respond
from slack_bolt.middleware import Middleware
from slack_sdk import WebClient

from bot.services import Services

_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
COMMAND_LINE = "command_line"  # the key in Bolt's context, and so the listeners' argument name
Message = dict[str, Any]  # an ephemeral message's text and blocks


@dataclass(frozen=True)
class Call:
    """One `/security` request as the table's callables see it."""

    line: CommandLine
    services: Services
    client: WebClient
    respond: Respond
    context: BoltContext  # what an answer hands its follow-up, e.g. the case it opened

    @property
    def viewer(self) -> str:
        return self.line.viewer

    @property
    def arguments(self) -> tuple[str, ...]:
        return self.line.arguments


Rule = Callable[[Call], None]  # raises a DomainError (audited by the service) for a refused viewer


def anyone(call: Call) -> None:
    """Every member may run it."""


def by_the_service(call: Call) -> None:
    """The service decides, against the target (someone else's checklist, a case's account, a
    reminder exclusion), and audits a refusal: nothing to check before it is asked."""


@dataclass(frozen=True)
class Subcommand:
    """One row of the table: everything `/security <name>` is, in one place."""

    name: str  # one word, or two for a subcommand of its own ("2sv reset", "case open")
    help: tuple[str, ...]  # its lines in `/security help` (marked N_, shown with _())
    takes: Callable[[tuple[str, ...]], bool]  # the arguments it accepts; others are not it
    answer: Callable[[Call], Message | None]  # the acknowledgement's message (None: an empty ack)
    who: Rule = anyone
    follow_up: Callable[[Call], None] | None = None  # after the acknowledgement (a lazy listener)

    def __deepcopy__(self, memo: dict[int, object]) -> Subcommand:
        """Shared, not copied: Bolt deep-copies its context for lazy listeners."""
        return self


def no_arguments(arguments: tuple[str, ...]) -> bool:
    return not arguments


def any_arguments(arguments: tuple[str, ...]) -> bool:
    return True


@dataclass(frozen=True)
class CommandLine:
    """What was typed, who typed it, and the subcommand it names (None: not one we know)."""

    viewer: str
    text: str
    trigger_id: str
    subcommand: Subcommand | None
    arguments: tuple[str, ...]

    def __deepcopy__(self, memo: dict[int, object]) -> CommandLine:
        return self  # immutable all through


def read(command: Mapping[str, Any], table: Mapping[str, Subcommand], default: str) -> CommandLine:
    """The subcommand with the longest name (two words, then one) that takes the words after it;
    no words at all mean `default`."""
    text: str = command.get("text", "")
    words = tuple(text.split()) or (default,)
    found: Subcommand | None = None
    arguments = words[1:]
    for size in (2, 1) if len(words) > 1 else (1,):
        candidate = table.get(" ".join(words[:size]).lower())
        if candidate is not None and candidate.takes(words[size:]):
            found, arguments = candidate, words[size:]
            break
    return CommandLine(command["user_id"], text, command.get("trigger_id", ""), found, arguments)


def mentioned(word: str) -> str | None:
    """The user id of a mention as Slack escapes it (`<@U123|name>`), or None."""
    match = _MENTION.match(word)
    return None if match is None else match.group(1)


class ServedHere(Middleware):
    """The gate of one `/security` listener: reads the command line into the context (once per
    request: the first listener tried reads it, the next finds it) and lets the request through
    when this listener serves that subcommand, the one with follow-ups or the one without. A
    Middleware class, not a matcher function: it costs no argument-injection pass."""

    def __init__(self, table: Mapping[str, Subcommand], *, default: str, follow_up: bool) -> None:
        self._table = table
        self._default = default
        self._follow_up = follow_up

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        line: CommandLine | None = req.context.get(COMMAND_LINE)
        if line is None:
            line = read(req.body, self._table, self._default)
            req.context[COMMAND_LINE] = line
        subcommand = line.subcommand
        if (subcommand is not None and subcommand.follow_up is not None) == self._follow_up:
            return next()
        return None  # not this listener's: Bolt tries the next one
