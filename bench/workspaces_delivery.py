"""Reminders of several workspaces delivered side by side: 4 workspaces x 2,500 reminder DMs
against the Slack stand-in, with Slack's chat.postMessage limit enforced per workspace, versus
one workspace alone x 2,500.

    .venv/bin/python -m bench.workspaces_delivery [--quick] [--scale N] [--reminders N]

Slack's rate limits count per workspace, so the aggregate rate of four workspaces should be about
four times one workspace's: targets (issue 16) aggregate >= 3.5x the single workspace's, each
workspace >= 90% of its allowed rate, every 429 waited out.

Each run is the production path: the workspaces installed by OAuth (their tokens in the sealed
installation store), a sweep per workspace writing the outbox, then the delivery job
(`Jobs.run(DELIVER)`) while this process holds the jobs lease; each workspace's messages go with
its own token at its own pace. ALLOWANCE is the per-workspace allowance assumed (as in
bench/nudges.py); `--scale` multiplies the stand-in's limit and the sender's configured allowance
alike to shorten a run (the ratios measured are the same). At --scale 1 (Slack's limits) the two
runs take about 9 minutes each.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from typing import Any

from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import insert

import wiring
from bench import servers
from bench.nudges import ALLOWANCE, RATE_TARGET, SCALE, sweep_time
from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.core.secret_box import SecretBox
from bot.nudges.settings import DeliveryPace, NudgePolicy
from bot.services import build_services
from bot.workspaces.scope import serving
from bot.workspaces.service import Install
from handlers.jobs.scheduler import DELIVER, Jobs
from handlers.outbound.installations import SealedInstallationStore
from sandbox.slack_standin import Call, SlackStandIn
from storage.database import connect, upgrade
from storage.models import Member

OUTPUT = servers.REPO_ROOT / ".bench"
WORKSPACES, REMINDERS = 4, 2_500
AGGREGATE_TARGET = 3.5  # x the single workspace's rate
CLIENT_ID = "1111111111.2222222222"


def measure(
    quick: bool = False, scale: int = SCALE, reminders: int | None = None
) -> dict[str, Any]:
    count = reminders or (250 if quick else REMINDERS)
    single = run(1, count, scale)
    several = run(WORKSPACES, count, scale)
    results = {
        "reminders_per_workspace": count,
        "allowance_per_minute": ALLOWANCE,
        "scale": scale,
        "limit_per_minute": ALLOWANCE * scale,
        "single": single,
        "side_by_side": several,
        "aggregate_vs_single": round(several["aggregate_per_minute"] / single["aggregate_per_minute"], 2),
    }  # fmt: skip
    print_report(results)
    return results


def run(workspaces: int, count: int, scale: int) -> dict[str, Any]:
    limit = ALLOWANCE * scale
    at = sweep_time().replace(hour=10)  # 10:00 UTC, the members' time zone: working hours
    teams = [f"T0BENCH{n}" for n in range(1, workspaces + 1)]
    with tempfile.TemporaryDirectory(dir=OUTPUT) as scratch, SlackStandIn() as standin:
        url = f"sqlite:///{scratch}/delivery.db"
        upgrade(url)
        policy = NudgePolicy(default_time_zone="UTC", pace=DeliveryPace(messages_per_minute=limit))
        settings = Settings(
            slack_client_id=CLIENT_ID,
            slack_client_secret="0123456789abcdef0123456789abcdef",
            slack_state_secret="state-" + uuid.uuid4().hex,
            slack_signing_secret="bench-" + uuid.uuid4().hex,
            slack_api_url=standin.base_url,
            database_url=url,
            security_bot_keys=(Fernet.generate_key().decode(),),
            nudge_policy=policy,
        )
        database = connect(url)
        clock = FakeClock(at - timedelta(days=30))
        services = build_services(settings, clock, database)
        store = SealedInstallationStore(
            CLIENT_ID, database.engine, SecretBox(settings.security_bot_keys)
        )
        for team in teams:
            _install(standin, store, services, team)
            _members(standin, database, team, count, clock, fresh=at)
        clock.advance(timedelta(days=30))
        decided = 0
        for team in teams:
            with serving(team):
                decided += services.nudges.sweep().written.messages
        standin.set_rate_limit("chat.postMessage", limit)  # in each workspace
        jobs = Jobs(services, wiring.build_messenger(settings, services), holder="bench")
        assert jobs.lease.renew(), "the jobs lease is free in a fresh database"
        started = time.perf_counter()
        try:
            jobs.run(DELIVER)
        finally:
            elapsed = time.perf_counter() - started
            jobs.stop()
            database.dispose()
        calls = standin.calls("chat.postMessage")
    per_workspace = {team: _rate([c for c in calls if c.team == team], limit) for team in teams}
    accepted = sorted(c.at for c in calls if c.ok)
    return {
        "workspaces": workspaces,
        "reminders_decided": decided,
        "sent": len(accepted),
        "aggregate_per_minute": round(_per_minute(accepted), 1),
        "seconds": round(elapsed, 1),
        "per_workspace": per_workspace,
        "answered_429": sum(w["answered_429"] for w in per_workspace.values()),
        "429_not_waited_out": sum(w["429_not_waited_out"] for w in per_workspace.values()),
    }


def _install(
    standin: SlackStandIn, store: SealedInstallationStore, services: Any, team: str
) -> None:
    token = f"xoxb-{team.lower()}-{uuid.uuid4().hex[:8]}"
    standin.add_workspace(team, name=team, bot_token=token)
    store.save(
        Installation(
            app_id="A0STANDIN",
            team_id=team,
            user_id="U0INSTALLER",
            bot_token=token,
            bot_id=f"B0{team[1:]}",
            bot_user_id="U0BOT",
        )
    )
    services.workspaces.installed(Install(team, None, False, team, "U0INSTALLER"))


def _members(
    standin: SlackStandIn, database: Any, team: str, count: int, clock: FakeClock, *, fresh: Any
) -> None:
    """`count` members of `team`, each with open gaps and a Slack user of that workspace."""
    rows = [
        {
            "slack_user_id": f"U{team[-1]}{n:07d}",
            "team_id": team,
            "email": f"u{team[-1]}{n:07d}@example.com",
            "display_name": f"Member {n}",
            "time_zone": "UTC",
            "profile_refreshed_at": fresh,  # read from Slack just before the sweep
            "created_at": clock.now(),
        }
        for n in range(1, count + 1)
    ]
    with serving(team), database.sessions.begin() as session:
        session.execute(insert(Member), rows)
    for row in rows:
        standin.add_user(
            str(row["slack_user_id"]), email=str(row["email"]), real_name="Member", team_id=team
        )


def _per_minute(times: list[float]) -> float:
    if len(times) < 2 or times[-1] <= times[0]:
        return 0.0
    return (len(times) - 1) / (times[-1] - times[0]) * 60


def _rate(calls: list[Call], limit: int) -> dict[str, Any]:
    accepted = [c.at for c in calls if c.ok]
    refused = [c.at for c in calls if not c.ok]
    # A 429 was waited out when this workspace's next call came at least Retry-After (>= 1 s) later.
    rushed = sum(1 for when in refused if any(when < c.at < when + 1.0 for c in calls))
    achieved = _per_minute(accepted)
    return {
        "sent": len(accepted),
        "achieved_per_minute": round(achieved, 1),
        "ratio": round(achieved / limit, 3),
        "answered_429": len(refused),
        "429_not_waited_out": rushed,
    }


def print_report(results: dict[str, Any]) -> None:
    def verdict(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    single, several = results["single"], results["side_by_side"]
    limit = results["limit_per_minute"]
    print(
        f"\nnudge delivery per workspace, {results['reminders_per_workspace']:,} DMs each, "
        f"chat.postMessage limited to {limit:,}/min in each workspace "
        f"(Slack's ~{results['allowance_per_minute']}/min x{results['scale']})"
    )
    for label, run_ in (("1 workspace alone", single), (f"{several['workspaces']} side by side", several)):  # fmt: skip
        print(
            f"  {label + ':':<20}{run_['sent']:>6,} sent in {run_['seconds']:>6.1f} s, "
            f"{run_['aggregate_per_minute']:>7,.0f}/min in all; "
            f"429 answers {run_['answered_429']} ({run_['429_not_waited_out']} not waited out)"
        )
        for team, figures in run_["per_workspace"].items():
            ok = figures["ratio"] >= RATE_TARGET and figures["429_not_waited_out"] == 0
            print(
                f"    {team}: {figures['achieved_per_minute']:>7,.0f}/min = {figures['ratio']:.1%} "
                f"of its allowed rate  target >= {RATE_TARGET:.0%}  {verdict(ok)}"
            )
    ratio = results["aggregate_vs_single"]
    print(
        f"  aggregate: {ratio:.2f}x the single workspace's rate  "
        f"target >= {AGGREGATE_TARGET}x  {verdict(ratio >= AGGREGATE_TARGET)}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.workspaces_delivery", description=__doc__
    )
    parser.add_argument("--quick", action="store_true", help="250 DMs per workspace, not 2,500")
    parser.add_argument("--scale", type=int, default=SCALE, help="x Slack's limits (1: as is)")
    parser.add_argument("--reminders", type=int, help="DMs per workspace")
    args = parser.parse_args(argv)
    OUTPUT.mkdir(exist_ok=True)
    results = measure(quick=args.quick, scale=args.scale, reminders=args.reminders)
    name = f"workspaces_delivery-x{args.scale}.json"
    (OUTPUT / name).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
