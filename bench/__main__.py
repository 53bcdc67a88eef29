"""`make bench`: the DESIGN.md performance figures, printed and written to .bench/results.json.

    .venv/bin/python -m bench [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

The benchmark reports; it exits 0 whether or not the targets are met (non-zero only when it
could not measure).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.fernet import Fernet

from bench import (
    campaign_sweep,
    cases,
    codes,
    dataset,
    desk,
    failover,
    load,
    nudges,
    oauth,
    outages,
    pages,
    passwords,
    servers,
    workspaces_delivery,
)
from bench.breakdown import breakdown, print_breakdown
from bench.statements import Count, NothingCounted, count_status_statements
from bench.status_report import (
    APPS,
    BARE_THREADS,
    LARGE,
    OUR_THREADS,
    SMALL,
    Target,
    print_report,
    summary,
)
from bot.core.config import Settings
from sandbox.slack_standin import SlackStandIn

OUTPUT = servers.REPO_ROOT / ".bench"
WORKERS = Settings().web_workers  # worker processes of each app
SIGNED = 6_000  # requests signed for each round, sent in turn


@dataclass(frozen=True)
class Plan:
    warmup_seconds: float = 2
    round_seconds: float = 4
    rounds: int = 4  # each phase is split in rounds, alternating the apps, so drift hits all


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL database to build the data set in (its own schema); default SQLite",
    )
    parser.add_argument("--quick", action="store_true", help="a tenth of the requests, to try")
    parser.add_argument(
        "--status-only",
        action="store_true",
        help="only the /security status figures (single-workspace and OAuth mode)",
    )
    args = parser.parse_args(argv)
    plan = Plan(warmup_seconds=1, round_seconds=1, rounds=2) if args.quick else Plan()
    started = time.perf_counter()
    try:
        results = measure(args.database_url, plan)
        if not args.status_only:
            results |= others(args.database_url, args.quick)
    except servers.StartFailed as error:
        print(f"bench: could not start an app under test:\n{error}", file=sys.stderr)
        return 1
    except (load.LoadGeneratorMissing, NothingCounted) as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    results["seconds"] = round(time.perf_counter() - started, 1)
    OUTPUT.mkdir(exist_ok=True)
    (OUTPUT / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten to {OUTPUT.relative_to(servers.REPO_ROOT) / 'results.json'} "
          f"in {results['seconds']} s")  # fmt: skip
    return 0


def others(database_url: str | None, quick: bool) -> dict[str, Any]:
    """Every figure beyond `/security status`'s."""
    results: dict[str, Any] = {}
    results["linking_page_ttfb"] = pages.measure(requests=100 if quick else 300)
    results["password_checks"] = passwords.measure(quick=quick)
    results["cases"] = cases.measure(database_url, quick=quick)
    results["desk_home"] = desk.measure(database_url, quick=quick)
    results["nudges"] = nudges.measure(quick=quick, database_url=database_url)
    # The same sweep with a campaign covering everyone: < 20% more (best of 5, side by side).
    results["campaign_sweep"] = campaign_sweep.measure(database_url, runs=1 if quick else 5)
    # At Slack's own limits (x1): faster runs are bound by this machine's CPU, not by pacing.
    # 600 DMs per workspace keep it to about 4 minutes; `python -m bench.workspaces_delivery
    # --scale 1` runs the 4 x 2,500 (about 18 minutes).
    results["delivery_per_workspace"] = workspaces_delivery.measure(
        quick=quick, scale=1, reminders=None if quick else 600
    )
    results["code_verification"] = codes.measure(seconds=1.0 if quick else 3.0)
    codes.print_figures(results["code_verification"])
    results["outages"] = outages.measure(quick=quick, postgres_url=database_url or outages.POSTGRES)
    results["leader_failover"] = failover.measure(database_url, OUTPUT)
    return results


def build(database_url: str | None, members: int) -> tuple[str, bool, float]:
    started = time.perf_counter()
    if database_url:
        url, built = dataset.postgres_dataset(database_url, members)
    else:
        url, built = dataset.sqlite_dataset(OUTPUT, members)
    return url, built, time.perf_counter() - started


def measure(database_url: str | None, plan: Plan) -> dict[str, Any]:
    large_url, built, build_seconds = build(database_url, LARGE)
    backend = dataset.describe(large_url)
    print(
        f"data set: {LARGE:,} members, {LARGE * dataset.ACCOUNTS_PER_MEMBER:,} business accounts "
        f"on {backend}, {'built' if built else 'cached'} in {build_seconds:.1f} s"
    )
    small_url, _, _ = build(database_url, SMALL)

    counts = statement_counts(small_url, large_url)
    keys = Fernet.generate_key().decode()
    with SlackStandIn() as standin:
        oauth.store_installations(large_url, (keys,), dataset.WORKSPACE, standin.bot_token)
        oauth_count = oauth.count_request_statements(
            large_url, (keys,), dataset.member_slack_id(1), standin
        )
    latency = acknowledgement_latency(large_url, plan, keys)

    targets = [
        Target("c=1 p50 ours/bare", latency["c1"]["ratio_p50"], 0.15),
        Target("c=1 p99 ours/bare", latency["c1"]["ratio_p99"], 0.15),
        Target("c=16 p99 ours/bare", latency["c16"]["ratio_p99"], 0.65),
        Target("SQL statements per status (max)", max(c.statements for c in counts), 1),
        Target("OAuth c=1 p50 ours/bare", latency["c1"]["oauth_ratio_p50"], 0.15),
        Target("OAuth c=1 p99 ours/bare", latency["c1"]["oauth_ratio_p99"], 0.15),
        Target("OAuth c=16 p99 ours/bare", latency["c16"]["oauth_ratio_p99"], 0.65),
        Target("OAuth SQL statements per status, our data", oauth_count.ours, 1),
        Target("German c=1 p50 ours/bare", latency["c1"]["german_ratio_p50"], 0.15),
        Target("German c=1 p99 ours/bare", latency["c1"]["german_ratio_p99"], 0.15),
        Target("German c=16 p99 ours/bare", latency["c16"]["german_ratio_p99"], 0.65),
        # Bolt's authorize cache lives in each worker process: one call per token in each.
        Target(
            "OAuth auth.test calls per token",
            max(latency["auth_tests"].values(), default=0),
            WORKERS,
        ),
    ]
    constant = len({c.statements for c in counts}) == 1
    print_report(backend, latency, counts, targets, constant)
    oauth.print_figures(latency, oauth_count)
    print(
        "\nGerman (every member's Slack locale de-DE; ours/bare): "
        f"c=1 p50 {latency['c1']['german_ratio_p50']:.2f}x, "
        f"c=1 p99 {latency['c1']['german_ratio_p99']:.2f}x, "
        f"c=16 p99 {latency['c16']['german_ratio_p99']:.2f}x "
        f"(English: {latency['c1']['ratio_p50']:.2f}x, {latency['c1']['ratio_p99']:.2f}x, "
        f"{latency['c16']['ratio_p99']:.2f}x)"
    )
    print("\ntargets: " + ", ".join(f"{t.name} {'PASS' if t.met else 'MISS'}" for t in targets))
    stages = []
    if not all(t.met for t in targets[:3]):
        stages = breakdown(large_url)
        print_breakdown(stages)
    return {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "database": backend,
        "data_set": {
            "members": LARGE,
            "business_accounts": LARGE * dataset.ACCOUNTS_PER_MEMBER,
            "built": built,
            "build_seconds": round(build_seconds, 2),
        },
        "plan": plan.__dict__,
        "ack_latency": latency,
        "sql_statements": {
            "counts": [
                {
                    "label": c.label,
                    "members": c.members,
                    "accounts_of_member": c.accounts_of_member,
                    "statements": c.statements,
                    "round_trips": c.round_trips,
                    "sql": list(c.sql),
                }
                for c in counts
            ],
            "constant": constant,
        },
        "oauth": {
            "workspaces_installed": oauth.WORKSPACES,
            "sql_statements_our_data": oauth_count.ours,
            "sql_statements_installation_lookup": oauth_count.installation_lookup,
            "sql": list(oauth_count.sql),
            "auth_test_calls": latency["auth_tests"],
            "worker_processes": WORKERS,
        },
        "targets": [
            {"name": t.name, "value": t.value, "limit": t.limit, "met": t.met} for t in targets
        ],
        "breakdown_ms": [
            {"stage": stage.name, "depth": stage.depth, "median_ms": stage.median_ms}
            for stage in stages
        ],
    }


def statement_counts(small_url: str, large_url: str) -> list[Count]:
    two = dataset.member_slack_id(1)
    return [
        *count_status_statements(small_url, SMALL, [(f"{SMALL} members, 2 accounts", two, 2)]),
        *count_status_statements(
            large_url,
            LARGE,
            [
                (f"{LARGE:,} members, 2 accounts", two, 2),
                (f"{LARGE:,} members, 20 accounts", dataset.HEAVY_MEMBER, 20),
            ],
        ),
    ]


def acknowledgement_latency(url: str, plan: Plan, keys: str) -> dict[str, Any]:
    """Latency of each app, phase by phase; rounds alternate the apps so drift hits all. `oauth`
    is ours in OAuth mode (bench/oauth.py), with a stand-in of its own; the installation store
    holds `keys`' sealed tokens."""
    dataset.refresh_profiles(url, datetime.now(UTC))
    secret = "bench-" + uuid.uuid4().hex
    user_ids = [dataset.member_slack_id(n) for n in range(1, LARGE + 1)]
    with SlackStandIn() as standin, SlackStandIn() as oauth_standin:
        common = {
            "SLACK_BOT_TOKEN": standin.bot_token,
            "SLACK_SIGNING_SECRET": secret,
            "SLACK_API_URL": standin.base_url,
        }
        started = {
            "ours": servers.ours(
                # No nudge sweeps in the background while latency is measured.
                servers.environment(
                    **common, DATABASE_URL=url, SECURITY_BOT_KEYS=keys, SCHEDULED_JOBS="off"
                ),
                OUTPUT / "ours.stderr",
            ),
            "bare": servers.bare(
                servers.environment(**common), OUTPUT / "bare.stderr", BARE_THREADS
            ),
            "floor": servers.bare(
                servers.environment(**common), OUTPUT / "floor.stderr", OUR_THREADS, fast=True
            ),
            "oauth": servers.ours(
                servers.environment(**oauth.environment(url, keys, secret, oauth_standin)),
                OUTPUT / "oauth.stderr",
            ),
            # Ours again, every member's Slack locale German (a copy of the data set).
            "german": servers.ours(
                servers.environment(
                    **common,
                    DATABASE_URL=dataset.in_language(url, "de-DE") or url,
                    SECURITY_BOT_KEYS=keys,
                    SCHEDULED_JOBS="off",
                ),
                OUTPUT / "german.stderr",
            ),
        }
        with (
            started["ours"],
            started["bare"],
            started["floor"],
            started["oauth"],
            started["german"],
        ):
            expected = {
                "ours": "checks pass",
                "bare": "ok",
                "floor": "ok",
                "oauth": "checks pass",
                "german": "bestanden",  # "… Prüfungen bestanden", JSON-escaped
            }
            print(
                "apps up: "
                + ", ".join(f"{name} pid {server.pid}" for name, server in started.items())
            )
            offset = 0

            def signed() -> list[load.Prepared]:
                nonlocal offset
                offset += SIGNED
                return load.slash_commands(secret, user_ids, SIGNED, offset=offset)

            for name, server in started.items():
                load.run(server.url, signed(), 4, expected[name], plan.warmup_seconds)
            phases: dict[str, Any] = {}
            for phase, concurrency in (("c1", 1), ("c16", 16)):
                runs: dict[str, list[load.Run]] = {name: [] for name in APPS}
                cpu: dict[str, float] = dict.fromkeys(APPS, 0.0)
                for round_number in range(plan.rounds):
                    order = APPS if round_number % 2 == 0 else tuple(reversed(APPS))
                    for name in order:
                        server = started[name]
                        batch = signed()
                        before = servers.cpu_seconds(server.pid) or 0.0
                        runs[name].append(
                            load.run(
                                server.url, batch, concurrency, expected[name], plan.round_seconds
                            )
                        )
                        cpu[name] += (servers.cpu_seconds(server.pid) or 0.0) - before
                merged = {name: load.merge(found) for name, found in runs.items()}
                phases[phase] = summary(merged, cpu, concurrency)
                total = sum(run.requests for run in merged.values())
                print(f"measured {phase}: {total:,} requests in all")
            phases["auth_tests"] = oauth.auth_tests(oauth_standin)
        for server in started.values():
            errors = [line for line in server.stderr().splitlines() if " ERROR " in line]
            if errors:
                print(f"{server.name} logged {len(errors)} errors, first: {errors[0]}")
    return phases


if __name__ == "__main__":
    sys.exit(main())
