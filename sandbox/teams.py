"""The sandbox's workspaces: the stand-in's own, and more added with `install [name]`.

Each is a workspace of its own in the stand-in (its team id, bot token and members, the demo
people under user ids of its own, with the same emails: two workspaces, two members each), and
the app is installed in it through the OAuth pages by its @sam (sandbox/oauth_install.py), then
the demo directory is imported into it while serving its team, so its rows are its own.
`workspace <name | team id>` switches which one the simulated member acts in.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from sandbox.slack_standin import SlackStandIn
from sandbox.workspace import ADMIN, PEOPLE, Person, Workspace, install_and_seed

FIRST_NAME = "Sandbox"
SECOND_NAME = "Second"


@dataclass(frozen=True)
class Team:
    team_id: str
    name: str
    people: tuple[Person, ...]

    def __str__(self) -> str:
        return f"{self.name} ({self.team_id})"


def first_team(standin: SlackStandIn) -> Team:
    return Team(standin.team_id, FIRST_NAME, PEOPLE)


def pick_team(wanted: str, teams: list[Team]) -> Team | str:
    """A workspace by its name (a prefix is enough) or its team id."""
    key = wanted.strip().lower()
    exact = [t for t in teams if key in (t.name.lower(), t.team_id.lower())]
    found = exact or [t for t in teams if key and t.name.lower().startswith(key)]
    if len(found) == 1:
        return found[0]
    names = ", ".join(str(t) for t in teams)
    return f'No single workspace "{wanted.strip()}". The workspaces: {names}.'


def install(place: Workspace, name: str, teams: list[Team]) -> Team | str:
    """Another workspace in the stand-in, with the demo people and directory of its own: the app
    is installed there through its pages by the workspace's @sam, its first security admin."""
    name = name.strip() or SECOND_NAME
    if any(t.name.lower() == name.lower() for t in teams):
        return f"{name} is installed already: workspace {name} switches to it."
    letters = re.sub(r"[^A-Z0-9]", "", name.upper())[:8]
    if not letters:
        return "A workspace's name needs a letter or a digit."
    team_id, number = f"T{len(teams)}{letters}", len(teams)
    people = tuple(
        dataclasses.replace(p, user_id=f"U{number}{p.user_id.removeprefix('U0')}") for p in PEOPLE
    )
    standin = place.standin
    standin.add_workspace(team_id, name=name)  # its token comes from the install
    for person in people:
        standin.add_user(person.user_id, email=person.email, real_name=person.name, team_id=team_id)
    admin = next(p for p in people if p.user_id.endswith(ADMIN.removeprefix("U0")))
    install_and_seed(place.base_url, standin, place.services, team_id, admin.user_id)
    team = Team(team_id, name, people)
    teams.append(team)
    return team
