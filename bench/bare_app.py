"""The yardstick: a default Bolt app with one `/security` listener that only acknowledges.

Served exactly as our app is (gunicorn through handlers/http_server.py, the same worker and
thread counts, Bolt's WSGI adapter), so the
difference the benchmark measures is what the two apps do with a request. With `--fast` it is
instead the fastest a Bolt app can answer here (process_before_response, nothing but ack), the
floor our app's figures are read against.

    SLACK_BOT_TOKEN=... SLACK_SIGNING_SECRET=... SLACK_API_URL=... python bench/bare_app.py --port N
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from handlers.http_server import serve_forever


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--fast", action="store_true", help="process_before_response=True")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    def build() -> SlackRequestHandler:
        app = create_bare_app(
            os.environ["SLACK_BOT_TOKEN"],
            os.environ["SLACK_SIGNING_SECRET"],
            os.environ["SLACK_API_URL"],
            fast=args.fast,
        )
        return SlackRequestHandler(app)

    serve_forever(build, port=args.port, workers=args.workers, threads=args.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
