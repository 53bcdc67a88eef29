"""The loopback Pwned Passwords range API answers as the real one does, and records what it was
asked, so tests can prove only a 5-character prefix ever leaves the bot."""

from __future__ import annotations

import hashlib
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from sandbox.pwned_standin import PwnedStandIn


@pytest.fixture
def pwned() -> Iterator[PwnedStandIn]:
    with PwnedStandIn() as server:
        yield server


def get(pwned: PwnedStandIn, path: str, headers: dict[str, str] | None = None) -> str:
    request = urllib.request.Request(pwned.base_url + path, headers=headers or {})  # noqa: S310
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        return str(response.read().decode())


def test_a_range_lists_breached_suffixes_with_their_counts(pwned: PwnedStandIn) -> None:
    digest = hashlib.sha1(b"hunter2", usedforsecurity=False).hexdigest().upper()
    pwned.add_breached("hunter2", 17)

    lines = get(pwned, f"/range/{digest[:5]}").splitlines()

    assert lines == [f"{digest[5:]}:17"]
    assert get(pwned, "/range/00000") == ""
    assert get(pwned, f"/range/{digest[:5].lower()}").splitlines() == lines


def test_padding_only_when_asked_and_always_count_zero(pwned: PwnedStandIn) -> None:
    pwned.add_breached("hunter2", 17)
    prefix = hashlib.sha1(b"hunter2", usedforsecurity=False).hexdigest().upper()[:5]

    padded = get(pwned, f"/range/{prefix}", {"Add-Padding": "true"}).splitlines()

    assert len(padded) == 800
    assert sum(1 for line in padded if not line.endswith(":0")) == 1
    assert all(len(line.split(":")[0]) == 35 for line in padded)
    assert len(get(pwned, f"/range/{prefix}").splitlines()) == 1


def test_it_records_every_path_and_header(pwned: PwnedStandIn) -> None:
    get(pwned, "/range/ABCDE", {"Add-Padding": "true"})

    (request,) = pwned.requests()
    assert request.path == "/range/ABCDE" and request.headers["add-padding"] == "true"
    assert pwned.paths() == ["/range/ABCDE"]


def test_it_can_be_slow_fail_or_refuse_other_paths(pwned: PwnedStandIn) -> None:
    pwned.delay = 0.3
    started = time.perf_counter()
    get(pwned, "/range/ABCDE")
    assert time.perf_counter() - started >= 0.3

    pwned.delay, pwned.status = 0.0, 503
    with pytest.raises(urllib.error.HTTPError) as failed:
        get(pwned, "/range/ABCDE")
    assert failed.value.code == 503
    with pytest.raises(urllib.error.HTTPError) as missing:
        get(pwned, "/range/ABCDEF")
    assert missing.value.code == 404
