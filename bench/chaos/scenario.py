"""One chaos run, step by step: members, processes, traffic, a sweep, the faults, and the count.

Every wait is bounded: a run that cannot finish says which step ran out of time, and what it
counted so far is still printed.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import Engine, create_engine

from bench.chaos import accounting, workspace
from bench.chaos.cluster import Cluster, Process, Schema
from bench.chaos.traffic import Balancer, Outcome, Traffic
from bench.servers import REPO_ROOT, environment
from sandbox.slack_standin import SlackStandIn


@dataclass(frozen=True)
class Plan:
    members: int = 400
    processes: int = 3
    kills: int = 2  # of the leader, mid-delivery, each replaced by a fresh process
    kill_sweep_by_hand: bool = True  # SIGKILL the `nudge run-once` once it delivers
    messages_per_minute: int = 600  # delivery pace: long enough to be killed in the middle
    fault_every: float = 2.0  # seconds between faults: a 429 burst, a 5xx burst, cut backends
    traffic_threads: int = 3
    sweep_timeout: float = 150.0  # for the sweep by hand to write the outbox and start sending
    failover_timeout: float = 150.0  # for another process to say it leads after a kill
    # For the outbox to be delivered after the last kill: a killed sender's claim lasts 30 s.
    settle_timeout: float = 240.0


@dataclass
class Figures:
    requests: dict[str, int] = field(default_factory=dict)
    requests_failed: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)  # a few, for the report
    reminders: accounting.Reminders | None = None
    failovers: list[float | None] = field(default_factory=list)
    faults: dict[str, int] = field(default_factory=dict)
    unfinished_step: str | None = None  # the step that ran out of time, if one did
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        counted = self.reminders
        return (
            self.unfinished_step is None
            and counted is not None
            and sum(self.requests_failed.values()) == 0
            and counted.lost == 0
            and counted.duplicated == 0
        )

    def lines(self) -> list[str]:
        total, failed = sum(self.requests.values()), sum(self.requests_failed.values())
        kinds = ", ".join(f"{kind} {self.requests_failed.get(kind, 0)}/{n}" for kind, n in
                          sorted(self.requests.items()))  # fmt: skip
        counted = self.reminders
        failovers = ", ".join("none" if s is None else f"{s:.1f} s" for s in self.failovers)
        lines = [
            f"requests failed       {failed} of {total} ({kinds})",
            f"reminders lost        {'?' if counted is None else counted.lost}"
            + ("" if counted is None else f" of {counted.decided} decided"),
            f"reminders duplicated  {'?' if counted is None else counted.duplicated}",
            f"failover              {failovers or 'no kill'} (kill -9 until another leads)",
            "faults                " + ", ".join(f"{k} {v}" for k, v in self.faults.items()),
            f"run                   {self.seconds:.0f} s",
        ]
        if counted is not None and counted.unfinished:
            lines.append(f"still in the outbox   {counted.unfinished} pending or claimed")
        if self.unfinished_step:
            lines.append(f"ran out of time       {self.unfinished_step}")
        lines.extend(f"failed request        {failure}" for failure in self.failures[:5])
        lines.append("result                " + ("PASS" if self.ok else "FAIL"))
        return lines


class Faults:
    """In turn, every `every` seconds: Slack answers a burst of 429s, a burst of 5xx pages, and
    PostgreSQL terminates the app's backends."""

    def __init__(self, standin: SlackStandIn, schema: Schema, every: float) -> None:
        self._standin, self._schema, self._every = standin, schema, every
        self.counts = {"429 bursts": 0, "5xx bursts": 0, "backends terminated": 0}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="chaos-faults", daemon=True)

    def start(self) -> Faults:
        self._thread.start()
        return self

    def stop(self) -> dict[str, int]:
        self._stop.set()
        self._thread.join(timeout=10)
        return dict(self.counts)

    def _loop(self) -> None:
        for turn in itertools.cycle(range(3)):
            if self._stop.wait(self._every):
                return
            if turn == 0:
                self._standin.fail_burst(status=429, calls=3, retry_after=1)
                self.counts["429 bursts"] += 1
            elif turn == 1:
                self._standin.fail_burst(status=503, calls=2)
                self.counts["5xx bursts"] += 1
            else:
                self.counts["backends terminated"] += self._schema.terminate_backends()


class OutOfTime(Exception):
    pass


def wait(step: str, timeout: float, done: Callable[[], bool], poll: float = 0.25) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise OutOfTime(f"{step} (after {timeout:.0f} s)")
        time.sleep(poll)


def run(plan: Plan, database_server: str, work: Path, say: Callable[[str], None]) -> Figures:
    """The whole run; `work` holds the logs and files, `say` reports progress."""
    figures = Figures()
    started = time.monotonic()
    people = workspace.members(plan.members)
    schema = Schema(database_server).create()
    harness: Engine = create_engine(schema.harness_url, pool_pre_ping=True)
    standin = SlackStandIn().start()
    workspace.add_to_slack(standin, people)
    env = environment(
        SLACK_BOT_TOKEN=standin.bot_token,
        SLACK_SIGNING_SECRET="chaos-" + uuid.uuid4().hex,
        SLACK_API_URL=standin.base_url,
        DATABASE_URL=schema.url,
        SECURITY_BOT_KEYS=Fernet.generate_key().decode(),
        SECURITY_ADMINS=workspace.ADMIN,
        ALERTS_SIGNING_SECRET="chaos-alerts-" + uuid.uuid4().hex,
        NUDGE_POLICY_FILE=str(
            workspace.write_policy(work / "policy.toml", plan.messages_per_minute)
        ),
        SCHEDULED_JOBS="on",
        WEB_CONCURRENCY="1",
    )
    cluster = Cluster(env, work)
    balancer = Balancer()
    traffic = Traffic(
        balancer, standin, people, env["SLACK_SIGNING_SECRET"], env["ALERTS_SIGNING_SECRET"],
        threads=plan.traffic_threads,
    )  # fmt: skip
    faults = Faults(standin, schema, plan.fault_every)
    operator: subprocess.Popen[bytes] | None = None
    try:
        _import(env, workspace.write_directory(work / "directory.csv", people))
        say(f"{plan.members} members imported; starting {plan.processes} serve processes")
        for _ in range(plan.processes):
            balancer.add(cluster.start())
        leader = cluster.wait_for_leader(plan.failover_timeout)
        if leader is None:
            raise OutOfTime("the first leader")
        say(f"{leader.name} leads; traffic and faults start")
        traffic.start()
        faults.start()
        operator = _sweep_by_hand(plan, env, harness, standin, work, say)
        expected = len(accounting.decided(harness))
        for kill in range(plan.kills):
            share = expected * (kill + 1) // (plan.kills + 1)
            _wait_for_delivery(standin, share, plan.settle_timeout)
            figures.failovers.append(_kill_leader(cluster, balancer, plan, say))
            balancer.add(cluster.start())
        say("waiting for the outbox to be delivered, the faults going on")
        wait(
            "the outbox to be delivered", plan.settle_timeout,
            lambda: accounting.unfinished(harness) == 0, poll=1.0,
        )  # fmt: skip
        figures.faults = faults.stop()
    except OutOfTime as late:
        figures.unfinished_step = str(late)
    finally:
        figures.faults = figures.faults or faults.stop()
        _tally(figures, traffic.stop())
        figures.reminders = accounting.count(harness, standin)
        if operator is not None and operator.poll() is None:
            operator.kill()
            operator.wait(timeout=10)
        cluster.stop()
        standin.stop()
        harness.dispose()
        schema.drop()
        figures.seconds = time.monotonic() - started
    return figures


def _import(env: dict[str, str], directory: Path) -> None:
    done = subprocess.run(
        [sys.executable, "app.py", "import", "accounts", str(directory)],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"import accounts failed:\n{done.stdout}\n{done.stderr}")


def _sweep_by_hand(
    plan: Plan, env: dict[str, str], harness: Engine, standin: SlackStandIn, work: Path,
    say: Callable[[str], None],
) -> subprocess.Popen[bytes]:  # fmt: skip
    """`nudge run-once`, as an operator runs it, delivering beside the leader; with
    `kill_sweep_by_hand`, killed with SIGKILL once it delivers: the leader's delivery must then
    finish what it began, the reminder it had claimed included."""
    with (work / "nudge-run-once.log").open("wb") as log:
        operator = subprocess.Popen(
            [sys.executable, "app.py", "nudge", "run-once"],
            cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
        )  # fmt: skip
    try:
        wait(
            "the sweep by hand to start delivering", plan.sweep_timeout,
            lambda: len(accounting.received(standin)) >= 5 or operator.poll() is not None,
        )  # fmt: skip
    finally:
        if plan.kill_sweep_by_hand or operator.poll() is not None:
            operator.kill()
            operator.wait(timeout=10)
    killed = "killed" if plan.kill_sweep_by_hand else "delivering"
    say(f"nudge run-once {killed} after its sweep: {len(accounting.decided(harness))} reminders")
    return operator


def _wait_for_delivery(standin: SlackStandIn, reminders: int, timeout: float) -> None:
    """Until Slack has received `reminders` distinct reminders: the kill lands mid-delivery."""
    wait(
        f"delivery to reach {reminders} reminders", timeout,
        lambda: len(accounting.received(standin)) >= reminders,
    )  # fmt: skip


def _kill_leader(
    cluster: Cluster, balancer: Balancer, plan: Plan, say: Callable[[str], None]
) -> float | None:
    # Leadership may be between two processes at this instant (a cut connection): wait for it.
    leader = cluster.wait_for_leader(plan.failover_timeout, poll=0.05)
    if leader is None:
        raise OutOfTime("a leader to kill")
    balancer.withdraw(leader)
    killed_at = cluster.kill(leader)
    say(f"{leader.name} (the leader) killed with SIGKILL mid-delivery")
    successor: Process | None = cluster.wait_for_leader(plan.failover_timeout, poll=0.05)
    if successor is None or successor.leads_since is None:
        say(f"no other process led within {plan.failover_timeout:.0f} s")
        return None
    seconds = successor.leads_since - killed_at
    say(f"{successor.name} leads {seconds:.1f} s after the kill")
    return seconds


def _tally(figures: Figures, outcomes: list[Outcome]) -> None:
    for outcome in outcomes:
        figures.requests[outcome.kind] = figures.requests.get(outcome.kind, 0) + 1
        if not outcome.ok:
            figures.requests_failed[outcome.kind] = figures.requests_failed.get(outcome.kind, 0) + 1
            figures.failures.append(f"{outcome.kind}: {outcome.detail} in {outcome.seconds:.2f} s")
