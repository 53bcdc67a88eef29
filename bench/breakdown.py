"""Where our app spends a `/security status`: each stage timed in-process, without a profiler.

    .venv/bin/python -m bench.breakdown [--database-url URL]

The stages are timed separately, on one thread, each after a short pause as at concurrency 1
(on this kind of machine code runs markedly slower after an idle moment, so stages timed back
to back would look cheaper than they are in service). The pause also lets the work Bolt starts
after the answer (lazy listeners) finish, so no stage is timed while another runs. The medians
do not add up exactly to the whole; the rest is shown as such.
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
from sqlalchemy import event

from bench import dataset, load
from bot import views, wiring
from bot.clock import SystemClock
from bot.config import Settings
from sandbox.slack_standin import SlackStandIn
from storage import members as member_store

SECRET = "bench-breakdown"
SETTLE = 0.003  # seconds between timed calls


@dataclass(frozen=True)
class Stage:
    name: str
    median_ms: float
    depth: int = 0


def _median_ms(samples: Iterable[float]) -> float:
    return round(statistics.median(samples) * 1000, 3)


def _timed(action: Callable[[], object], count: int, settle: float = SETTLE) -> list[float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
        if settle:
            time.sleep(settle)
    return samples


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


def breakdown(url: str, count: int = 400) -> list[Stage]:
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
            return _stages(web, services, client, user_ids, count)
        finally:
            services.database.dispose()


def _stages(
    web: Callable[..., Iterable[bytes]],
    services: Any,
    client: WebClient,
    user_ids: list[str],
    count: int,
) -> list[Stage]:
    turn = iter(range(10**9))

    def next_user() -> str:
        return user_ids[next(turn) % len(user_ids)]

    requests = iter(load.slash_commands(SECRET, user_ids, count * 2, offset=5_000))

    def whole() -> None:
        statuses: list[str] = []
        answer = b"".join(web(_environ(next(requests)), lambda s, h: statuses.append(s)))
        assert statuses[0].startswith("200") and b"checks pass" in answer, (statuses, answer)

    _timed(whole, count // 4)  # warm caches and the connection pool
    wsgi = _timed(whole, count)

    status = _timed(lambda: services.members.status(next_user()), count)
    sql = _driver_time(services, lambda: services.members.status(next_user()), count)
    queries = _query_times(services, next_user, count)
    checklist = services.members.status(user_ids[0]).checklist
    message = views.status_message(checklist, own=True)
    render = _timed(lambda: views.status_message(checklist, own=True), count)
    lazy = _timed(lambda: services.members.profile_is_stale(next_user()), count)
    bolt_plain = _bolt_only(client, message, with_lazy=False, count=count)
    bolt_lazy = _bolt_only(client, message, with_lazy=True, count=count)

    m = _median_ms
    explained = m(status) + m(render) + m(bolt_lazy)
    return [
        Stage("whole WSGI call for /security status (what waitress calls)", m(wsgi)),
        Stage("members.status(): the checklist from the database", m(status), 1),
        Stage("3 SQL statements, in the database driver", m(sql), 2),
        Stage("query 1 member_by_slack_id, via the ORM (driver time included)", queries[0], 2),
        Stage("query 2 accounts_of_member, via the ORM", queries[1], 2),
        Stage("query 3 check_results_of_member, via the ORM", queries[2], 2),
        Stage("rest: session, evidence objects, build_checklist", m(status) - sum(queries), 2),
        Stage("render: views.status_message (Block Kit dicts)", m(render), 1),
        Stage("Bolt alone, same settings, acking that message (signature, parsing, JSON)", m(bolt_plain), 1),
        Stage("... plus starting one no-op lazy listener (deep copy of the request)", m(bolt_lazy) - m(bolt_plain), 1),
        Stage("unexplained (our middleware, handlers, WSGI guard)", m(wsgi) - explained, 1),
        Stage("after the answer, on a listener thread: profile_is_stale()", m(lazy)),
    ]  # fmt: skip


def _driver_time(services: Any, action: Callable[[], object], count: int) -> list[float]:
    """Time spent inside cursor.execute for each call of `action`."""
    engine = services.database.engine
    spent: list[float] = []
    opened: list[float] = []

    def before(*_args: Any) -> None:
        opened.append(time.perf_counter())

    def after(*_args: Any) -> None:
        spent[-1] += time.perf_counter() - opened.pop()

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        for _ in range(count):
            spent.append(0.0)
            action()
            time.sleep(SETTLE)
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    return spent


def _query_times(services: Any, next_user: Callable[[], str], count: int) -> list[float]:
    """The median of each of the three storage queries, in one session as status() runs them."""
    samples: list[list[float]] = [[], [], []]
    for _ in range(count):
        with services.database.sessions() as session:
            started = time.perf_counter()
            member = member_store.member_by_slack_id(session, next_user())
            first = time.perf_counter()
            assert member is not None
            member_store.accounts_of_member(session, member.id)
            second = time.perf_counter()
            member_store.check_results_of_member(session, member.id)
            third = time.perf_counter()
        samples[0].append(first - started)
        samples[1].append(second - first)
        samples[2].append(third - second)
        time.sleep(SETTLE)
    return [_median_ms(found) for found in samples]


def _bolt_only(
    client: WebClient, message: dict[str, Any], *, with_lazy: bool, count: int
) -> list[float]:
    """A Bolt app set up as ours (process_before_response) whose listener acks `message`."""
    executor = ThreadPoolExecutor(max_workers=4)
    app = App(
        client=client,
        signing_secret=SECRET,
        process_before_response=True,
        token_verification_enabled=False,
        listener_executor=executor,
    )

    def acknowledge(ack: Ack) -> None:
        ack(response_type="ephemeral", text=message["text"], blocks=message["blocks"])

    def nothing() -> None:
        pass

    app.command("/security")(ack=acknowledge, lazy=[nothing] if with_lazy else [])
    prepared = iter(load.slash_commands(SECRET, ["U0BENCH"], count + 50))

    def dispatch() -> None:
        request = next(prepared)
        headers: dict[str, str | Sequence[str]] = dict(request.headers)
        response = app.dispatch(BoltRequest(body=request.body.decode(), headers=headers))
        assert response.status == 200, response.body

    _timed(dispatch, 50)
    try:
        return _timed(dispatch, count)
    finally:
        executor.shutdown()


def print_breakdown(stages: list[Stage]) -> None:
    print(
        f"\nwhere our app spends a /security status (in-process, median ms, {SETTLE * 1000:.0f} ms apart)"
    )
    for stage in stages:
        indent = "  " * stage.depth
        print(f"  {indent}{stage.name:<{74 - len(indent)}}{stage.median_ms:>7.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.breakdown", description=__doc__)
    parser.add_argument("--database-url")
    args = parser.parse_args(argv)
    if args.database_url:
        url, _ = dataset.postgres_dataset(args.database_url, 10_000)
    else:
        url, _ = dataset.sqlite_dataset(dataset.CACHE, 10_000)
    print_breakdown(breakdown(url))
    return 0


if __name__ == "__main__":
    sys.exit(main())
