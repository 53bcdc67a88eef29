"""The Slack stand-in's HTTP plumbing: a loopback server on a daemon thread that hands each request,
read whole, to one function and writes back its reply. What is answered lives in
sandbox.slack_standin; nothing here knows about Slack."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Request:
    path: str
    query: str
    content_type: str
    authorization: str
    body: bytes


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json; charset=utf-8"
    retry_after: int | None = None


def json_reply(payload: dict[str, Any], status: int = 200, **kw: Any) -> Reply:
    return Reply(status, json.dumps(payload).encode(), **kw)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, handle: Callable[[Request], Reply]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.handle = handle


class _Handler(BaseHTTPRequestHandler):
    server: Server

    def log_message(self, format: str, *args: Any) -> None:
        """Stay silent: test output and the sandbox console are not the place for access logs."""

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        request = Request(
            path=self.path,
            query=urlsplit(self.path).query,
            content_type=self.headers.get("Content-Type", ""),
            authorization=self.headers.get("Authorization", ""),
            body=self.rfile.read(length) if length else b"",
        )
        reply = self.server.handle(request)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        if reply.retry_after is not None:
            self.send_header("Retry-After", str(reply.retry_after))
        self.end_headers()
        self.wfile.write(reply.body)
