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

from sandbox.standin_http import LoopbackStandIn, Reply, Request

_RANGE_PATH = re.compile(r"^/range/([0-9A-Fa-f]{5})$")
_TEXT = "text/plain"
PADDING_LINES = 800  # the real API pads each answer to 800-1,000 lines


@dataclass(frozen=True)
class RangeRequest:
    path: str
    headers: dict[str, str]


class PwnedStandIn(LoopbackStandIn):
    """Serves the range API on 127.0.0.1 from a daemon thread; see the module docstring."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._breached: dict[str, int] = {}  # full upper-case SHA-1 to how often it was seen
        self._requests: list[RangeRequest] = []
        self.delay = 0.0  # seconds before each answer
        self.status = 200  # answer with this status (and no range) when not 200

    # -- set-up -------------------------------------------------------------------------------

    def add_breached(self, password: str, count: int = 1) -> None:
        """Make `password` known as breached (it is hashed here and only the hash is kept)."""
        digest = hashlib.sha1(password.encode("utf-8"), usedforsecurity=False).hexdigest().upper()
        with self._lock:
            self._breached[digest] = count

    @property
    def base_url(self) -> str:
        return self.origin

    # -- asserting ----------------------------------------------------------------------------

    def requests(self) -> list[RangeRequest]:
        with self._lock:
            return list(self._requests)

    def paths(self) -> list[str]:
        return [request.path for request in self.requests()]

    # -- serving ------------------------------------------------------------------------------

    def _handle(self, request: Request) -> Reply:
        path, headers = request.path, request.headers
        with self._lock:
            self._requests.append(RangeRequest(path, headers))
            delay, status = self.delay, self.status
            breached = dict(self._breached)
        if delay:
            time.sleep(delay)
        match = _RANGE_PATH.match(path)
        if match is None:
            return Reply(404, b"Not found", _TEXT)
        if status != 200:
            return Reply(status, b"Service unavailable", _TEXT)
        prefix = match.group(1).upper()
        lines = [
            f"{digest[5:]}:{count}" for digest, count in breached.items() if digest[:5] == prefix
        ]
        if headers.get("add-padding", "").lower() == "true":
            lines.extend(_padding(prefix, PADDING_LINES - len(lines)))
        random.shuffle(lines)
        return Reply(200, ("\r\n".join(lines)).encode(), _TEXT)


def _padding(prefix: str, count: int) -> list[str]:
    """Made-up suffixes with count 0, stable per prefix, as the real API's padding looks."""
    generator = random.Random(prefix)  # noqa: S311 - filler, not security
    return [f"{generator.getrandbits(140):035X}"[:35] + ":0" for _ in range(max(0, count))]
