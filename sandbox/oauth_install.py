"""The sandbox's app runs in OAuth mode, as an app many workspaces install does: each stand-in
workspace installs it through the real pages (our Add to Slack page, the stand-in's authorize
page, our redirect), with its @sam allowing it, so @sam is the workspace's first security admin
and every call the bot makes for that workspace goes with the token that install issued.

The client id and secrets are made for each run: the stand-in forgets its apps when it stops.
"""

from __future__ import annotations

import dataclasses
import http.client
import re
import secrets
from html import unescape
from urllib.parse import urlsplit

from slack_sdk import WebClient

import wiring
from bot.core.config import Settings
from bot.services import Services
from bot.workspaces.settings_model import Proposal, WorkspaceSettings
from handlers.slack import installs
from sandbox.slack_standin import SlackStandIn
from storage.scope import serving

TIMEOUT_SECONDS = 10


class InstallFailed(RuntimeError):
    """The install pages did not end on "installed": what the browser was shown instead."""


def oauth_settings(settings: Settings, standin: SlackStandIn) -> Settings:
    """`settings` in OAuth mode against the stand-in, with credentials made for this run (the
    stand-in knows them as its app's), and no bot token: every token comes from an install."""
    client_id = f"{secrets.randbelow(10**10):010d}.{secrets.randbelow(10**10):010d}"
    client_secret, state_secret = secrets.token_hex(16), secrets.token_urlsafe(32)
    standin.oauth_app(client_id, client_secret)
    return dataclasses.replace(
        settings,
        slack_bot_token=None,
        slack_client_id=client_id,
        slack_client_secret=client_secret,
        slack_state_secret=state_secret,
    )


def install(origin: str, standin: SlackStandIn, team_id: str, installer: str) -> str:
    """Add to Slack as a browser does it, `installer` of `team_id` allowing on Slack's page; the
    page it ends on (its text), or InstallFailed."""
    landing = _get(origin, installs.INSTALL_PATH)
    link = re.search(r'href="([^"]+)"', landing.text)
    cookie = landing.cookie
    if landing.status != 200 or link is None or cookie is None:
        raise InstallFailed(f"the Add to Slack page answered {landing.status}")
    slack = urlsplit(unescape(link.group(1)))
    standin.installer = (team_id, installer)  # who allows on the stand-in's authorize page
    allowed = _get(f"{slack.scheme}://{slack.netloc}", f"{slack.path}?{slack.query}")
    back = urlsplit(allowed.location or "")
    if allowed.status != 302 or back.path != installs.REDIRECT_PATH:
        raise InstallFailed(f"Slack's authorize page answered {allowed.status}: {allowed.text}")
    done = _get(origin, f"{back.path}?{back.query}", cookie=cookie)
    if done.status != 200 or "is installed in" not in done.text:
        raise InstallFailed(f"the install ended with {done.status}: {_words(done.text)}")
    return _words(done.text)


def configure(services: Services, team_id: str, admin: str, channels: tuple[str, str]) -> None:
    """The workspace's case channels, set by its security admin as the settings modal would (and
    audited); left alone if it has its own already, or `admin` is no longer one of its admins."""
    escalation, support = channels
    book = services.workspace_settings
    with serving(team_id):
        current = book.current()
        if current.chosen.escalation_channel or admin not in current.admins:
            return
        book.change(admin, _proposal(current, escalation, support))


def _proposal(current: WorkspaceSettings, escalation: str, support: str) -> Proposal:
    """What the settings modal submits when only the two channels are picked: every other field
    shows the value in force, and is sent back unchanged."""

    def clock(name: str) -> str | None:
        found = current.value(name)
        return None if found is None else found.strftime("%H:%M")

    cap, zone = current.value("reminder_cap"), current.value("default_time_zone")
    return Proposal(
        security_admins=current.admins,
        escalation_channel=escalation,
        support_channel=support,
        support_contact=current.value("support_contact") or "",
        support_handlers=current.value("support_handlers") or frozenset(),
        reminder_cap="" if cap is None else str(cap),
        working_hours_start=clock("working_hours_start"),
        working_hours_end=clock("working_hours_end"),
        working_days=current.value("working_days") or frozenset(),
        default_time_zone=zone or "",
    )


def workspace_client(settings: Settings, services: Services, team_id: str) -> WebClient:
    """A client with the token `team_id` installed the app with (SLACK_BOT_TOKEN's, if set)."""
    if not settings.oauth_mode:
        return wiring.build_client(settings)
    tokens = installs.installed_tokens(settings, services, wiring.build_client(settings))
    with serving(team_id):
        return wiring.build_client(settings, tokens())


@dataclasses.dataclass(frozen=True)
class _Answer:
    status: int
    text: str
    location: str | None
    cookie: str | None  # the state cookie's name=value, which the redirect must bring back


def _get(origin: str, path: str, *, cookie: str | None = None) -> _Answer:
    """A browser's GET, not following redirects. The state cookie is `Secure`, which a browser
    would not send back over the sandbox's plain HTTP; it is handed back by hand here."""
    parts = urlsplit(origin)
    connection = http.client.HTTPConnection(
        parts.hostname or "", parts.port, timeout=TIMEOUT_SECONDS
    )
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        set_cookie = response.getheader("Set-Cookie")
        kept = set_cookie.split(";")[0] if set_cookie else None
        return _Answer(response.status, text, response.getheader("Location"), kept)
    finally:
        connection.close()


def _words(html: str) -> str:
    """A page's text, tags dropped: enough to say what it said."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html.split("<body", 1)[-1])).split())
