"""Many workspaces over real HTTP: two install the bot through its OAuth pages, each is served
with its own token, one uninstalls (its tokens go at once), the other keeps working."""

from __future__ import annotations

import http.client
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

import app
import wiring
from bot.core.clock import SystemClock
from bot.core.config import load_settings
from bot.nudges.sender import DeliveryFailed
from bot.workspaces.scope import serving
from handlers.outbound.slack_messenger import SlackMessenger
from sandbox import payloads
from sandbox.slack_standin import Call, SlackStandIn
from storage.database import Database
from storage.models import AuditRecord, Member
from storage.scope import every_workspace
from storage.workspace_models import Workspace, slack_bots, slack_installations, slack_oauth_states
from tests.e2e.conftest import AppStarter, RunningApp, bot_environment

pytestmark = pytest.mark.e2e

CLIENT_ID = "1111111111.2222222222"
CLIENT_SECRET = "0123456789abcdef0123456789abcdef"


@dataclass(frozen=True)
class Page:
    status: int
    headers: dict[str, str]
    text: str


def get(origin: str, path: str, headers: Mapping[str, str] | None = None) -> Page:
    """A browser's GET (no redirect followed), with the headers of the answer."""
    parts = urlsplit(origin)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        connection.request("GET", path, headers=dict(headers or {}))
        response = connection.getresponse()
        body = response.read().decode()
        return Page(response.status, {k.lower(): v for k, v in response.getheaders()}, body)
    finally:
        connection.close()


def install(app: RunningApp, team_id: str, installer: str) -> Page:
    """Add to Slack, as a browser does it: our page, Slack's authorize page (the stand-in's, where
    `installer` allows at once), then back to our redirect with the state cookie."""
    landing = get(app.url, "/slack/install")
    assert landing.status == 200, landing.text
    cookie = landing.headers["set-cookie"].split(";")[0]
    authorize_url = unescape(re.search(r'href="([^"]+)"', landing.text)[1])  # type: ignore[index]
    slack = urlsplit(authorize_url)
    assert parse_qs(slack.query)["scope"][0].split(",")[:2] == ["commands", "chat:write"]
    app.standin.installer = (team_id, installer)
    allowed = get(f"{slack.scheme}://{slack.netloc}", f"{slack.path}?{slack.query}")
    assert allowed.status == 302, allowed.text
    back = urlsplit(allowed.headers["location"])
    assert back.path == "/slack/oauth_redirect"
    return get(app.url, f"{back.path}?{back.query}", {"Cookie": cookie})


def status(app: RunningApp, team_id: str, user_id: str) -> tuple[int, str]:
    command = payloads.slash_command(
        user_id, "status", response_url=app.standin.response_url(), team_id=team_id
    )
    answer = app.send(command)
    return answer.status, answer.text


@pytest.fixture
def oauth_environment(standin: SlackStandIn, database_url: str) -> dict[str, str]:
    for team_id, name in (("T0ALPHA", "Alpha Agency"), ("T0BRAVO", "Bravo Bikes")):
        standin.add_workspace(team_id, name=name)
    standin.add_user("U0ANA", email="ana@alpha.example", real_name="Ana", team_id="T0ALPHA")
    standin.add_user("U0BEN", email="ben@bravo.example", real_name="Ben", team_id="T0BRAVO")
    return bot_environment(
        SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET=CLIENT_SECRET,
        SLACK_STATE_SECRET="state-" + uuid.uuid4().hex,
        SLACK_SIGNING_SECRET="e2e-" + uuid.uuid4().hex,
        SLACK_API_URL=standin.base_url,
        DATABASE_URL=database_url,
        SECURITY_BOT_KEYS=Fernet.generate_key().decode(),
    )


@pytest.fixture
def oauth_app(
    start_app: AppStarter, oauth_environment: dict[str, str], database: Database
) -> RunningApp:
    return start_app(oauth_environment, database)


def remind(messenger: SlackMessenger, workspace: str, member: str) -> None:
    """What a reminder job does for one member, serving their workspace."""
    with serving(workspace):
        messenger.post(member, {"text": "Your security checklist has 1 gap."})


def profiles_of(members: set[str], standin: SlackStandIn) -> list[Call] | None:
    """The users.info calls once each of `members` had their profile read."""
    calls = standin.calls("users.info")
    return calls if {call.args["user"] for call in calls} >= members else None


def auth_tests(standin: SlackStandIn, team_id: str) -> int:
    return len([call for call in standin.calls("auth.test") if call.team == team_id])


def test_two_workspaces_install_work_side_by_side_and_one_uninstalls(
    oauth_app: RunningApp,
    oauth_environment: dict[str, str],
    standin: SlackStandIn,
    database: Database,
) -> None:
    standin.oauth_app(CLIENT_ID, CLIENT_SECRET)

    alpha = install(oauth_app, "T0ALPHA", "U0ANA")
    bravo = install(oauth_app, "T0BRAVO", "U0BEN")

    assert alpha.status == 200 and "Account Security is installed in Alpha Agency." in alpha.text
    assert "installed in Bravo Bikes." in bravo.text
    with every_workspace(), database.sessions() as session:
        workspaces = session.scalars(select(Workspace).order_by(Workspace.workspace_id)).all()
        tokens = session.execute(select(slack_bots.c.team_id, slack_bots.c.bot_token)).all()
        states = session.execute(select(slack_oauth_states.c.state)).all()
    assert [(w.workspace_id, w.name, w.installer_user_id) for w in workspaces] == [
        ("T0ALPHA", "Alpha Agency", "U0ANA"),
        ("T0BRAVO", "Bravo Bikes", "U0BEN"),
    ]
    assert sorted(team for team, _ in tokens) == ["T0ALPHA", "T0BRAVO"]
    assert not any("xox" in token for _, token in tokens)  # sealed at rest
    assert states == []  # each state was used once and deleted

    # Each workspace is answered, with its own token; auth.test once per token, then cached.
    assert status(oauth_app, "T0ALPHA", "U0ANA")[0] == 200
    first = auth_tests(standin, "T0ALPHA")
    for _ in range(3):
        code, text = status(oauth_app, "T0ALPHA", "U0ANA")
        assert code == 200 and '"response_type": "ephemeral"' in text
    assert auth_tests(standin, "T0ALPHA") == first
    code, text = status(oauth_app, "T0BRAVO", "U0BEN")
    assert code == 200 and '"response_type": "ephemeral"' in text
    # First contact reads each member's profile after the answer, with their workspace's token.
    profile_reads = standin.wait_for(lambda: profiles_of({"U0ANA", "U0BEN"}, standin))
    assert {call.args["user"]: call.team for call in profile_reads} == {
        "U0ANA": "T0ALPHA",
        "U0BEN": "T0BRAVO",
    }

    # The reminders' messenger sends with the token of the workspace it serves.
    settings = load_settings(oauth_environment, mode="tool")
    messenger = wiring.build_messenger(settings, wiring.build(settings, SystemClock(), database))
    remind(messenger, "T0ALPHA", "U0ANA")
    remind(messenger, "T0BRAVO", "U0BEN")
    posts = [(call.args["channel"], call.team) for call in standin.calls("chat.postMessage")]
    assert posts == [("U0ANA", "T0ALPHA"), ("U0BEN", "T0BRAVO")]
    assert len(standin.messages("U0BEN", team_id="T0BRAVO")) == 1

    # Alpha removes the app (Slack revokes its tokens and tells the app): its tokens are gone
    # from the database before the event is acknowledged.
    standin.uninstall("T0ALPHA")
    gone = payloads.event({"type": "app_uninstalled"}, team_id="T0ALPHA")
    assert oauth_app.send(gone).status == 200
    with every_workspace(), database.sessions() as session:
        left = session.scalars(select(slack_bots.c.team_id)).all()
        alpha_row = session.get(Workspace, "T0ALPHA")
        actions = session.scalars(select(AuditRecord.action).order_by(AuditRecord.id)).all()
    assert left == ["T0BRAVO"]
    assert alpha_row is not None and alpha_row.uninstalled_at is not None
    assert actions.count("workspace.installed") == 2 and "workspace.uninstalled" in actions
    assert actions.count("workspace.settings.first_admin") == 2  # each installer, its first admin

    code, text = status(oauth_app, "T0ALPHA", "U0ANA")
    assert (code, text) == (200, "")  # not authorised: told through the response_url
    assert "not installed in this workspace" in standin.response_url_posts()[-1]["text"]
    code, text = status(oauth_app, "T0BRAVO", "U0BEN")
    assert code == 200 and '"response_type": "ephemeral"' in text
    assert [line for line in oauth_app.logged_errors() if "AuthorizeResult" not in line] == []
    with pytest.raises(DeliveryFailed) as refused:
        remind(messenger, "T0ALPHA", "U0ANA")
    assert refused.value.code in ("invalid_auth", "not_installed")  # Slack's answer, or ours
    remind(messenger, "T0BRAVO", "U0BEN")
    assert len(standin.messages("U0BEN", team_id="T0BRAVO")) == 2


def test_a_cancelled_install_shows_why_and_installs_nothing(
    oauth_app: RunningApp, database: Database
) -> None:
    cancelled = get(oauth_app.url, "/slack/oauth_redirect?error=access_denied&state=x")
    forged = get(oauth_app.url, "/slack/oauth_redirect?code=c&state=never-issued")

    assert cancelled.status == 200 and "You cancelled the install" in cancelled.text
    assert forged.status == 400 and "started in another browser" in forged.text
    with every_workspace(), database.sessions() as session:
        assert session.scalars(select(Workspace)).all() == []


def test_an_expiring_token_is_refreshed_before_use(
    oauth_app: RunningApp, standin: SlackStandIn, database: Database
) -> None:
    standin.oauth_app(CLIENT_ID, CLIENT_SECRET, rotating=True, lifetime=3600)  # < 2 hours
    assert "installed in Alpha Agency" in install(oauth_app, "T0ALPHA", "U0ANA").text

    answers = [status(oauth_app, "T0ALPHA", "U0ANA") for _ in range(2)]

    assert all(code == 200 and '"response_type": "ephemeral"' in text for code, text in answers)
    grants = [call.args.get("grant_type") for call in standin.calls("oauth.v2.access")]
    assert grants == [None, "refresh_token"]  # the install, then one refresh before first use
    with every_workspace(), database.sessions() as session:
        expiries = session.scalars(select(slack_bots.c.bot_token_expires_at)).all()
    assert len(expiries) == 1 and expiries[0] > datetime.now(UTC).replace(tzinfo=None) + timedelta(
        hours=11
    )  # the refreshed token (12 hours) was saved, so the second request did not refresh


def test_a_revoked_bot_token_is_deleted_at_once_and_the_workspace_marked(
    oauth_app: RunningApp, standin: SlackStandIn, database: Database
) -> None:
    standin.oauth_app(CLIENT_ID, CLIENT_SECRET)
    for team_id, installer in (("T0ALPHA", "U0ANA"), ("T0BRAVO", "U0BEN")):
        assert "installed in" in install(oauth_app, team_id, installer).text

    standin.uninstall("T0BRAVO")  # Slack revoked Bravo's bot token, then says so
    revoked = payloads.event(
        {"type": "tokens_revoked", "tokens": {"bot": ["U0BOT"]}}, team_id="T0BRAVO"
    )
    assert oauth_app.send(revoked).status == 200

    with every_workspace(), database.sessions() as session:
        bots = session.scalars(select(slack_bots.c.team_id)).all()
        installs = session.scalars(select(slack_installations.c.team_id)).all()
        bravo = session.get(Workspace, "T0BRAVO")
        actions = session.scalars(select(AuditRecord.action)).all()
    assert bots == ["T0ALPHA"] and installs == ["T0ALPHA"]  # both copies of Bravo's token gone
    assert bravo is not None and bravo.uninstalled_at is not None
    assert actions.count("workspace.uninstalled") == 1
    code, text = status(oauth_app, "T0ALPHA", "U0ANA")
    assert code == 200 and '"response_type": "ephemeral"' in text  # Alpha keeps working


def test_import_accounts_acts_in_the_one_installed_workspace_with_its_token(
    oauth_app: RunningApp,
    oauth_environment: dict[str, str],
    standin: SlackStandIn,
    database: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    standin.oauth_app(CLIENT_ID, CLIENT_SECRET)
    assert "installed in Alpha Agency" in install(oauth_app, "T0ALPHA", "U0ANA").text
    directory = tmp_path / "accounts.csv"
    directory.write_text(
        "account_id,account_name,platform,managed,account_manager_email,member_emails\n"
        "7012345,Acme Shoes Ads,tiktok_business,false,,ana@alpha.example\n",
        encoding="utf-8",
    )
    for name, value in oauth_environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)

    assert app.main(["import", "accounts", str(directory)]) == 0, capsys.readouterr()

    [listed] = standin.calls("users.list")
    assert listed.team == "T0ALPHA"  # with Alpha's own token: no SLACK_BOT_TOKEN in OAuth mode
    with every_workspace(), database.sessions() as session:
        owners = session.scalars(select(Member.workspace_id).where(Member.email.is_not(None)))
        assert set(owners) == {"T0ALPHA"}
