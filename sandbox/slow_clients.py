"""Slow-body clients, as in the issue: each declares a 100 KB body, sends no signature, and
then one byte every two seconds. Whenever the server answers or closes one, another takes its
place, so `count` are always connected."""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

DECLARED = 100 * 1024
BYTE_EVERY = 2.0


@dataclass
class _Client:
    connection: socket.socket
    path: str
    next_byte: float
    answer: bytes = b""


@dataclass
class SlowClients:
    host: str
    port: int
    paths: Sequence[str]
    count: int = 40
    answers: dict[str, int] = field(default_factory=dict)  # status line's code -> how many
    opened: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> SlowClients:
        clients = [self._open(n) for n in range(self.count)]
        self._thread = threading.Thread(target=self._run, args=(clients,), daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _open(self, n: int) -> _Client:
        path = self.paths[n % len(self.paths)]
        connection = socket.create_connection((self.host, self.port), timeout=5)
        connection.sendall(
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {DECLARED}\r\n\r\n".encode()
        )
        connection.setblocking(False)
        self.opened += 1
        return _Client(connection, path, time.monotonic() + BYTE_EVERY)

    def _run(self, clients: list[_Client]) -> None:
        while not self._stop.is_set():
            readable, _, _ = select.select([c.connection for c in clients], [], [], 0.1)
            now = time.monotonic()
            for position, client in enumerate(clients):
                closed = False
                if client.connection in readable:
                    try:
                        data = client.connection.recv(4096)
                    except OSError:
                        data = b""
                    client.answer += data
                    closed = not data
                elif now >= client.next_byte:
                    try:
                        client.connection.send(b"x")
                        client.next_byte = now + BYTE_EVERY
                    except OSError:
                        closed = True
                if closed:
                    self._count(client.answer)
                    client.connection.close()
                    clients[position] = self._open(position)
        for client in clients:
            with contextlib.suppress(OSError):
                client.connection.close()

    def _count(self, answer: bytes) -> None:
        parts = answer.split(b" ", 2)
        code = parts[1].decode() if len(parts) > 1 else "none"
        self.answers[code] = self.answers.get(code, 0) + 1
