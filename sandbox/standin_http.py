"""The stand-ins' HTTP plumbing: a loopback server on a daemon thread that hands each request, read
whole, to one function and writes back its reply, and the start/stop every stand-in shares. What is
answered lives in sandbox.slack_standin and sandbox.pwned_standin; nothing here knows about them."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Request:
    path: str
    query: str
    content_type: str
    authorization: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)  # every header, by lower-case name


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json; charset=utf-8"
    retry_after: int | None = None
    location: str | None = None  # a redirect's target


def json_reply(payload: dict[str, Any], status: int = 200, **kw: Any) -> Reply:
    return Reply(status, json.dumps(payload).encode(), **kw)


class LoopbackStandIn:
    """A stand-in served on 127.0.0.1 from a daemon thread: started, stopped, or used in `with`.

    Subclasses answer each request in `_handle`."""

    def __init__(self) -> None:
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    def _handle(self, request: Request) -> Reply:
        raise NotImplementedError

    def start(self) -> Self:
        if self._server is not None:
            raise RuntimeError("the stand-in is already running")
        self._server = Server(self._handle)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread, self._server, self._thread = self._server, self._thread, None, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def origin(self) -> str:
        if self._server is None:
            raise RuntimeError("start() the stand-in first")
        return f"http://127.0.0.1:{self._server.server_address[1]}"


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
            headers={name.lower(): value for name, value in self.headers.items()},
        )
        reply = self.server.handle(request)
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            if reply.retry_after is not None:
                self.send_header("Retry-After", str(reply.retry_after))
            if reply.location is not None:
                self.send_header("Location", reply.location)
            self.end_headers()
            self.wfile.write(reply.body)
        except OSError:  # the client gave up waiting (a timeout test): nothing to answer
            pass
