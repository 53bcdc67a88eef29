"""Nudges: one sweep over 50,000 members and 100,000 business accounts (time to decide, memory),
and 2,000 reminder DMs delivered to the Slack stand-in with Slack's rate limit enforced.

    .venv/bin/python -m bench.nudges [--quick] [--database-url postgresql+psycopg://...]

The sweep runs in a fresh process of its own, so its peak RSS (resource.getrusage) is the
sweep's plus the interpreter's: decide only (what `nudge run-once --dry-run` does), then, in
another process, a real sweep writing the outbox, on a copy of the data set.

Delivery: chat.postMessage allows about one message a second per channel and "several hundred a
minute" per workspace. The workspace allowance is taken as ALLOWANCE a minute; to keep the run
short, the stand-in's limit and the sender's configured allowance are both scaled by SCALE (the
ratio measured is the same). Every DM goes to a different member, so the per-channel limit never
binds; the sender paces per channel anyway.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, insert, text

from bench import dataset, servers
from bot.core.clock import FakeClock
from bot.nudges.sender import Sender
from bot.nudges.service import NudgeService
from bot.nudges.settings import DeliveryPace, NudgePolicy
from bot.workspaces.scope import serving
from handlers.outbound.slack_messenger import SlackMessenger, retry_handlers
from sandbox.slack_standin import SlackStandIn
from storage.database import connect, upgrade
from storage.models import Member

OUTPUT = servers.REPO_ROOT / ".bench"
MEMBERS = 50_000
DMS = 2_000
ALLOWANCE = 300  # chat.postMessage per minute per workspace, as assumed
SCALE = 5
# DESIGN.md (2026-12-06): decided and written in < 8 s, memory < 300 MB, >= 90% of the rate.
DECIDE_TARGET_SECONDS, MEMORY_TARGET_MB, RATE_TARGET = 8.0, 300.0, 0.90


def sweep_time() -> datetime:
    """The next Tuesday, 10:00 in Berlin (the data set's time zone): inside working hours."""
    now = datetime.now(UTC)
    days = (1 - now.weekday()) % 7 or 7
    return (now + timedelta(days=days)).replace(hour=9, minute=0, second=0, microsecond=0)


def measure(quick: bool = False, database_url: str | None = None) -> dict[str, Any]:
    started = time.perf_counter()
    if database_url:
        url, built = dataset.postgres_dataset(database_url, MEMBERS)
    else:
        url, built = dataset.sqlite_dataset(OUTPUT, MEMBERS)
    print(
        f"\nnudges: data set of {MEMBERS:,} members, "
        f"{MEMBERS * dataset.ACCOUNTS_PER_MEMBER:,} business accounts on {dataset.describe(url)}, "
        f"{'built' if built else 'cached'} in {time.perf_counter() - started:.1f} s"
    )
    sweep = _in_child("sweep", url)
    written = _written_sweep(url)
    delivery = measure_delivery(400 if quick else DMS)
    results = {"sweep": sweep, "written_sweep": written, "delivery": delivery}
    print_report(results)
    return results


# -- the sweep -----------------------------------------------------------------------------------


def _in_child(mode: str, url: str) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter and read its JSON answer."""
    answer = subprocess.run(
        [sys.executable, "-m", "bench.nudges", "--child", mode, url, sweep_time().isoformat()],
        cwd=servers.REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    found: dict[str, Any] = json.loads(answer.stdout.strip().splitlines()[-1])
    return found


def _written_sweep(url: str) -> dict[str, Any]:
    """A real sweep, writing the outbox, on a copy of the data set (the cache stays pristine)."""
    if not url.startswith("sqlite"):
        figures = _in_child("write", url)
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM nudge_items"))
            connection.execute(text("DELETE FROM nudge_outbox"))
        engine.dispose()
        return figures
    source = Path(url.removeprefix("sqlite:///"))
    with tempfile.TemporaryDirectory(dir=OUTPUT) as scratch:
        copy = Path(scratch) / "sweep.db"
        shutil.copyfile(source, copy)
        return _in_child("write", f"sqlite:///{copy}")


def child(mode: str, url: str, at: str) -> dict[str, Any]:
    database = connect(url)
    nudges = NudgeService(
        database, FakeClock(datetime.fromisoformat(at)), NudgePolicy(), frozenset({"UADMIN"})
    )
    statements: list[str] = []
    event.listen(database.engine, "before_cursor_execute", lambda *a: statements.append(str(a[2])))
    baseline = _max_rss_mb()
    with serving(dataset.WORKSPACE):  # the data set's one workspace, as the sweep job serves it
        report = nudges.sweep(dry_run=mode == "sweep")
    figures: dict[str, Any] = {
        "members": report.members,
        "with_gaps": report.with_gaps,
        "reminders": report.reminders,
        "escalations": report.escalations,
        "seconds": round(report.seconds, 2),
        "policy_seconds": round(report.decide_seconds, 2),
        "statements": len(statements),
        "peak_rss_mb": round(_max_rss_mb(), 1),
        "rss_before_mb": round(baseline, 1),
        "written": report.written.messages,
    }
    database.dispose()
    return figures


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# -- delivery ------------------------------------------------------------------------------------


def measure_delivery(count: int) -> dict[str, Any]:
    """The stand-in's one workspace, served as the delivery job serves it."""
    with serving("T0STANDIN"):
        return _measure_delivery(count)


def _measure_delivery(count: int) -> dict[str, Any]:
    limit = ALLOWANCE * SCALE
    at = sweep_time().replace(hour=10)  # 10:00 UTC, the members' time zone
    with tempfile.TemporaryDirectory(dir=OUTPUT) as scratch, SlackStandIn() as standin:
        url = f"sqlite:///{scratch}/delivery.db"
        upgrade(url)
        _members(url, count, at, standin)
        database = connect(url)
        clock = FakeClock(at)
        policy = NudgePolicy(default_time_zone="UTC")
        decided = NudgeService(database, clock, policy, frozenset()).sweep()
        standin.set_rate_limit("chat.postMessage", limit)
        client = _client(standin)
        pace = DeliveryPace(messages_per_minute=limit)
        sender = Sender(database, clock, SlackMessenger(client), policy, "bench", pace=pace)
        started = time.perf_counter()
        report = sender.deliver()
        elapsed = time.perf_counter() - started
        database.dispose()
        calls = standin.calls("chat.postMessage")
    accepted = [call.at for call in calls if call.ok]
    refused = [call.at for call in calls if not call.ok]
    span = (accepted[-1] - accepted[0]) if len(accepted) > 1 else float("nan")
    achieved = (len(accepted) - 1) / span * 60 if len(accepted) > 1 else 0.0
    # A 429 was waited out when the next call came at least its Retry-After (>= 1 s) later.
    rushed = sum(
        1 for when in refused if any(when < later < when + 1.0 for later in (c.at for c in calls))
    )
    return {
        "dms_decided": decided.written.messages,
        "dms_sent": report.sent,
        "allowance_per_minute": ALLOWANCE,
        "scale": SCALE,
        "limit_per_minute": limit,
        "achieved_per_minute": round(achieved, 1),
        "ratio": round(achieved / limit, 3),
        "overall_per_minute": round(report.sent / elapsed * 60, 1),
        "seconds": round(elapsed, 1),
        "answered_429": len(refused),
        "429_not_waited_out": rushed,
    }


def _members(url: str, count: int, at: datetime, standin: SlackStandIn) -> None:
    """`count` members a month past their grace, each with open gaps and a Slack user."""
    engine = create_engine(url)
    rows = [
        {
            "slack_user_id": f"UD{n:07d}",
            "team_id": "T0STANDIN",
            "email": f"ud{n:07d}@example.com",
            "display_name": f"Member {n}",
            "time_zone": "UTC",
            "created_at": at - timedelta(days=30),
        }
        for n in range(1, count + 1)
    ]
    with engine.begin() as connection:
        connection.execute(insert(Member), rows)
    engine.dispose()
    for row in rows:
        standin.add_user(str(row["slack_user_id"]), email=str(row["email"]), real_name="Member")


def _client(standin: SlackStandIn) -> Any:
    from slack_sdk import WebClient

    return WebClient(
        token=standin.bot_token, base_url=standin.base_url, retry_handlers=retry_handlers()
    )


# -- report --------------------------------------------------------------------------------------


def print_report(results: dict[str, Any]) -> None:
    sweep, written, delivery = results["sweep"], results["written_sweep"], results["delivery"]

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    print(f"\nnudge sweep, {sweep['members']:,} members ({sweep['with_gaps']:,} with open gaps)")
    print(
        f"  decide (dry run):   {sweep['seconds']:>6.2f} s  (policy {sweep['policy_seconds']:.2f} s)"
        f"  target < {DECIDE_TARGET_SECONDS:.0f} s  {verdict(sweep['seconds'] < DECIDE_TARGET_SECONDS)}"
    )
    print(
        f"  memory:             {sweep['peak_rss_mb']:>6.1f} MB peak RSS of the whole process "
        f"({sweep['rss_before_mb']:.1f} MB before the sweep)"
        f"  target < {MEMORY_TARGET_MB:.0f} MB  {verdict(sweep['peak_rss_mb'] < MEMORY_TARGET_MB)}"
    )
    print(f"  statements:         {sweep['statements']} for the whole sweep")
    print(
        f"  decide and write:   {written['seconds']:>6.2f} s, {written['written']:,} reminder DMs "
        f"written to the outbox, {written['peak_rss_mb']:.1f} MB peak RSS"
        f"  target < {DECIDE_TARGET_SECONDS:.0f} s  "
        f"{verdict(written['seconds'] < DECIDE_TARGET_SECONDS)}"
    )
    print(
        f"\nnudge delivery, {delivery['dms_sent']:,} DMs, chat.postMessage limited to "
        f"{delivery['limit_per_minute']:,}/min (Slack's ~{delivery['allowance_per_minute']}/min "
        f"x{delivery['scale']})"
    )
    ok = delivery["ratio"] >= RATE_TARGET and delivery["429_not_waited_out"] == 0
    print(
        f"  achieved:           {delivery['achieved_per_minute']:,.0f}/min = "
        f"{delivery['ratio']:.1%} of the allowed rate  target >= {RATE_TARGET:.0%}  {verdict(ok)}"
    )
    print(
        f"  429 answers:        {delivery['answered_429']} ({delivery['429_not_waited_out']} not "
        f"waited out); {delivery['seconds']} s in all"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.nudges", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="400 DMs instead of 2,000")
    parser.add_argument("--database-url", help="PostgreSQL for the sweep's data set")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "URL", "AT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(*args.child)))
        return 0
    OUTPUT.mkdir(exist_ok=True)
    results = measure(quick=args.quick, database_url=args.database_url)
    (OUTPUT / "nudges.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
