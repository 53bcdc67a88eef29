"""Signed slash commands sent by wrk, a load generator written in C, over persistent connections.

Requests are built and signed before the clock starts. wrk times each from its first byte sent
to the last byte of the answer read, and uses little CPU of its own: a Python load generator
took a third of a core from the two apps share at concurrency 16.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from sandbox.payloads import sign

SCRIPT = Path(__file__).with_name("wrk_signed.lua")
PERCENTILES = ("p50", "p90", "p99")


class LoadGeneratorMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class Prepared:
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class Run:
    """One wrk run: answers, failures, wall time and latency percentiles in milliseconds."""

    requests: int
    failures: int
    seconds: float
    percentiles_ms: dict[str, float]
    max_ms: float

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def slash_commands(
    signing_secret: str, user_ids: Sequence[str], count: int, *, offset: int = 0
) -> list[Prepared]:
    """`/security status` from `count` members taken in turn from `user_ids`, signed now."""
    stamp = int(time.time())
    prepared = []
    for n in range(count):
        user_id = user_ids[(offset + n) % len(user_ids)]
        form = {
            "token": "legacy-unused",
            "team_id": "T0STANDIN",
            "team_domain": "bench",
            "channel_id": "D0BENCH",
            "channel_name": "directmessage",
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": "/security",
            "text": "status",
            "api_app_id": "A0BENCH",
            "response_url": "http://127.0.0.1:9/response/unused",
            "trigger_id": f"{stamp}.{n}.bench",
        }
        body = urlencode(form).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            **sign(signing_secret, body, stamp),
        }
        prepared.append(Prepared(body, headers))
    return prepared


def run(
    url: str, requests: Sequence[Prepared], concurrency: int, expect: str, seconds: float
) -> Run:
    """Send `requests` in turn, over and again, on `concurrency` connections for `seconds`."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise LoadGeneratorMissing("wrk is not installed (scripts/ensure-bench-tools installs it)")
    with tempfile.NamedTemporaryFile("w", suffix=".requests", delete=False) as listing:
        for request in requests:
            headers = request.headers
            stamp, signature = headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
            listing.write(f"{stamp}\t{signature}\t{request.body.decode()}\n")
    try:
        command = [
            wrk,
            "-t1",
            f"-c{concurrency}",
            f"-d{max(1, round(seconds))}s",
            "-s",
            str(SCRIPT),
        ]
        command += [url, "--", listing.name, expect]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        Path(listing.name).unlink()
    figures = json.loads(output.strip().splitlines()[-1])
    return Run(
        requests=figures["requests"],
        failures=figures["bad"] + figures["errors"],
        seconds=figures["seconds"],
        percentiles_ms={pct: figures[f"{pct}_us"] / 1000 for pct in PERCENTILES},
        max_ms=figures["max_us"] / 1000,
    )


def merge(runs: Sequence[Run]) -> Run:
    """Rounds of one app: counts added, each percentile the median of the rounds' (so one busy
    moment on the machine moves it less than it would a pooled figure)."""
    return Run(
        requests=sum(run.requests for run in runs),
        failures=sum(run.failures for run in runs),
        seconds=sum(run.seconds for run in runs),
        percentiles_ms={
            pct: statistics.median(run.percentiles_ms[pct] for run in runs) for pct in PERCENTILES
        },
        max_ms=max(run.max_ms for run in runs),
    )
