"""The sandbox's workspace: its demo people, the database (migrated, then seeded from the demo
directory through the real importer) and the real app, served on loopback against the stand-in.

The console talks to what `running` yields; everything here is set up before the first prompt and
taken down after the last.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import logging
import re
import secrets
import shlex
import socket
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from slack_sdk import WebClient
from waitress import wasyncore
from waitress.server import create_server

import wiring
from bot.core.clock import Clock, ShiftedClock
from bot.core.config import Settings
from bot.core.words import plural
from bot.directory.service import DirectoryImport, ImportReport
from bot.recovery.mail import OutboxMailer, mailer_for
from bot.services import Services
from cli.nudges import sweep_and_deliver
from handlers.outbound.slack_directory import SlackWorkspaceUsers
from handlers.slack.profiles import profile_from_slack
from handlers.web import alerts_api, posture_api
from handlers.web.front import MAX_BODY_BYTES, SLACK_PATH
from sandbox import oauth_install, posture_sender
from sandbox.kept import SecretKeys, clock_file, kept_offset, secret_keys
from sandbox.listener_pool import ListenerPool
from sandbox.outbox_watch import OutboxWatch
from sandbox.slack_standin import SlackStandIn
from storage.database import Database, connect, upgrade
from storage.scope import serving

DIRECTORY = Path(__file__).with_name("demo_directory.csv")
ADMIN = "U0SAM"
# Where compromise cases are worked, unless ESCALATION_CHANNEL / SUPPORT_CHANNEL say otherwise.
ESCALATION, SUPPORT = "C0ESCALATE", "C0SUPPORT"
ALERT_ACCOUNT = ("7012345", "Acme Shoes Ads")  # in the demo directory: @ana's, managed by @dana
_MENTION = re.compile(r"(?<![<\w])@([a-z]+)\b")


@dataclass(frozen=True)
class Person:
    short: str
    user_id: str
    name: str
    role: str = ""

    @property
    def email(self) -> str:
        return f"{self.short}@example.com"

    def __str__(self) -> str:
        return f"@{self.short} ({self.name}{', ' + self.role if self.role else ''})"


PEOPLE = (
    Person("ana", "U0ANA", "Ana Example"),
    Person("raj", "U0RAJ", "Raj Example"),
    Person("dana", "U0DANA", "Dana Example", "account manager"),
    Person("sam", ADMIN, "Sam Admin", "security admin"),
)


@dataclass(frozen=True)
class PlatformAlerts:
    """Where the platform's signed alerts reach the sandbox's app, and how to send one by hand."""

    url: str
    secret: str  # ALERTS_SIGNING_SECRET, or one made for this run
    secret_given: bool
    team_id: str  # the first workspace's: a document names it once the app serves several

    def snippet(self) -> list[str]:
        """Shell lines (bash or zsh) sending a signed compromised-password alert about @ana's
        account. The id, the times and the signature are worked out when the lines run, so they
        work whenever they are pasted, as often as wanted."""
        fields = {
            "kind": "compromised_password",
            "account_id": ALERT_ACCOUNT[0],
            "member_email": PEOPLE[0].email,
        }
        alert = json.dumps(fields, separators=(",", ":"))[1:-1]
        team = json.dumps({"team_id": self.team_id}, separators=(",", ":"))[1:-1]
        return [
            # a secret from the environment may be a real one: it is never printed
            'SECRET="$ALERTS_SIGNING_SECRET"'
            if self.secret_given
            else f"SECRET={shlex.quote(self.secret)}",
            f"URL={self.url}",
            "TS=$(date +%s) NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)",
            f"ALERT={shlex.quote(team + ',')}",
            f"ALERT+={shlex.quote(alert)}",  # bash and zsh both append
            r'BODY="{\"id\":\"sandbox-$TS-$RANDOM\",$ALERT,'
            r'\"detected_at\":\"$NOW\",\"detail\":\"Sandbox demo\"}"',
            'SIG=$(printf \'v0:%s:%s\' "$TS" "$BODY" | openssl dgst -sha256 -hmac "$SECRET" -r'
            " | cut -c1-64)",
            "curl -sS -w ' %{http_code}\\n' \"$URL\" -H 'Content-Type: application/json' \\",
            '  -H "X-Alert-Timestamp: $TS" -H "X-Alert-Signature: v0=$SIG" --data-binary "$BODY"',
        ]


@dataclass(frozen=True)
class Workspace:
    standin: SlackStandIn
    slack_url: str  # where the app takes the requests Slack would send
    signing_secret: str
    report: ImportReport
    keys: SecretKeys
    clock: ShiftedClock  # the app's clock: `time +2d` in the console moves it
    services: Services
    base_url: str  # the app's own address: its pages, Slack's requests, the platform's alerts
    alerts: PlatformAlerts
    mail_where: str = ""  # where the app's mail goes: the outbox folder, or SMTP_URL's server
    clock_file: Path | None = None  # where a SQLite sandbox keeps its clock's move
    outbox: OutboxWatch | None = None  # None when SMTP_URL is set
    listeners: ListenerPool | None = None  # the app's lazy listeners, while they still work

    def move_clock(self, moment: datetime) -> None:
        """Move the app's clock to `moment`; a SQLite sandbox keeps the move for its next start,
        since what the app stored meanwhile is dated by the moved clock."""
        self.clock.set(moment)
        if self.clock_file is not None:
            offset = (moment - datetime.now(UTC)).total_seconds()
            self.clock_file.write_text(f"{offset:.3f}\n", encoding="ascii")

    def clock_note(self) -> str | None:
        """What the banner says about a clock moved in an earlier session, if it was."""
        ahead = self.clock.now() - datetime.now(UTC)
        if abs(ahead) < timedelta(minutes=1):
            return None
        hours = round(ahead / timedelta(hours=1))
        far = plural(hours // 24, "day") + " " if hours >= 24 else ""
        far += plural(hours % 24 if hours >= 24 else hours, "hour")
        return (
            f"The app's clock is {far} ahead, moved with `time` in an earlier session and "
            f"kept with the database ({self.clock.now():%a %d %b %Y %H:%M} UTC). "
            "`reset` starts a clean sandbox with the clock back at now."
        )

    def refresh_profile(self, user_id: str, team_id: str) -> str:
        """Read the member's Slack profile again (as the bot does once it is a week old); the
        language the bot now writes to them in."""
        client = oauth_install.workspace_client(self.services.settings, self.services, team_id)
        with serving(team_id):
            answer = client.users_info(user=user_id, include_locale=True)
            self.services.members.remember_profile(profile_from_slack(answer["user"]))
            self.services.languages.forget(user_id)
            return self.services.languages.of(user_id)

    def new_mail(self) -> list[tuple[Path, str]]:
        return [] if self.outbox is None else self.outbox.new_mail()

    def post_posture(self, member_email: str, typed: str, team_id: str) -> str:
        """A posture report about one of the demo accounts, as `posture ...` in the console; it
        names the workspace of the account, as the platform does once the app serves several."""
        accounts = [(id_, name) for id_, name, emails in _demo_rows() if member_email in emails]
        report = posture_sender.document(typed, accounts, member_email, self.clock.now())
        if isinstance(report, str):
            return report
        report["team_id"] = team_id
        url = self.base_url + posture_api.PATH
        return posture_sender.send(url, self.alerts.secret, report, self.clock.now())

    def introduction(self) -> list[tuple[str, str | None]]:
        """What the banner says about the workspace, line by line, each with its style."""
        others = ", ".join(str(p) for p in PEOPLE[1:])
        lines: list[tuple[str, str | None]] = [(f"You are {PEOPLE[0]}. Also here: {others}.", None)]
        lines += [(line, "warning") for line in ([] if self.report.ok else self.report.lines())]
        lines.append((f"Business accounts in the demo directory ({DIRECTORY.name}):", None))
        lines += [(f"  • {account}", None) for account in _demo_accounts()]
        lines.append((self.keys.note, "dim" if self.keys.lasting else "warning"))
        if self.outbox is not None:
            lines.append(
                (
                    f"SMTP_URL is not set: mail (recovery-email codes) is written to the "
                    f"{self.mail_where}, and shown here as it arrives.",
                    None,
                )
            )
        else:
            lines.append((f"Mail (recovery-email codes) goes to the {self.mail_where}.", None))
        secret = (
            "ALERTS_SIGNING_SECRET" if self.alerts.secret_given else "a secret made for this run"
        )
        account, name = ALERT_ACCOUNT
        lines.append(
            (
                f"The app is at {self.base_url}; platform alerts go to {alerts_api.PATH}, signed "
                f"with {secret} (SECRET below). To send @{PEOPLE[0].short} a "
                f"compromised-password alert about {name} ({account}), paste this into another "
                "terminal (bash or zsh), then type wait here:",
                None,
            )
        )
        return lines

    def nudge(self, *, dry_run: bool) -> str:
        """One nudge sweep at the workspace's time, delivered to the stand-in; what it did."""
        messenger = (
            None if dry_run else wiring.build_messenger(self.services.settings, self.services)
        )
        out = io.StringIO()
        sweep_and_deliver(self.services, messenger, dry_run=dry_run, out=out)
        return out.getvalue()


def escape_mentions(text: str, people: tuple[Person, ...] = PEOPLE) -> str:
    """@ana as Slack sends it when the command escapes mentions: <@U0ANA|ana>."""

    def escaped(match: re.Match[str]) -> str:
        person = next((p for p in people if p.short == match.group(1).lower()), None)
        return f"<@{person.user_id}|{person.short}>" if person else match.group(0)

    return _MENTION.sub(escaped, text)


@contextmanager
def running(settings: Settings, database_url: str) -> Iterator[Workspace]:
    """The stand-in with the demo people, the seeded database and the app, until the block ends."""
    with ExitStack() as stack:
        standin = stack.enter_context(SlackStandIn())
        for person in PEOPLE:
            standin.add_user(person.user_id, email=person.email, real_name=person.name)
        # The port is chosen first so one-time links in the app's messages open its own pages.
        listener = stack.enter_context(socket.socket())
        listener.bind(("127.0.0.1", 0))
        origin = f"http://127.0.0.1:{listener.getsockname()[1]}"
        database = stack.enter_context(_migrated(database_url))
        keys = secret_keys(settings, database_url)
        signing_secret = secrets.token_hex(16)
        alerts = PlatformAlerts(
            origin + alerts_api.PATH,
            settings.alerts_signing_secret or secrets.token_hex(16),
            secret_given=bool(settings.alerts_signing_secret),
            team_id=standin.team_id,
        )
        app_settings = dataclasses.replace(
            oauth_install.oauth_settings(settings, standin),  # installed below, by @sam
            database_url=database_url,
            slack_signing_secret=signing_secret,
            alerts_signing_secret=alerts.secret,
            slack_api_url=standin.base_url,
            public_base_url=origin,
            security_bot_keys=keys.keys,
            escalation_channel=settings.escalation_channel or ESCALATION,
            support_channel=settings.support_channel or SUPPORT,
        )
        clock, kept = ShiftedClock(), clock_file(database_url)
        clock.advance(kept_offset(kept))
        # The stand-in's own workspace is served while seeding and at the console's prompt
        stack.enter_context(serving(standin.team_id))  # (commands switch it: Console.onecmd)
        services = wiring.build(app_settings, clock, database)
        listeners = ListenerPool(app_settings.request_threads)
        stack.enter_context(_serving(app_settings, services, listener, listeners))
        report = install_and_seed(origin, standin, services, standin.team_id, ADMIN)
        slack_url = origin + SLACK_PATH
        mailer = mailer_for(app_settings)
        outbox = OutboxWatch(mailer.folder) if isinstance(mailer, OutboxMailer) else None
        yield Workspace(
            standin,
            slack_url,
            signing_secret,
            report,
            keys,
            clock,
            services,
            origin,
            alerts,
            mail_where=mailer.where,
            outbox=outbox,
            clock_file=kept,
            listeners=listeners,
        )


def _demo_accounts() -> list[str]:
    """The demo directory's business accounts, one line each, people by their @handle."""
    handles = {p.email: f"@{p.short}" for p in PEOPLE}
    lines = []
    with DIRECTORY.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            manager = handles.get(row["account_manager_email"], "no one")
            managed = f"managed by {manager}" if row["managed"] == "true" else "not managed"
            members = ", ".join(handles.get(e, e) for e in row["member_emails"].split(";"))
            lines.append(f"{row['account_name']} ({managed}): {members}")
    return lines


def _demo_rows() -> list[tuple[str, str, tuple[str, ...]]]:
    """The demo directory's business accounts: id, name and member emails."""
    with DIRECTORY.open(encoding="utf-8", newline="") as file:
        return [
            (row["account_id"], row["account_name"], tuple(row["member_emails"].split(";")))
            for row in csv.DictReader(file)
        ]


@contextmanager
def _migrated(database_url: str) -> Iterator[Database]:
    alembic = logging.getLogger("alembic")  # its INFO lines are noise in a console
    level = alembic.level
    alembic.setLevel(logging.WARNING)
    try:
        upgrade(database_url)
    finally:
        alembic.setLevel(level)
    database = connect(database_url)
    try:
        yield database
    finally:
        database.dispose()


def install_and_seed(
    origin: str, standin: SlackStandIn, services: Services, team_id: str, admin: str
) -> ImportReport:
    """The app installed in `team_id` through its pages, `admin` allowing it (so its first
    security admin), who then sets where its cases go; then the demo directory imported there."""
    oauth_install.install(origin, standin, team_id, admin)
    settings = services.settings
    channels = (settings.escalation_channel or ESCALATION, settings.support_channel or SUPPORT)
    oauth_install.configure(services, team_id, admin, channels)
    client = oauth_install.workspace_client(settings, services, team_id)
    with serving(team_id):
        return seed(client, services.database, services.clock)


def seed(client: WebClient, database: Database, clock: Clock) -> ImportReport:
    """The demo directory, through the importer `import accounts` runs; a rerun changes nothing."""
    users = SlackWorkspaceUsers(client)
    directory = DIRECTORY.read_text(encoding="utf-8")
    return DirectoryImport(database, clock).run(directory, users, source=DIRECTORY.name)


@contextmanager
def _serving(
    settings: Settings, services: Services, listener: socket.socket, listeners: ListenerPool
) -> Iterator[None]:
    """The web app `serve` runs, on the loopback socket given, until the console closes."""
    app = wiring.create_app(settings, services, executor=listeners)
    web = wiring.create_web(settings, services, app)
    sockets: dict[int, Any] = {}
    server = create_server(
        web,
        map=sockets,
        sockets=[listener],
        threads=settings.request_threads,
        max_request_body_size=MAX_BODY_BYTES,
        ident="security-bot",
    )
    thread = threading.Thread(target=server.run, name="sandbox-web", daemon=True)
    thread.start()
    try:
        yield
    finally:
        # Closing every socket from inside the server's own loop ends the loop cleanly.
        trigger: Any = getattr(server, "trigger")  # noqa: B009 - typed as an int in the stubs
        trigger.pull_trigger(lambda: wasyncore.close_all(sockets))
        thread.join(timeout=5)
        server.task_dispatcher.shutdown()
