"""The reminder sweep of 50,000 members without a campaign and with one covering everyone: the
campaign must add less than 20% to the time to decide (DESIGN.md, issue 18).

    .venv/bin/python -m bench.campaign_sweep [--database-url postgresql+psycopg://...] [--runs 3]

Both run on the same data set (bench/dataset.py), each in a fresh process as bench/nudges.py
runs its sweep, alternating without and with, `--runs` times, in the same minutes; the best of
each counts (a shared machine only ever makes a run slower). Two states are measured:

- fresh: nobody reminded yet (every gap a first reminder, as bench/nudges.py measures), and
- reminded: two days after a written sweep, so every gap has its reminder on record and the
  policy asks each one's cadence, the campaign's included.

The figure the target is on is the dry run's decide time (read, build every checklist, decide),
the sweep bench/nudges.py measures; a written sweep (decide, count progress, write) is reported
beside it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, delete, insert

from bench import dataset, nudges, servers
from storage.campaign_models import Campaign, CampaignDay
from storage.scope import serving

OUTPUT = servers.REPO_ROOT / ".bench"
TARGET = 0.20  # the campaign adds less than 20% to the time to decide
RUNS = 3
DEADLINE_IN = timedelta(days=10)  # in the campaign's every-3-days phase at the sweep


def _add_campaign(url: str, at: datetime) -> None:
    """One running campaign for 2-step verification on every business account."""
    deadline = (at + DEADLINE_IN).date()
    engine = create_engine(url)
    with serving(dataset.WORKSPACE), engine.begin() as connection:
        connection.execute(
            insert(Campaign).values(
                check="two_step", title="Bench", scope="everyone", scope_value=None,
                deadline=deadline, time_zone="UTC",
                due_at=datetime.combine(deadline + timedelta(days=1), time(), tzinfo=UTC),
                status="running", started_by="UADMIN", started_at=at - timedelta(days=20),
            )
        )  # fmt: skip
    engine.dispose()


def _drop_campaigns(url: str) -> None:
    engine = create_engine(url)
    with serving(dataset.WORKSPACE), engine.begin() as connection:
        connection.execute(delete(CampaignDay))
        connection.execute(delete(Campaign))
    engine.dispose()


def _sweep(mode: str, url: str, at: datetime) -> dict[str, Any]:
    answer = subprocess.run(
        [sys.executable, "-m", "bench.nudges", "--child", mode, url, at.isoformat()],
        cwd=servers.REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    found: dict[str, Any] = json.loads(answer.stdout.strip().splitlines()[-1])
    return found


def _best(plain: list[dict[str, Any]], campaign: list[dict[str, Any]]) -> dict[str, Any]:
    best_plain = min(plain, key=lambda found: found["seconds"])
    best_campaign = min(campaign, key=lambda found: found["seconds"])
    return {
        "without": best_plain,
        "with_campaign": best_campaign,
        "all_seconds_without": [found["seconds"] for found in plain],
        "all_seconds_with": [found["seconds"] for found in campaign],
        "added": round(best_campaign["seconds"] / best_plain["seconds"] - 1, 3),
    }


def _compare(without: str, with_campaign: str, at: datetime, runs: int) -> dict[str, Any]:
    """Dry runs of each, alternating: the best of `runs` each, and their ratio."""
    plain: list[dict[str, Any]] = []
    campaign: list[dict[str, Any]] = []
    for _ in range(runs):
        plain.append(_sweep("sweep", without, at))
        campaign.append(_sweep("sweep", with_campaign, at))
    return _best(plain, campaign)


def _written(without: str, with_campaign: str, at: datetime, runs: int) -> dict[str, Any]:
    """Written sweeps, each on a fresh copy: the best of `runs` each."""
    seconds: dict[str, list[float]] = {"without": [], "with_campaign": []}
    for _ in range(runs):
        for name, source in (("without", without), ("with_campaign", with_campaign)):
            with tempfile.TemporaryDirectory(dir=OUTPUT) as scratch:
                copy = Path(scratch) / "written.db"
                shutil.copyfile(source.removeprefix("sqlite:///"), copy)
                seconds[name].append(_sweep("write", f"sqlite:///{copy}", at)["seconds"])
    best = {name: min(found) for name, found in seconds.items()}
    return {
        "best_seconds": best,
        "all_seconds": seconds,
        "added": round(best["with_campaign"] / best["without"] - 1, 3),
    }


def measure(database_url: str | None = None, runs: int = RUNS) -> dict[str, Any]:
    at = nudges.sweep_time()
    if database_url:
        return _measure_postgres(database_url, at, runs)
    source, _built = dataset.sqlite_dataset(OUTPUT, nudges.MEMBERS)
    with tempfile.TemporaryDirectory(dir=OUTPUT) as scratch:
        without = Path(scratch) / "without.db"
        shutil.copyfile(source.removeprefix("sqlite:///"), without)
        with_campaign = Path(scratch) / "with.db"
        shutil.copyfile(without, with_campaign)
        plain_url, campaign_url = f"sqlite:///{without}", f"sqlite:///{with_campaign}"
        _add_campaign(campaign_url, at)
        fresh = _compare(plain_url, campaign_url, at, runs)
        written = _written(plain_url, campaign_url, at, runs)
        # Everyone reminded once (a written sweep on each), then two days later.
        _sweep("write", plain_url, at)
        _sweep("write", campaign_url, at)
        later = at + timedelta(days=2)
        reminded = _compare(plain_url, campaign_url, later, runs)
    results = {"database": "sqlite", "fresh": fresh, "reminded": reminded, "written": written}
    print_report(results)
    return results


def _measure_postgres(url: str, at: datetime, runs: int) -> dict[str, Any]:
    """On PostgreSQL the data set is one schema: the campaign is there for its dry runs only
    (a dry run writes nothing)."""
    source, _built = dataset.postgres_dataset(url, nudges.MEMBERS)
    plain: list[dict[str, Any]] = []
    campaign: list[dict[str, Any]] = []
    try:
        for _ in range(runs):
            plain.append(_sweep("sweep", source, at))
            _add_campaign(source, at)
            campaign.append(_sweep("sweep", source, at))
            _drop_campaigns(source)
    finally:
        _drop_campaigns(source)
    results = {"database": "postgresql", "fresh": _best(plain, campaign)}
    print_report(results)
    return results


def print_report(results: dict[str, Any]) -> None:
    def verdict(added: float) -> str:
        return "PASS" if added < TARGET else "MISS"

    print(
        f"\ncampaign sweep, {nudges.MEMBERS:,} members, one campaign for 2-step verification on "
        f"every business account ({results['database']}, best of each)"
    )
    for state, words in (("fresh", "nobody reminded yet"), ("reminded", "two days later")):
        found = results.get(state)
        if not found:
            continue
        without, campaign = found["without"], found["with_campaign"]
        print(
            f"  decide, {words + ':':<21}{without['seconds']:>6.2f} s without, "
            f"{campaign['seconds']:>6.2f} s with: {found['added']:+.1%}  "
            f"target < +{TARGET:.0%}  {verdict(found['added'])}"
        )
        print(
            f"    (policy {without['policy_seconds']:.2f} s and {campaign['policy_seconds']:.2f} s; "
            f"{without['reminders']:,} and {campaign['reminders']:,} reminders due; "
            f"runs {found['all_seconds_without']} and {found['all_seconds_with']} s)"
        )
    written = results.get("written")
    if written:
        best = written["best_seconds"]
        print(
            f"  decide and write (fresh):  {best['without']:>6.2f} s without, "
            f"{best['with_campaign']:>6.2f} s with, counting its progress: "
            f"{written['added']:+.1%}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.campaign_sweep", description=__doc__)
    parser.add_argument("--database-url", help="PostgreSQL for the data set")
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args(argv)
    OUTPUT.mkdir(exist_ok=True)
    results = measure(args.database_url, args.runs)
    (OUTPUT / "campaign_sweep.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
