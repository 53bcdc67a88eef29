"""The server's side of the front door: what runs in Granian's event loop, before any thread.

Granian's WSGI interface hands the app a body that a thread reads as it arrives, so a client that
sends one byte every two seconds holds one of the few request threads for as long as it likes,
and a handful of them took the bot offline. Here the event loop reads every body first, under a
deadline and a size limit, where a waiting client costs a coroutine and no thread; only complete
requests reach the WSGI app, on a small thread pool. `/healthz` is answered in the loop itself,
so no request and no database can hold it up, and `/readyz` asks the database under its own
deadline, on its own thread.
"""

from __future__ import annotations

import asyncio
import io
import sys
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from granian._granian import RSGIHTTPProtocol as HTTPProtocol
from granian._granian import RSGIProtocolClosed
from granian.rsgi import Scope

from handlers.web.front import DRAIN_BYTES, MAX_BODY_BYTES, WsgiApp

READY_DEADLINE = 2.5  # DESIGN.md: /readyz says "not ready" within 3 s
PLAIN = [
    ("content-type", "text/plain; charset=utf-8"),
    ("cache-control", "no-store"),
    ("x-content-type-options", "nosniff"),
]
Answer = tuple[int, list[tuple[str, str]], bytes]


class BodyRefused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class DeadlineFront:
    """An RSGI app (Granian's own interface) in front of a WSGI app."""

    def __init__(
        self,
        app: WsgiApp,
        *,
        threads: int,
        body_deadline: float,
        ready: Callable[[], bool] | None = None,
    ) -> None:
        self.app = app
        self.threads = threads
        self.body_deadline = body_deadline
        self.ready = ready
        self._requests: ThreadPoolExecutor | None = None
        self._readiness = ThreadPoolExecutor(max_workers=1, thread_name_prefix="readiness")
        self._ping: Future[bool] | None = None

    def __rsgi_init__(self, _loop: asyncio.AbstractEventLoop) -> None:
        self._requests = ThreadPoolExecutor(self.threads, thread_name_prefix="request")

    def __rsgi_del__(self, _loop: asyncio.AbstractEventLoop) -> None:
        if self._requests is not None:
            self._requests.shutdown(wait=False, cancel_futures=True)
        self._readiness.shutdown(wait=False, cancel_futures=True)

    async def __rsgi__(self, scope: Scope, proto: HTTPProtocol) -> None:
        if scope.proto != "http":
            return
        if scope.method == "GET" and scope.path == "/healthz":
            proto.response_bytes(200, PLAIN, b"ok")
            return
        if scope.method == "GET" and scope.path == "/readyz" and self.ready is not None:
            ready = await self._readiness_answer()
            status, text = (200, b"ready") if ready else (503, b"database unavailable")
            proto.response_bytes(status, PLAIN, text)
            return
        try:
            async with asyncio.timeout(self.body_deadline):
                body = await _read_body(scope, proto)
        except TimeoutError:
            proto.response_bytes(408, [*PLAIN, ("connection", "close")], b"request body too slow")
            return
        except BodyRefused as refused:
            proto.response_bytes(refused.status, PLAIN, refused.reason.encode())
            return
        except RSGIProtocolClosed:
            return  # the client went away before it finished sending
        loop = asyncio.get_running_loop()
        environ = _environ(scope, body)
        status, headers, content = await loop.run_in_executor(
            self._requests, self._call_app, environ
        )
        proto.response_bytes(status, headers, content)

    def _call_app(self, environ: dict[str, Any]) -> Answer:
        """Run the WSGI app on a request thread and collect its whole answer."""
        started: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], _exc: Any = None) -> Any:
            started[:] = [status, headers]
            return lambda _data: None  # the legacy write(): nothing of ours uses it

        result = self.app(environ, start_response)
        try:
            content = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        status, headers = started
        return int(status[:3]), headers, content

    async def _readiness_answer(self) -> bool:
        """The database's answer within READY_DEADLINE; one ping at a time, whoever asks."""
        assert self.ready is not None
        if self._ping is None or self._ping.done():
            self._ping = self._readiness.submit(self.ready)
        try:
            async with asyncio.timeout(READY_DEADLINE):
                return await asyncio.shield(asyncio.wrap_future(self._ping))
        except TimeoutError:
            return False


async def _read_body(scope: Scope, proto: HTTPProtocol) -> bytes:
    """The whole body, refused when larger than any Slack request may be.

    A moderately oversized declared body is read and dropped first, so the client, still
    sending, gets the 413 rather than a reset connection; a huge (or lying) length is refused
    at once."""
    length = scope.headers.get("content-length")
    if length is not None:
        if not length.isdigit():
            raise BodyRefused(400, "bad content length")
        if int(length) == 0:
            return b""
        if int(length) > MAX_BODY_BYTES:
            if int(length) <= DRAIN_BYTES:
                async for _chunk in proto:
                    pass
            raise BodyRefused(413, "request body too large")
        return await proto()
    if scope.method in ("GET", "HEAD") and "transfer-encoding" not in scope.headers:
        return b""
    received = bytearray()
    async for chunk in proto:
        received += chunk
        if len(received) > MAX_BODY_BYTES:
            raise BodyRefused(413, "request body too large")
    return bytes(received)


def _environ(scope: Scope, body: bytes) -> dict[str, Any]:
    """The WSGI environment of a request whose body has been read."""
    server, _, port = scope.server.rpartition(":")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": scope.path,
        "QUERY_STRING": scope.query_string,
        "SERVER_NAME": server,
        "SERVER_PORT": port,
        "SERVER_PROTOCOL": f"HTTP/{scope.http_version}",
        "REMOTE_ADDR": scope.client.rpartition(":")[0],
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.scheme,
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for name, value in scope.headers.items():
        if name == "content-type":
            environ["CONTENT_TYPE"] = value
        elif name not in ("content-length", "transfer-encoding"):
            key = "HTTP_" + name.upper().replace("-", "_")
            environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ
