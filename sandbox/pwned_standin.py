"""A loopback stand-in for the Pwned Passwords range API, for tests, benchmarks and the sandbox.

`GET /range/{5 hex}` answers `SUFFIX:COUNT` lines, one per known breached password with that
SHA-1 prefix, plus padding lines of count 0 when `Add-Padding: true` is sent, as the real API
does. It records each request's path and headers, and can be told to be slow or to fail.
"""

from __future__ import annotations

import hashlib
import random
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

_RANGE_PATH = re.compile(r"^/range/([0-9A-Fa-f]{5})$")
PADDING_LINES = 800  # the real API pads each answer to 800-1,000 lines


@dataclass(frozen=True)
class RangeRequest:
    path: str
    headers: dict[str, str]


class PwnedStandIn:
    """Serves the range API on 127.0.0.1 from a daemon thread; see the module docstring."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._breached: dict[str, int] = {}  # full upper-case SHA-1 to how often it was seen
        self._requests: list[RangeRequest] = []
        self.delay = 0.0  # seconds before each answer
        self.status = 200  # answer with this status (and no range) when not 200
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- set-up -------------------------------------------------------------------------------

    def add_breached(self, password: str, count: int = 1) -> None:
        """Make `password` known as breached (it is hashed here and only the hash is kept)."""
        digest = hashlib.sha1(password.encode("utf-8"), usedforsecurity=False).hexdigest().upper()
        with self._lock:
            self._breached[digest] = count

    def start(self) -> PwnedStandIn:
        if self._server is not None:
            raise RuntimeError("the stand-in is already running")
        self._server = _Server(self)
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

    def __enter__(self) -> PwnedStandIn:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("start() the stand-in first")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # -- asserting ----------------------------------------------------------------------------

    def requests(self) -> list[RangeRequest]:
        with self._lock:
            return list(self._requests)

    def paths(self) -> list[str]:
        return [request.path for request in self.requests()]

    # -- serving ------------------------------------------------------------------------------

    def answer(self, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
        with self._lock:
            self._requests.append(RangeRequest(path, headers))
            delay, status = self.delay, self.status
            breached = dict(self._breached)
        if delay:
            time.sleep(delay)
        match = _RANGE_PATH.match(path)
        if match is None:
            return 404, b"Not found"
        if status != 200:
            return status, b"Service unavailable"
        prefix = match.group(1).upper()
        lines = [
            f"{digest[5:]}:{count}" for digest, count in breached.items() if digest[:5] == prefix
        ]
        if headers.get("add-padding", "").lower() == "true":
            lines.extend(_padding(prefix, PADDING_LINES - len(lines)))
        random.shuffle(lines)
        return 200, ("\r\n".join(lines)).encode()


def _padding(prefix: str, count: int) -> list[str]:
    """Made-up suffixes with count 0, stable per prefix, as the real API's padding looks."""
    generator = random.Random(prefix)  # noqa: S311 - filler, not security
    return [f"{generator.getrandbits(140):035X}"[:35] + ":0" for _ in range(max(0, count))]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, standin: PwnedStandIn) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.standin = standin


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Silent, like the Slack stand-in."""

    def do_GET(self) -> None:
        headers = {name.lower(): value for name, value in self.headers.items()}
        status, body = self.server.standin.answer(self.path, headers)
        try:
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the client gave up waiting (a timeout test): nothing to answer
            pass
