"""The breach lookup over HTTP: a Pwned-Passwords-compatible range API, reached with urllib.

Only `/range/{first 5 hex characters of the SHA-1}` leaves the bot, with `Add-Padding: true` so
the size of the answer does not tell which prefix was asked either. Every failure (timeout,
refused connection, an error status, a body too large) is BreachLookupFailed, which the check
shows as "could not check" and never as "not found".
"""

from __future__ import annotations

import re
import threading
import time
import urllib.request
from collections.abc import Sequence

from bot.passwords.rules import BreachLookupFailed

TIMEOUT_SECONDS = 2.0
MAX_ANSWER_BYTES = 2 * 1024 * 1024  # a padded range is about 40 KB
_PREFIX = re.compile(r"^[0-9A-F]{5}$")
_CHUNK = 64 * 1024


class PwnedRanges:
    """`ranges(prefixes)`: every prefix asked at once, all answered within `timeout` seconds,
    however slowly the server answers."""

    def __init__(self, base_url: str, *, timeout: float = TIMEOUT_SECONDS) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError("the range API needs an http(s) URL")
        self._base_url = base_url.rstrip("/")
        self.timeout = timeout

    def range(self, prefix: str) -> str:
        """One prefix's answer; BreachLookupFailed (naming the cause) when there is none."""
        answer = self._ask([prefix])[prefix]
        if isinstance(answer, BreachLookupFailed):
            raise answer
        return answer

    def ranges(self, prefixes: Sequence[str]) -> dict[str, str | None]:
        answers = self._ask(prefixes)
        return {p: None if isinstance(a, BreachLookupFailed) else a for p, a in answers.items()}

    def _ask(self, prefixes: Sequence[str]) -> dict[str, str | BreachLookupFailed]:
        for prefix in prefixes:
            if not _PREFIX.match(prefix):
                raise ValueError("a range prefix is 5 upper-case hex characters")
        answers: dict[str, str | BreachLookupFailed] = {}
        deadline = time.monotonic() + self.timeout

        def fetch(prefix: str) -> None:
            try:
                answers[prefix] = self._fetch(prefix, deadline)
            except BreachLookupFailed as failure:
                answers[prefix] = failure
            except Exception as error:  # noqa: BLE001 - any failure is "could not check"
                answers[prefix] = BreachLookupFailed(type(error).__name__)

        # The socket timeout bounds each wait; the threads bound the whole exchange, so a server
        # that trickles its answer cannot hold the page past the deadline.
        workers = [
            threading.Thread(target=fetch, args=(prefix,), name="pwned-range", daemon=True)
            for prefix in dict.fromkeys(prefixes)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(max(0.0, deadline - time.monotonic()))
        return {
            prefix: answers.get(prefix, BreachLookupFailed("timed out"))
            for prefix in dict.fromkeys(prefixes)
        }

    def _fetch(self, prefix: str, deadline: float) -> str:
        request = urllib.request.Request(  # noqa: S310 - the URL is checked to be http(s)
            f"{self._base_url}/range/{prefix}",
            headers={"Add-Padding": "true", "User-Agent": "security-bot"},
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            if response.status != 200:
                raise BreachLookupFailed(f"status {response.status}")
            body = bytearray()
            while chunk := response.read(_CHUNK):
                body.extend(chunk)
                if len(body) > MAX_ANSWER_BYTES:
                    raise BreachLookupFailed("answer too large")
                if time.monotonic() > deadline:
                    raise BreachLookupFailed("timed out")
        try:
            return body.decode("ascii")
        except UnicodeDecodeError:
            raise BreachLookupFailed("answer not text") from None


def for_settings(url: str | None) -> PwnedRanges | None:
    return PwnedRanges(url) if url else None
