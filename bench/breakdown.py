"""Where our app spends a `/security status`: each stage timed in-process, without a profiler.

    .venv/bin/python -m bench.breakdown [--database-url URL]

Each stage is timed on its own, on one thread, and the stages take turns (one of each, then the
next round) so a busy moment on the machine hits all of them alike. Every timed call follows a
short pause, as requests do at concurrency 1: code runs markedly slower after an idle moment
here, so stages timed back to back would look cheaper than they are in service. The pause also
lets the work Bolt starts after the answer (lazy listeners) finish unobserved. The medians do
not add up exactly to the whole; the rest is shown as such.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.fernet import Fernet
from slack_bolt import Ack, App, BoltRequest
from slack_sdk import WebClient

import wiring
from bench import dataset, load
from bot.checklist import views
from bot.core.clock import SystemClock
from bot.core.config import Settings
from bot.services import Services
from sandbox.slack_standin import SlackStandIn
from storage import members as member_store

SECRET = "bench-breakdown"
SETTLE = 0.003  # seconds between timed calls
Probe = Callable[[], dict[str, float]]  # one timed call; durations in seconds by stage name


@dataclass(frozen=True)
class Stage:
    name: str
    median_ms: float
    depth: int = 0


def breakdown(url: str, rounds: int = 400) -> list[Stage]:
    dataset.refresh_profiles(url, datetime.now(UTC))
    user_ids = [dataset.member_slack_id(n) for n in range(1, 10_001)]
    with SlackStandIn() as standin:
        settings = Settings(
            slack_bot_token=standin.bot_token,
            slack_signing_secret=SECRET,
            slack_api_url=standin.base_url,
            database_url=url,
            security_bot_keys=(Fernet.generate_key().decode(),),
        )
        services = wiring.build(settings, SystemClock())
        web = wiring.create_web(settings, services, wiring.create_app(settings, services))
        client = WebClient(token=standin.bot_token, base_url=standin.base_url)
        try:
            return _stages(web, services, client, user_ids, rounds)
        finally:
            services.database.dispose()


def _stages(
    web: Callable[..., Iterable[bytes]],
    services: Services,
    client: WebClient,
    user_ids: list[str],
    rounds: int,
) -> list[Stage]:
    turn = iter(range(10**9))

    def next_user() -> str:
        return user_ids[next(turn) % len(user_ids)]

    message = views.status_message(services.members.status(user_ids[0]).checklist, own=True)
    probes = [
        _whole(web, user_ids, rounds),
        _timing("status", lambda: services.members.status(next_user())),
        _timing("rows", lambda: member_store.status_rows(services.database.reads, next_user())),
        _render(services, user_ids[0]),
        _bolt_only(client, message, "bolt", with_lazy=False, count=rounds),
        _bolt_only(client, message, "bolt_lazy", with_lazy=True, count=rounds),
        _timing("stale", lambda: services.members.profile_is_stale(next_user())),
    ]
    for _ in range(max(1, rounds // 8)):  # warm caches and the connection pool
        for probe in probes:
            probe()
            time.sleep(SETTLE)
    samples: dict[str, list[float]] = {}
    for _ in range(rounds):
        for probe in probes:
            for name, seconds in probe().items():
                samples.setdefault(name, []).append(seconds)
            time.sleep(SETTLE)
    m = {name: round(statistics.median(found) * 1000, 3) for name, found in samples.items()}
    explained = m["status"] + m["render"] + m["bolt"]  # status is answered without a lazy listener
    return [
        Stage("whole WSGI call for /security status (what Granian calls)", m["whole"]),
        Stage("members.status(): the checklist from the database", m["status"], 1),
        Stage("status_rows(): 1 statement on the driver's cursor, pool included", m["rows"], 2),
        Stage("rest: evidence objects, build_checklist", m["status"] - m["rows"], 2),
        Stage("render: views.status_message (Block Kit dicts)", m["render"], 1),
        Stage("Bolt alone, same settings, acking that message (signature, parsing, JSON)", m["bolt"], 1),
        Stage("(a lazy listener would add: deep copy of the request; status has none)", m["bolt_lazy"] - m["bolt"], 1),
        Stage("unexplained (our middleware, handlers, WSGI guard, contention)", m["whole"] - explained, 1),
        Stage("after the answer, on a listener thread: profile_is_stale()", m["stale"]),
    ]  # fmt: skip


def _timing(name: str, action: Callable[[], object]) -> Probe:
    def probe() -> dict[str, float]:
        started = time.perf_counter()
        action()
        return {name: time.perf_counter() - started}

    return probe


def _environ(request: load.Prepared) -> dict[str, Any]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_LENGTH": str(len(request.body)),
        "CONTENT_TYPE": request.headers["Content-Type"],
        "wsgi.input": io.BytesIO(request.body),
    }
    for name, value in request.headers.items():
        if name != "Content-Type":
            environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


def _whole(web: Callable[..., Iterable[bytes]], user_ids: list[str], rounds: int) -> Probe:
    """Our WSGI app as Granian calls it, with a signed `/security status`."""
    requests = iter(load.slash_commands(SECRET, user_ids, rounds * 2, offset=5_000))

    def call() -> None:
        statuses: list[str] = []
        answer = b"".join(web(_environ(next(requests)), lambda s, h: statuses.append(s)))
        assert statuses[0].startswith("200") and b"checks pass" in answer, (statuses, answer)

    return _timing("whole", call)


def _render(services: Services, user_id: str) -> Probe:
    checklist = services.members.status(user_id).checklist
    return _timing("render", lambda: views.status_message(checklist, own=True))


def _bolt_only(
    client: WebClient, message: dict[str, Any], name: str, *, with_lazy: bool, count: int
) -> Probe:
    """A Bolt app set up as ours (process_before_response) whose listener acks `message`."""
    app = App(
        client=client,
        signing_secret=SECRET,
        process_before_response=True,
        token_verification_enabled=False,
        listener_executor=ThreadPoolExecutor(max_workers=4),
    )

    def acknowledge(ack: Ack) -> None:
        ack(response_type="ephemeral", text=message["text"], blocks=message["blocks"])

    def nothing() -> None:
        pass

    app.command("/security")(ack=acknowledge, lazy=[nothing] if with_lazy else [])
    prepared = iter(load.slash_commands(SECRET, ["U0BENCH"], count * 2))

    def dispatch() -> None:
        request = next(prepared)
        headers: dict[str, str | Sequence[str]] = dict(request.headers)
        response = app.dispatch(BoltRequest(body=request.body.decode(), headers=headers))
        assert response.status == 200, response.body

    return _timing(name, dispatch)


def print_breakdown(stages: list[Stage]) -> None:
    print(
        "\nwhere our app spends a /security status "
        f"(in-process, median ms, calls {SETTLE * 1000:.0f} ms apart)"
    )
    for stage in stages:
        indent = "  " * stage.depth
        print(f"  {indent}{stage.name:<{74 - len(indent)}}{stage.median_ms:>7.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.breakdown", description=__doc__)
    parser.add_argument("--database-url", help="PostgreSQL to build the data set in")
    args = parser.parse_args(argv)
    if args.database_url:
        url, _ = dataset.postgres_dataset(args.database_url, 10_000)
    else:
        url, _ = dataset.sqlite_dataset(dataset.CACHE, 10_000)
    print_breakdown(breakdown(url))
    return 0


if __name__ == "__main__":
    sys.exit(main())
