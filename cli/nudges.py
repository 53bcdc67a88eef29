"""`python app.py nudge run-once [--dry-run] [--at TIME]`: one sweep by hand, then delivery."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import TextIO

import wiring
from bot.core.clock import Clock, FakeClock, SystemClock
from bot.core.config import Settings
from bot.core.errors import ConfigError
from bot.core.leadership import process_id
from bot.nudges.dry_run import describe
from bot.nudges.policy import Decision
from bot.nudges.sender import Messenger, Sender
from bot.services import Services
from bot.workspaces.scope import EVERY_WORKSPACE, current_workspace, workspace_id


def run_once(
    settings: Settings,
    *,
    dry_run: bool,
    at: datetime | None = None,
    verbose: bool = False,
    out: TextIO | None = None,
) -> int:
    """`at` decides (and stamps what is sent) as if it were that time: the sandbox's time travel.
    Claims and delays stay on the real clock, so a run killed mid-way is finished by the leader."""
    if not dry_run and not settings.slack_bot_token:
        raise ConfigError("SLACK_BOT_TOKEN is required to send nudges (or use --dry-run)")
    out = out or sys.stdout
    clock: Clock = FakeClock(at) if at is not None else SystemClock()
    services = wiring.build(settings, clock)
    messenger = None if dry_run else wiring.build_messenger(settings)

    def in_workspace(key: str) -> None:
        if every:
            out.write(f"workspace {key}:\n")
        sweep_and_deliver(
            services, messenger, dry_run=dry_run, verbose=verbose, out=out, real=SystemClock()
        )

    every = current_workspace() in (None, EVERY_WORKSPACE)
    if every:
        failed = services.workspace_rounds.each(in_workspace, what="nudge run-once")
        return 1 if failed else 0
    in_workspace(workspace_id())
    return 0


def sweep_and_deliver(
    services: Services,
    messenger: Messenger | None,
    *,
    dry_run: bool,
    verbose: bool = False,
    out: TextIO,
    real: Clock | None = None,
) -> None:
    """One sweep at the services' clock, then (unless a dry run) delivery of the outbox; claims
    and delays on `real` (the services' clock unless given)."""
    now = services.clock.now()

    def show(decision: Decision) -> None:
        for line in describe(decision, now, waiting=verbose):
            out.write(line + "\n")

    report = services.nudges.sweep(dry_run=dry_run, on_decision=show if dry_run else None)
    out.write(f"sweep at {now:%Y-%m-%d %H:%M} UTC: {report.summary()}\n")
    if dry_run or messenger is None:
        out.write("dry run: nothing was written or sent\n")
        return
    services.nudges.recheck()
    policy = services.nudges.policies
    sender = Sender(
        services.database,
        services.clock,
        messenger,
        policy,
        process_id(),
        real=real,
        languages=services.languages.of,
    )
    out.write(f"delivery: {sender.deliver().summary()}\n")
