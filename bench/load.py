"""Signed slash commands sent over persistent connections, one connection per client thread.

Requests are built and signed before the clock starts; each latency runs from the first byte
sent to the last byte of the answer read.
"""

from __future__ import annotations

import http.client
import itertools
import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from sandbox.payloads import sign


@dataclass(frozen=True)
class Prepared:
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class Run:
    latencies: tuple[float, ...]  # seconds, in completion order
    failures: int
    seconds: float  # wall time of the whole run
    first_failure: str | None

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        """Nearest-rank percentile, in seconds."""
        ordered = sorted(self.latencies)
        if not ordered:
            return math.nan
        rank = max(1, math.ceil(fraction * len(ordered)))
        return ordered[rank - 1]


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


def run(url: str, requests: Sequence[Prepared], concurrency: int, expect: bytes) -> Run:
    """Send every request once with `concurrency` client threads; `expect` must be in each answer."""
    host, port = url.removeprefix("http://").split(":")
    next_index = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    failures: list[str] = []
    ready = threading.Barrier(concurrency + 1)

    def client() -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        mine: list[float] = []
        problems: list[str] = []
        ready.wait()
        try:
            while (index := next(next_index)) < len(requests):
                request = requests[index]
                started = time.perf_counter()
                try:
                    connection.request("POST", "/slack/events", request.body, request.headers)
                    response = connection.getresponse()
                    answer = response.read()
                except (OSError, http.client.HTTPException) as error:
                    problems.append(f"{type(error).__name__}: {error}")
                    connection.close()
                    connection = http.client.HTTPConnection(host, int(port), timeout=30)
                    continue
                elapsed = time.perf_counter() - started
                if response.status != 200 or expect not in answer:
                    problems.append(f"HTTP {response.status}: {answer[:200]!r}")
                else:
                    mine.append(elapsed)
        finally:
            connection.close()
            with lock:
                latencies.extend(mine)
                failures.extend(problems)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return Run(tuple(latencies), len(failures), seconds, failures[0] if failures else None)


def merge(runs: Sequence[Run]) -> Run:
    failures = [run.first_failure for run in runs if run.first_failure]
    return Run(
        latencies=tuple(itertools.chain.from_iterable(run.latencies for run in runs)),
        failures=sum(run.failures for run in runs),
        seconds=sum(run.seconds for run in runs),
        first_failure=failures[0] if failures else None,
    )
