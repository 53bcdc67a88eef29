"""The yardstick: a default Bolt app with one `/security` listener that only acknowledges.

Served by the same server as our app (Granian through handlers/web/http_server.py and the same
DeadlineFront, the same number of worker processes, Bolt's WSGI adapter), so the difference the benchmark measures is what the
two apps do with a request. Its listener holds a thread for Bolt's 10 ms ack polling, so it gets
as many threads per worker as suit it best (`--threads`). With `--fast` it is instead the fastest
a Bolt app can answer here (process_before_response, nothing but ack), the floor our app's
figures are read against.

    SLACK_BOT_TOKEN=... SLACK_SIGNING_SECRET=... SLACK_API_URL=... python -m bench.bare_app --port N
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from handlers.web.deadline_front import DeadlineFront
from handlers.web.http_server import die_with_server, serve_forever

FAST = "BENCH_BARE_FAST"
THREADS = "BENCH_BARE_THREADS"


def create_bare_app(token: str, signing_secret: str, api_url: str, *, fast: bool = False) -> App:
    app = App(
        token=token,
        signing_secret=signing_secret,
        client=WebClient(token=token, base_url=api_url),
        process_before_response=fast,
    )

    @app.command("/security")
    def security(ack: Ack) -> None:
        ack("ok")

    return app


def worker() -> DeadlineFront:
    """The server's factory, run in each worker process."""
    die_with_server()
    app = create_bare_app(
        os.environ["SLACK_BOT_TOKEN"],
        os.environ["SLACK_SIGNING_SECRET"],
        os.environ["SLACK_API_URL"],
        fast=os.environ.get(FAST) == "1",
    )
    threads = int(os.environ[THREADS])
    return DeadlineFront(SlackRequestHandler(app), threads=threads, body_deadline=5.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--fast", action="store_true", help="process_before_response=True")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    os.environ[FAST] = "1" if args.fast else "0"
    os.environ[THREADS] = str(args.threads)
    serve_forever("bench.bare_app:worker", port=args.port, workers=args.workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
