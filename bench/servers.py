"""The two apps under test as subprocesses: started, awaited, and always stopped."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

REPO_ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 30.0


class StartFailed(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    """A subprocess serving HTTP on 127.0.0.1:port; its stderr goes to `log`."""

    name: str
    command: Sequence[str]
    env: dict[str, str]
    log: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> Server:
        self.port = free_port()
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as stderr:
            self.process = subprocess.Popen(
                [*self.command, "--port", str(self.port)],
                cwd=REPO_ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while not self._answers():
            if self.process.poll() is not None:
                raise StartFailed(
                    f"{self.name} exited with {self.process.returncode} on start:\n{self.stderr()}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise StartFailed(
                    f"{self.name} did not answer in {START_TIMEOUT}s:\n{self.stderr()}"
                )
            time.sleep(0.05)
        return self

    def _answers(self) -> bool:
        """Any HTTP answer at all: the bare app has no health route, so a 404 will do."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
        try:
            connection.request("GET", "/healthz")
            connection.getresponse().read()
        except OSError:
            return False
        finally:
            connection.close()
        return True

    def stderr(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def ours(env: dict[str, str], log: Path) -> Server:
    return Server("our app", [sys.executable, "app.py", "serve"], env, log)


def bare(env: dict[str, str], log: Path, threads: int, *, fast: bool = False) -> Server:
    command = [sys.executable, "-m", "bench.bare_app", "--threads", str(threads)]
    if fast:
        return Server("the Bolt floor app", [*command, "--fast"], env, log)
    return Server("the bare Bolt app", command, env, log)


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time so far of a server: the process, its threads and its worker
    processes (the server forks them); None off Linux."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return None
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(cpu_seconds(int(child)) or 0.0 for child in children)


def environment(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SECURITY_"))}
    env.pop("DATABASE_URL", None)
    env["PYTHONUNBUFFERED"] = "1"
    env["SCHEDULED_JOBS"] = "off"  # a nudge sweep would compete with the requests measured
    env.update(settings)
    return env
