"""Authenticator code verification throughput, on one core.

    .venv/bin/python -m bench.codes [--seconds 3]

Two figures: the pure rule (`bot.totp.matching_step`: format check, three candidate steps, a
constant-time compare each) and the whole service call a step-up makes
(`AuthenticatorService.verify`: row lock, lockout count from the audit trail, decrypting the
secret, replay check, audit record), against a throwaway SQLite database.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyotp
from cryptography.fernet import Fernet

from bot.core.clock import FakeClock, SystemClock
from bot.core.config import Settings
from bot.services import build_services
from bot.twostep import totp
from storage.database import connect, upgrade


def _pin_to_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def _rate(work: Any, seconds: float) -> float:
    done, start = 0, time.process_time()
    while time.process_time() - start < seconds:
        work()
        done += 1
    return done / (time.process_time() - start)


def measure(seconds: float = 3.0) -> dict[str, float]:
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    _pin_to_one_core()
    try:
        return _measure(seconds)
    finally:
        if cores is not None:
            os.sched_setaffinity(0, cores)


def _measure(seconds: float) -> dict[str, float]:
    secret = totp.new_secret()
    clock = FakeClock(SystemClock().now())
    code = pyotp.TOTP(secret).at(clock.now())
    pure = _rate(lambda: totp.matching_step(secret, code, clock.now(), last_step=None), seconds)

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'codes.db'}"
        upgrade(url)
        settings = Settings(database_url=url, security_bot_keys=(Fernet.generate_key().decode(),))
        services = build_services(settings, clock, connect(url))
        linked = services.authenticator.begin("U0BENCH").secret
        services.authenticator.confirm("U0BENCH", pyotp.TOTP(linked).at(clock.now()))

        def step_up() -> None:
            clock.advance(timedelta(seconds=30))  # each code from a new step: no replay
            services.authenticator.verify("U0BENCH", pyotp.TOTP(linked).at(clock.now()))

        service = _rate(step_up, seconds)
        services.database.dispose()
    return {"rule_per_second": pure, "service_verify_per_second": service}


def print_figures(figures: dict[str, float]) -> None:
    print("authenticator code verification, one core (CPU time)")
    print(f"  the rule (bot.totp.matching_step)      {figures['rule_per_second']:>10,.0f} codes/s")
    print(
        "  a step-up (AuthenticatorService.verify) "
        f"{figures['service_verify_per_second']:>9,.0f} codes/s (SQLite, audited)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    print_figures(measure(parser.parse_args().seconds))


if __name__ == "__main__":
    main()
