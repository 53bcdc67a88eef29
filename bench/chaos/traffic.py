"""Mixed traffic while the chaos runs: slash commands, button presses and platform alerts, each
signed exactly as its sender signs it, sent through a load balancer to the live processes.

What counts as a failed request: no 2xx answer within 3 seconds of the first attempt.
- Commands and button presses are not retried by Slack. The load balancer re-sends one to the
  next process only when the connection was refused (nothing was received); anything else (an
  error status, a dropped connection, a slow answer) is a failed request.
- Alerts are retried by the platform with the same id (the API is idempotent) until a 2xx or the
  3 seconds are over.
- A process is taken out of the balancer's rotation just before it is killed, once its requests
  in flight are answered: a request sitting in a killed process's socket is lost whatever the code
  does, so what is measured is whether the live processes keep answering while leadership moves,
  database connections are cut and Slack fails.
"""

from __future__ import annotations

import http.client
import itertools
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bench.chaos.cluster import Process
from bench.chaos.workspace import Member
from bot.platform import signature as platform_signature
from sandbox import payloads
from sandbox.slack_standin import SlackStandIn

DEADLINE = 3.0
COMMAND, BUTTON, ALERT = "command", "button", "alert"
RECOVERY_PHONE_BUTTON = {
    "type": "button",
    "action_id": "report_recovery_phone",
    "block_id": "recovery_phone",
    "text": {"type": "plain_text", "text": "Add a recovery phone"},
}


class Refused(Exception):
    """No live process took the connection."""


@dataclass(frozen=True)
class Answer:
    """What one process answered: a failed request names who answered it and what it said."""

    status: int
    process: str
    text: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def __str__(self) -> str:
        return f"{self.status} from {self.process}: {self.text[:160]!r}"


@dataclass(frozen=True)
class Outcome:
    kind: str
    ok: bool
    seconds: float
    detail: str = ""


class Balancer:
    """Round robin over the processes in rotation, as a load balancer in front of `serve`."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._rotation: list[Process] = []
        self._in_flight: Counter[str] = Counter()
        self._turn = itertools.count()

    def add(self, process: Process) -> None:
        with self._lock:
            self._rotation.append(process)

    def withdraw(self, process: Process, timeout: float = DEADLINE) -> None:
        """Take `process` out of rotation and wait for its requests in flight to be answered."""
        with self._lock:
            self._rotation = [p for p in self._rotation if p is not process]
            self._lock.wait_for(lambda: self._in_flight[process.name] == 0, timeout)

    def post(self, path: str, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
        """POST to the next process; on a refused connection to the one after, and so on."""
        with self._lock:
            rotation = list(self._rotation)
            start = next(self._turn)
        for step in range(len(rotation)):
            process = rotation[(start + step) % len(rotation)]
            with self._lock:
                if process not in self._rotation:
                    continue
                self._in_flight[process.name] += 1
            try:
                status, text = _post(process.server.port, path, body, headers, timeout)
                return Answer(status, process.name, text)
            except ConnectionRefusedError:
                continue
            finally:
                with self._lock:
                    self._in_flight[process.name] -= 1
                    self._lock.notify_all()
        raise Refused("no process in rotation took the connection")


def _post(
    port: int, path: str, body: bytes, headers: dict[str, str], timeout: float
) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        connection.close()


@dataclass
class Traffic:
    """Worker threads sending a mix of requests until stopped; every outcome is kept."""

    balancer: Balancer
    standin: SlackStandIn
    people: list[Member]
    signing_secret: str
    alerts_secret: str
    threads: int = 3
    pause: float = 0.05  # between one worker's requests
    outcomes: list[Outcome] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _workers: list[threading.Thread] = field(default_factory=list)
    _alerts: itertools.count[int] = field(default_factory=itertools.count)

    def start(self) -> Traffic:
        for n in range(self.threads):
            worker = threading.Thread(target=self._loop, args=(n,), name=f"traffic-{n}")
            worker.start()
            self._workers.append(worker)
        return self

    def stop(self) -> list[Outcome]:
        self._stop.set()
        for worker in self._workers:
            worker.join(timeout=2 * DEADLINE)
        return list(self.outcomes)

    def _loop(self, n: int) -> None:
        chance = random.Random(n)  # a traffic mix, not a secret
        senders: list[Callable[[Member], Outcome]] = [self.command, self.button, self.alert]
        while not self._stop.is_set():
            person = chance.choice(self.people)
            sender = chance.choices(senders, weights=[5, 3, 1])[0]
            self.outcomes.append(sender(person))
            self._stop.wait(self.pause)

    def command(self, person: Member) -> Outcome:
        request = payloads.slash_command(
            person.user_id, "status", response_url=self.standin.response_url()
        )
        return self._slack(COMMAND, request)

    def button(self, person: Member) -> Outcome:
        press = payloads.block_action(
            person.user_id, RECOVERY_PHONE_BUTTON, response_url=self.standin.response_url()
        )
        return self._slack(BUTTON, press)

    def _slack(self, kind: str, request: tuple[bytes, str]) -> Outcome:
        body, content_type = request
        headers = {"Content-Type": content_type, **payloads.sign(self.signing_secret, body)}
        started = time.monotonic()
        try:
            answer = self.balancer.post("/slack/events", body, headers, DEADLINE)
        except (OSError, http.client.HTTPException, Refused) as error:
            return Outcome(kind, False, time.monotonic() - started, type(error).__name__)
        seconds = time.monotonic() - started
        return Outcome(kind, answer.ok and seconds <= DEADLINE, seconds, str(answer))

    def alert(self, person: Member) -> Outcome:
        """A compromised-password alert, re-sent with its id until accepted or 3 s are over."""
        document = {
            "id": f"chaos-{person.user_id}-{next(self._alerts)}",
            "kind": "compromised_password",
            "account_id": person.account_id,
            "member_email": person.email,
            "detected_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "detail": "seen in a credential dump (chaos test)",
        }
        body = json.dumps(document).encode()
        started = time.monotonic()
        detail = ""
        while (left := started + DEADLINE - time.monotonic()) > 0:
            headers = {
                "Content-Type": "application/json",
                **platform_signature.sign(self.alerts_secret, body, int(time.time())),
            }
            try:
                answer = self.balancer.post("/api/v1/alerts", body, headers, left)
            except (OSError, http.client.HTTPException, Refused) as error:
                detail = type(error).__name__
                time.sleep(0.1)
                continue
            if answer.ok:
                return Outcome(ALERT, True, time.monotonic() - started, str(answer.status))
            detail = str(answer)
            time.sleep(0.1)
        return Outcome(ALERT, False, time.monotonic() - started, detail or "no answer in 3 s")
