"""The `serve` processes of a chaos run, who leads them, and their PostgreSQL schema.

The leader is found by observation, not by knowing how leadership works inside: each process's
log says "scheduler started" when it begins to run the scheduled jobs and "scheduler stopped"
when it gives them up, and each process logs to a file of its own. So the harness measures
whatever leadership the code has (a lease, a lock), as long as it says so in that line.
"""

from __future__ import annotations

import re
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.servers import Server
from storage.database import upgrade

LEADS = re.compile(r"scheduler started")
STEPS_DOWN = re.compile(r"scheduler stopped")


@dataclass
class Process:
    """One `app.py serve`, with what the harness saw of it."""

    server: Server
    killed_at: float | None = None
    leads_since: float | None = None  # when its log first said it leads, the last time it did

    @property
    def name(self) -> str:
        return self.server.name

    @property
    def alive(self) -> bool:
        process = self.server.process
        return self.killed_at is None and process is not None and process.poll() is None

    def leads(self) -> bool:
        """Whether its log's last word on the scheduled jobs is that it runs them."""
        last = None
        for line in self.server.stderr().splitlines():
            if LEADS.search(line):
                last = True
            elif STEPS_DOWN.search(line):
                last = False
        return bool(last)


@dataclass
class Cluster:
    """Starts, watches and kills `serve` processes sharing one environment (one database)."""

    env: dict[str, str]
    logs: Path
    processes: list[Process] = field(default_factory=list)
    clock: Callable[[], float] = time.monotonic

    def start(self) -> Process:
        name = f"serve-{len(self.processes) + 1}"
        command = [sys.executable, "app.py", "serve"]
        server = Server(name, command, dict(self.env), self.logs / f"{name}.log").start()
        process = Process(server)
        self.processes.append(process)
        return process

    def alive(self) -> list[Process]:
        return [process for process in self.processes if process.alive]

    def leader(self) -> Process | None:
        """The live process whose log says it leads now (the first, should two say so)."""
        for process in self.alive():
            if process.leads():
                if process.leads_since is None:
                    process.leads_since = self.clock()
                return process
            process.leads_since = None
        return None

    def wait_for_leader(self, timeout: float, poll: float = 0.1) -> Process | None:
        deadline = self.clock() + timeout
        while self.clock() < deadline:
            found = self.leader()
            if found is not None:
                return found
            time.sleep(poll)
        return None

    def kill(self, process: Process) -> float:
        """SIGKILL the serve process (its worker dies with it); when it happened."""
        assert process.server.process is not None
        process.server.process.send_signal(signal.SIGKILL)
        process.killed_at = self.clock()
        process.server.process.wait(timeout=10)
        return process.killed_at

    def stop(self) -> None:
        for process in self.processes:
            process.server.stop()


class Schema:
    """A fresh PostgreSQL schema for one run, migrated, whose connections carry a name of their
    own (`application_name`), so the run can terminate exactly the app's database backends."""

    def __init__(self, server_url: str) -> None:
        self.name = f"chaos_{uuid.uuid4().hex[:10]}"
        self._admin = create_engine(server_url, isolation_level="AUTOCOMMIT", pool_size=1)
        separator = "&" if "?" in server_url else "?"
        options = f"options=-csearch_path%3D{self.name}&application_name="
        self.url = f"{server_url}{separator}{options}{self.name}"
        self.harness_url = f"{server_url}{separator}{options}{self.name}-harness"
        self._lock = threading.Lock()

    def create(self) -> Schema:
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{self.name}"'))
        upgrade(self.url)
        return self

    def terminate_backends(self) -> int:
        """pg_terminate_backend on every connection of the app (and of the harness's reads)."""
        with self._lock, self._admin.connect() as connection:
            terminated = connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = :name AND pid <> pg_backend_pid()"
                ),
                {"name": self.name},
            ).scalar()
        return int(terminated or 0)

    def drop(self) -> None:
        self.terminate_backends()
        with self._admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{self.name}" CASCADE'))
        self._admin.dispose()
