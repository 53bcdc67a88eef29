"""How `/security status` measured: the figures of each phase against the bare Bolt app, and
the report printed beside them (bench/__main__.py measures)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bench import load
from bench.statements import Count
from bot.core.config import Settings

LARGE, SMALL = 10_000, 100
# Threads per worker process. Ours and the floor app run as `serve` does by default; the bare
# app's listener holds its thread through Bolt's 10 ms ack polling, so it gets the count that
# serves it best here (16 and 32 measured alike; 4 queues its requests).
OUR_THREADS, BARE_THREADS = Settings().web_threads, 16
APPS = ("ours", "bare", "floor", "oauth", "german")


@dataclass(frozen=True)
class Target:
    name: str
    value: float
    limit: float

    @property
    def met(self) -> bool:
        return self.value <= self.limit


def summary(runs: dict[str, load.Run], cpu: dict[str, float], concurrency: int) -> dict[str, Any]:
    figures: dict[str, Any] = {"concurrency": concurrency}
    for name, run in runs.items():
        figures[name] = {
            "requests": run.requests,
            "failures": run.failures,
            **{f"{pct}_ms": round(value, 3) for pct, value in run.percentiles_ms.items()},
            "max_ms": round(run.max_ms, 3),
            "throughput_rps": round(run.throughput, 1),
            "server_cpu_ms_per_request": round(cpu[name] * 1000 / max(1, run.requests), 3),
        }
    for pct in ("p50", "p99"):
        for app, key in (("ours", "ratio"), ("oauth", "oauth_ratio"), ("german", "german_ratio")):
            figures[f"{key}_{pct}"] = round(
                figures[app][f"{pct}_ms"] / figures["bare"][f"{pct}_ms"], 3
            )
    return figures


def print_report(
    backend: str,
    latency: dict[str, Any],
    counts: list[Count],
    targets: list[Target],
    constant: bool,
) -> None:
    limits = {"c1 p50": 0.15, "c1 p99": 0.15, "c16 p99": 0.65}  # DESIGN.md, 2026-12-06
    print(f"\n/security status acknowledgement latency ({LARGE:,} members, {backend})")
    print(f"  ours: app.py serve ({OUR_THREADS} threads per worker); bare: default Bolt app,")
    print(
        f"  ack('ok'), {BARE_THREADS} threads per worker; floor: Bolt with process_before_response"
    )
    print("  and nothing but ack (information only). Granian, 2 worker processes each; load: wrk;")
    print("  percentiles: median over the rounds")
    header = (
        f"{'':<11}{'ours ms':>9}{'bare ms':>9}{'ours/bare':>11}{'target':>8}{'':>7}{'floor ms':>9}"
    )
    print(header)
    for phase in ("c1", "c16"):
        figures = latency[phase]
        for pct in ("p50", "p90", "p99"):
            ours, bare = figures["ours"][f"{pct}_ms"], figures["bare"][f"{pct}_ms"]
            ratio = ours / bare
            limit = limits.get(f"{phase} {pct}")
            verdict = "" if limit is None else ("PASS" if ratio <= limit else "MISS")
            shown_limit = "" if limit is None else f"≤ {limit:.2f}"
            label = f"c={figures['concurrency']} {pct}"
            floor = figures["floor"][f"{pct}_ms"]
            print(
                f"{label:<11}{ours:>9.2f}{bare:>9.2f}{ratio:>10.2f}x{shown_limit:>8}  "
                f"{verdict:<5}{floor:>9.2f}"
            )
        rps = "  ".join(f"{name} {figures[name]['throughput_rps']:,.0f}" for name in APPS)
        cpu = "  ".join(f"{name} {figures[name]['server_cpu_ms_per_request']:.2f}" for name in APPS)
        print(f"{'':<11}req/s: {rps}")
        print(f"{'':<11}server CPU ms per request: {cpu}")
        failed = {name: figures[name]["failures"] for name in APPS if figures[name]["failures"]}
        if failed:
            print(f"{'':<11}FAILED requests (not 200 with the expected answer): {failed}")
    print("\nSQL statements per /security status (own checklist)")
    server = backend != "sqlite"
    if server:
        print(f"  {'':<28}{'SQL':>4}{'round trips':>13}  (with BEGIN/ROLLBACK and the pool's ping)")
    for count in counts:
        trips = f"{count.round_trips:>13}" if server else ""
        print(f"  {count.label:<28}{count.statements:>4}{trips}")
    worst = max(c.statements for c in counts)
    verdict = "PASS" if constant and worst <= 1 else "MISS"
    print(
        f"  constant: {'yes' if constant else 'no'}, = 1: {'yes' if worst <= 1 else 'no'}  {verdict}"
    )
