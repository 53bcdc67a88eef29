"""`/security status` in OAuth mode: our app serving the measured workspace out of an installation
store that holds 1,000 workspaces' bots (handlers/outbound/installations.py, sealed tokens).

Each request is authorised by Bolt's InstallationStoreAuthorize (handlers/slack/installs.py): one
read of the workspace's bot from the store, then auth.test, which its cache spares every request
but a token's first in each worker process. The app gets a stand-in of its own, so every
auth.test it records is the OAuth app's.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_bolt.request import BoltRequest
from sqlalchemy import create_engine, delete, insert

import wiring
from bench import load
from bot.core.clock import SystemClock
from bot.core.config import Settings
from bot.core.secret_box import SecretBox
from handlers.outbound.installations import SealedInstallationStore
from sandbox.slack_standin import SlackStandIn
from storage.tracing import driver_statements, queries

WORKSPACES = 1_000
CLIENT_ID = "1000000000.2000000000"
CLIENT_SECRET = "benchclientsecret0123456789abcdef"  # the bench's own stand-in app
STATE_SECRET = "bench-state-secret-0123456789abcdef0123"
INSTALLATION_TABLES = ("slack_bots", "slack_installations")


def team_of(number: int, measured: str) -> str:
    """Workspace number `number` (0 is the measured one, whose members the data set holds)."""
    return measured if number == 0 else f"T0BENCH{number:04d}"


def store_installations(url: str, keys: tuple[str, ...], measured: str, token: str) -> None:
    """The bench's installations replaced by `WORKSPACES` bots (and their installations, as an
    install writes both), the measured workspace's with `token`; sealed under `keys`, this run's."""
    engine = create_engine(url)
    store = SealedInstallationStore(CLIENT_ID, engine, SecretBox(keys))
    installed = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    bots, installations = [], []
    for number in range(WORKSPACES):
        team = team_of(number, measured)
        bot = {
            "client_id": CLIENT_ID,
            "app_id": "A0BENCH",
            "enterprise_id": None,
            "team_id": team,
            "team_name": f"Workspace {number}",
            "bot_token": token if number == 0 else f"xoxb-{team}-bench",
            "bot_id": f"B{team[1:]}",
            "bot_user_id": "U0BOT",
            "bot_scopes": "commands,chat:write,im:write,users:read,users:read.email",
            "is_enterprise_install": False,
            "installed_at": installed - timedelta(minutes=number),
        }
        bots.append(bot)
        installations.append({**bot, "user_id": f"U0INSTALLER{number:04d}", "token_type": "bot"})
    try:
        with engine.begin() as connection:
            for table in (store.bots, store.installations):
                connection.execute(delete(table).where(table.c.client_id == CLIENT_ID))
            connection.execute(insert(store.bots), bots)
            connection.execute(insert(store.installations), installations)
    finally:
        engine.dispose()


def environment(url: str, keys: str, secret: str, standin: SlackStandIn) -> dict[str, str]:
    """The OAuth app's settings (servers.environment adds them to a clean environment)."""
    return {
        "SLACK_CLIENT_ID": CLIENT_ID,
        "SLACK_CLIENT_SECRET": CLIENT_SECRET,
        "SLACK_STATE_SECRET": STATE_SECRET,
        "SLACK_SIGNING_SECRET": secret,
        "SLACK_API_URL": standin.base_url,
        "DATABASE_URL": url,
        "SECURITY_BOT_KEYS": keys,
        "SCHEDULED_JOBS": "off",
    }


def auth_tests(standin: SlackStandIn) -> dict[str, int]:
    """auth.test calls the stand-in answered, by workspace (one token each)."""
    return dict(Counter(call.team or "?" for call in standin.calls("auth.test")))


@dataclass(frozen=True)
class RequestCount:
    """Statements of one `/security status` through the whole OAuth app, split by what they read."""

    ours: int
    installation_lookup: int
    sql: tuple[str, ...]


def count_request_statements(
    url: str, keys: tuple[str, ...], user_id: str, standin: SlackStandIn
) -> RequestCount:
    """One signed `/security status` dispatched through the OAuth app (after one that warms the
    pools and the authorize cache), its statements counted at the driver."""
    secret = "bench-oauth-count"
    settings = Settings(
        slack_client_id=CLIENT_ID,
        slack_client_secret=CLIENT_SECRET,
        slack_state_secret=STATE_SECRET,
        slack_signing_secret=secret,
        slack_api_url=standin.base_url + "/",
        database_url=url,
        security_bot_keys=keys,
    )
    services = wiring.build(settings, SystemClock())
    try:
        app = wiring.create_app(settings, services)
        engines = {id(e): e for e in (services.database.engine, services.database.reads)}
        for _attempt in ("warm", "count"):  # the first warms pools and cache
            prepared = load.slash_commands(secret, [user_id], 1)[0]
            request = BoltRequest(body=prepared.body.decode(), headers=dict(prepared.headers))
            seen: list[str] = []
            with _counting(list(engines.values()), seen):
                response = app.dispatch(request)
            if response.status != 200 or "checks pass" not in response.body:
                raise RuntimeError(f"OAuth app answered {response.status}: {response.body[:200]}")
        sql = queries(seen)
        lookup = [s for s in sql if any(table in s for table in INSTALLATION_TABLES)]
        return RequestCount(len(sql) - len(lookup), len(lookup), tuple(s[:160] for s in sql))
    finally:
        services.database.dispose()


class _counting:
    """driver_statements on several engines at once, into one list."""

    def __init__(self, engines: list[Any], seen: list[str]) -> None:
        self._contexts = [driver_statements(engine) for engine in engines]
        self._seen = seen

    def __enter__(self) -> None:
        self._lists = [context.__enter__() for context in self._contexts]

    def __exit__(self, *exc: object) -> None:
        for context in self._contexts:
            context.__exit__(None, None, None)
        for found in self._lists:
            self._seen.extend(found)


def print_figures(latency: dict[str, Any], count: RequestCount) -> None:
    """The OAuth app's figures beside the single-workspace ones (bench/__main__.print_report)."""
    print(f"\nOAuth mode: {WORKSPACES:,} workspaces installed, the measured one among them")
    print(f"{'':<11}{'single':>9}{'OAuth':>9}{'target':>8}   (ours/bare; OAuth ms, bare ms)")
    limits = (("c1", "p50", 0.15), ("c1", "p99", 0.15), ("c16", "p99", 0.65))
    for phase, pct, limit in limits:
        figures = latency[phase]
        single, ratio = figures[f"ratio_{pct}"], figures[f"oauth_ratio_{pct}"]
        verdict = "PASS" if ratio <= limit else "MISS"
        label = f"c={figures['concurrency']} {pct}"
        ms = f"{figures['oauth'][f'{pct}_ms']:.2f}, {figures['bare'][f'{pct}_ms']:.2f}"
        print(f"{label:<11}{single:>8.2f}x{ratio:>8.2f}x{f'≤ {limit:.2f}':>8}  {verdict:<5}({ms})")
    print(
        f"  SQL statements per status: our data {count.ours} (target 1: "
        f"{'PASS' if count.ours <= 1 else 'MISS'}), installation lookup {count.installation_lookup}"
    )
    calls = latency["auth_tests"]
    shown = ", ".join(f"{team} {number}" for team, number in sorted(calls.items())) or "none"
    print(f"  auth.test calls during the run, by workspace (one token each): {shown}")
