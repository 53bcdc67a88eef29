"""The authenticator-linking page's time to first byte, against `app.py serve`.

    .venv/bin/python -m bench.pages [--requests 300]

At concurrency 1, over one keep-alive connection: GET of the landing page (a link check and a
small page) and POST of Start (a new secret, stored encrypted, the QR code rendered as SVG), with
GET /healthz as the floor. Time to first byte runs from sending the request to having its status
line and headers; the body is read after the clock stops. The data lives in a throwaway SQLite
database.
"""

from __future__ import annotations

import argparse
import http.client
import math
import re
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from cryptography.fernet import Fernet

from bench import servers
from bot.core.clock import SystemClock
from bot.core.config import Settings
from bot.core.secure_links import LinkPurpose
from bot.services import build_services
from sandbox.slack_standin import SlackStandIn
from storage.database import connect, upgrade

OUTPUT = servers.REPO_ROOT / ".bench"
MEMBER = "U0BENCHPAGE"
_CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes | None
    headers: dict[str, str]
    expect: bytes


@dataclass(frozen=True)
class Timing:
    name: str
    seconds: tuple[float, ...]
    failures: int

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.seconds)
        if not ordered:
            return math.nan
        return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]

    def figures(self) -> dict[str, Any]:
        return {
            "requests": len(self.seconds),
            "failures": self.failures,
            "p50_ms": round(self.percentile(0.50) * 1000, 3),
            "p99_ms": round(self.percentile(0.99) * 1000, 3),
            "max_ms": round(max(self.seconds, default=math.nan) * 1000, 3),
        }


def time_to_first_byte(
    connection: http.client.HTTPConnection, request: Request, count: int, name: str
) -> Timing:
    seconds: list[float] = []
    failures = 0
    for _ in range(count):
        started = time.perf_counter()
        connection.request(request.method, request.path, request.body, request.headers)
        response = connection.getresponse()
        elapsed = time.perf_counter() - started
        body = response.read()
        if response.status != 200 or request.expect not in body:
            failures += 1
        seconds.append(elapsed)
    return Timing(name, tuple(seconds), failures)


def _start_form(connection: http.client.HTTPConnection, path: str) -> Request:
    """What pressing Start sends: the CSRF cookie from the landing page and its hidden field."""
    connection.request("GET", path)
    response = connection.getresponse()
    page = response.read().decode()
    cookie = (response.getheader("Set-Cookie") or "").split(";")[0]
    found = _CSRF_FIELD.search(page)
    if response.status != 200 or not cookie or found is None:
        raise servers.StartFailed(f"the landing page answered {response.status} without a form")
    body = urlencode({"step": "start", "csrf": found.group(1)}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    return Request("POST", path, body, headers, b'id="manual-key"')


def measure(requests: int = 300, warmup: int = 30) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as directory, SlackStandIn() as standin:
        url = f"sqlite:///{Path(directory) / 'pages.db'}"
        upgrade(url)
        keys = Fernet.generate_key().decode()
        env = servers.environment(
            SLACK_BOT_TOKEN=standin.bot_token,
            SLACK_SIGNING_SECRET="bench-" + uuid.uuid4().hex,
            SLACK_API_URL=standin.base_url,
            DATABASE_URL=url,
            SECURITY_BOT_KEYS=keys,
        )
        database = connect(url)
        try:
            settings = Settings(database_url=url, security_bot_keys=(keys,))
            links = build_services(settings, SystemClock(), database).secure_links
            path = urlsplit(links.issue(MEMBER, LinkPurpose.LINK_AUTHENTICATOR).url).path
        finally:
            database.dispose()
        with servers.ours(env, OUTPUT / "pages.stderr") as server:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            try:
                start = _start_form(connection, path)
                runs: list[tuple[str, Request]] = [
                    ("GET landing", Request("GET", path, None, {}, b"Link an authenticator app")),
                    ("POST start", start),
                    ("GET /healthz (floor)", Request("GET", "/healthz", None, {}, b"ok")),
                ]
                timings = []
                for name, request in runs:
                    time_to_first_byte(connection, request, warmup, name)
                    timings.append(time_to_first_byte(connection, request, requests, name))
            finally:
                connection.close()
    report(timings, requests)
    return {timing.name: timing.figures() for timing in timings}


def report(timings: list[Timing], requests: int) -> None:
    print(
        f"\nauthenticator-linking page, time to first byte "
        f"(app.py serve, SQLite, concurrency 1, {requests} requests each)"
    )
    print(f"  {'':<22}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for timing in timings:
        figures = timing.figures()
        failed = f"  {timing.failures} FAILED" if timing.failures else ""
        print(
            f"  {timing.name:<22}{figures['p50_ms']:>9.2f}{figures['p99_ms']:>9.2f}"
            f"{figures['max_ms']:>9.2f}{failed}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__)
    parser.add_argument("--requests", type=int, default=300, help="per page (default 300)")
    args = parser.parse_args(argv)
    try:
        measure(args.requests)
    except servers.StartFailed as error:
        print(f"bench: could not start the app:\n{error}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
