"""Password rules: how strong a password is, whether the platform accepts it, whether two of a
member's passwords are the same, and the k-anonymity breach lookup.

Pure functions on values that live only in memory for one request. Nothing here stores, logs or
puts a password in an exception message; callers keep it that way.
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from zxcvbn import matching as zxcvbn_matching
from zxcvbn import zxcvbn

from bot.core.i18n import N_, _
from bot.core.words import TIKTOK_BUSINESS, platform_name
from bot.passwords.feedback import advice, crack_time

DEFAULT_MIN_SCORE = 3
# zxcvbn refuses more than 72 characters, and its cost grows steeply before that: choosing the
# best sequence of matches is about cubic in the length (a repetitive 72-character password takes
# over 100 ms on one core, about 30 ms at 40, 15 ms at 32), and every l33t substitution table it
# tries reruns its dictionary search, quadratic in the length (an all-symbol 72-character input
# takes seconds).
MAX_EVALUATED = 32
# (l33t tables + 1) x length²: measured at 1-5 µs per unit on one core, so at most about 10 ms more.
WORK_BUDGET = 6_000
CRACK_SCENARIO = "offline_slow_hashing_1e4_per_second"
SCORE_WORDS = (N_("very weak"), N_("weak"), N_("fair"), N_("strong"), N_("very strong"))
NEAR_EDITS = 2  # lower-cased passwords this many edits apart count as the same password
MIN_CONTAINED = 6  # a password of at least this length inside another counts as the same

_USER_INPUTS = "user_inputs"
_ZXCVBN = threading.Lock()
_LETTER = re.compile(r"[^\W\d_]")
_DIGIT = re.compile(r"\d")
_SPECIAL = re.compile(r"[^\w\s]|_")
_RANGE_LINE = re.compile(r"^([0-9A-F]{35}):(\d{1,12})$")
K = TypeVar("K")


# -- strength -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Strength:
    """zxcvbn's verdict, without anything of the password itself."""

    score: int
    crack_time: str
    warning: str
    suggestions: tuple[str, ...]
    evaluated_length: int
    truncated: bool
    dictionaries: frozenset[str]  # which word lists matched, e.g. "user_inputs"

    @property
    def words(self) -> str:
        return _(SCORE_WORDS[self.score])


def _l33t_letters() -> dict[str, tuple[str, ...]]:
    """Each character zxcvbn reads as a substitute (`4` for a), with the letters it may stand for."""
    letters: dict[str, list[str]] = {}
    for letter, subs in zxcvbn_matching.L33T_TABLE.items():
        for sub in subs:
            letters.setdefault(sub, []).append(letter)
    return {sub: tuple(found) for sub, found in letters.items()}


_L33T = _l33t_letters()


def l33t_substitutions_bound(characters: Iterable[str]) -> int:
    """An upper bound on how many substitution tables zxcvbn tries for these characters: twice the
    product, over letters, of how many of their substitutes occur (0 when none occurs)."""
    per_letter: dict[str, int] = {}
    for char in set(characters):
        for letter in _L33T.get(char, ()):
            per_letter[letter] = per_letter.get(letter, 0) + 1
    return 2 * math.prod(per_letter.values()) if per_letter else 0


def bounded_prefix(password: str) -> str:
    """The part of `password` that is scored: at most MAX_EVALUATED characters, fewer when the
    l33t substitutes in it would make zxcvbn's work exceed WORK_BUDGET, so no input (of any length
    or content) can make a check slow.

    Scoring a prefix can only under-rate a password, never over-rate it: a longer password is at
    least as strong as its prefix, because any guessing strategy that finds the whole password
    also finds its prefix in as many guesses or fewer (cut every guess to the prefix's length).
    """
    seen: set[str] = set()
    substitutions = 0
    for length, char in enumerate(password[:MAX_EVALUATED], start=1):
        if char in _L33T and char not in seen:
            seen.add(char)
            substitutions = l33t_substitutions_bound(seen)
        if (substitutions + 1) * length * length > WORK_BUDGET:
            return password[: length - 1]
    return password[:MAX_EVALUATED]


def strength(password: str, user_inputs: Sequence[str]) -> Strength:
    """zxcvbn's score of the bounded prefix, with the member's own words as its dictionary.

    zxcvbn 4.5 keeps `user_inputs` in a module-level dictionary, so one check at a time runs it,
    and the member's words are removed again before the next check can start.
    """
    prefix = bounded_prefix(password)
    with _ZXCVBN:
        try:
            result = zxcvbn(prefix, user_inputs=list(user_inputs))
        finally:
            zxcvbn_matching.RANKED_DICTIONARIES.pop(_USER_INPUTS, None)
    feedback: dict[str, Any] = result["feedback"]
    return Strength(
        score=int(result["score"]),
        crack_time=crack_time(result["crack_times_seconds"][CRACK_SCENARIO]),
        warning=advice(str(feedback.get("warning") or "")),
        suggestions=tuple(advice(str(s)) for s in feedback.get("suggestions") or ()),
        evaluated_length=len(prefix),
        truncated=len(prefix) < len(password),
        dictionaries=frozenset(
            str(match["dictionary_name"])
            for match in result["sequence"]
            if match.get("pattern") == "dictionary"
        ),
    )


def own_words(
    *,
    display_name: str | None,
    email: str | None,
    account_names: Iterable[str],
    platforms: Iterable[str],
) -> list[str]:
    """The member's words zxcvbn should treat as guessable: names, email, accounts, platforms and
    the company (the email's domain)."""
    words: list[str] = []

    def add(text: str | None) -> None:
        if text:
            words.append(text)
            words.extend(part for part in re.split(r"[\W_]+", text) if len(part) > 1)

    add(display_name)
    if email:
        local, _at, domain = email.partition("@")
        add(email)
        add(local)
        add(domain)
    for name in account_names:
        add(name)
    for platform in platforms:
        add(platform)
        add(platform_name(platform))
    return list(dict.fromkeys(word.lower() for word in words))


# -- what the platform accepts --------------------------------------------------------------------


@dataclass(frozen=True)
class Acceptance:
    accepted: bool
    rule: str  # the platform's rule in words, in the reader's language
    problems: tuple[str, ...]  # what the password misses, in words; never the password


def acceptance(password: str, platform: str | None) -> Acceptance:
    """TikTok for Business takes 6-20 characters with letters, numbers and special characters;
    elsewhere the NIST SP 800-63B default: at least 8 characters, no composition rule."""
    length = len(password)
    if platform == TIKTOK_BUSINESS:
        problems = []
        if length < 6:
            problems.append(_("shorter than 6 characters"))
        if length > 20:
            problems.append(_("longer than 20 characters"))
        if not _LETTER.search(password):
            problems.append(_("no letters"))
        if not _DIGIT.search(password):
            problems.append(_("no numbers"))
        if not _SPECIAL.search(password):
            problems.append(_("no special characters"))
        rule = _("6-20 characters, with letters, numbers and special characters")
        return Acceptance(not problems, rule, tuple(problems))
    problems = [_("shorter than 8 characters")] if length < 8 else []
    return Acceptance(not problems, _("at least 8 characters"), tuple(problems))


# -- the same password on two accounts ------------------------------------------------------------


def near_identical(first: str, second: str) -> bool:
    """The same password for an attacker who knows one of them: equal or at most two edits apart
    once lower-cased, or one (of at least 6 characters) contained in the other."""
    a, b = first.lower(), second.lower()
    if a == b:
        return True
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    if len(shorter) >= MIN_CONTAINED and shorter in longer:
        return True
    return within_edits(a, b, NEAR_EDITS)


def within_edits(a: str, b: str, limit: int) -> bool:
    """Levenshtein distance at most `limit`, in time linear in the length (Landau-Vishkin): each
    diagonal is followed along equal characters with slice comparisons, which run in C."""
    if abs(len(a) - len(b)) > limit:
        return False
    reach: dict[int, int] = {}  # diagonal (j - i) to the furthest i reached with `edits` edits
    for edits in range(limit + 1):
        step: dict[int, int] = {}
        for diagonal in range(-edits, edits + 1):
            if edits == 0:
                i = 0
            else:
                i = max(
                    reach.get(diagonal, -2) + 1,  # substitute
                    reach.get(diagonal + 1, -2) + 1,  # skip one character of a
                    reach.get(diagonal - 1, -1),  # skip one character of b
                )
                if i < 0:  # no diagonal next to this one was reached
                    continue
            i = min(i, len(a), len(b) - diagonal)
            if i < 0 or i + diagonal < 0:
                continue
            i += common_run(a, i, b, i + diagonal)
            if i == len(a) and i + diagonal == len(b):
                return True
            step[diagonal] = i
        reach = step
    return False


def common_run(a: str, i: int, b: str, j: int) -> int:
    """How many characters a[i:] and b[j:] share from the start: galloping, then halving."""
    limit = min(len(a) - i, len(b) - j)
    known, probe = 0, 1
    while probe <= limit and a[i : i + probe] == b[j : j + probe]:
        known, probe = probe, probe * 2
    high = min(probe, limit + 1)  # a[i:i+high] differs from b[j:j+high], or high > limit
    while high - known > 1:
        middle = (known + high) // 2
        if a[i + known : i + middle] == b[j + known : j + middle]:
            known = middle
        else:
            high = middle
    return known


def reuse_groups(passwords: Mapping[K, str]) -> list[list[K]]:
    """The keys whose passwords are near-identical, grouped (each group has two or more keys)."""
    keys = [key for key, password in passwords.items() if password]
    parent = {key: key for key in keys}

    def root(key: K) -> K:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for n, first in enumerate(keys):
        for second in keys[n + 1 :]:
            if root(first) != root(second) and near_identical(passwords[first], passwords[second]):
                parent[root(second)] = root(first)
    groups: dict[K, list[K]] = {}
    for key in keys:
        groups.setdefault(root(key), []).append(key)
    return [group for group in groups.values() if len(group) > 1]


# -- breached passwords (k-anonymity) -------------------------------------------------------------


class Breach(StrEnum):
    FOUND = "found"
    NOT_FOUND = "not_found"
    FAILED = "failed"  # asked, no usable answer: never read as "not found"
    NOT_CONFIGURED = "not_configured"


class BreachLookupFailed(Exception):
    """The range lookup gave no usable answer; the message names the cause, never the password."""


class BreachRanges(Protocol):
    """A Pwned-Passwords-compatible range API: only 5 hex characters of the SHA-1 leave the bot."""

    def ranges(self, prefixes: Sequence[str]) -> Mapping[str, str | None]:
        """The body of `GET {url}/range/{prefix}` (padding requested) for each prefix, all asked
        at once and answered within one timeout; None for a prefix without a usable answer."""
        ...


def sha1_hex(password: str) -> str:
    return hashlib.sha1(password.encode("utf-8"), usedforsecurity=False).hexdigest().upper()


def breach_count(body: str, suffix: str) -> int:
    """How often the suffix appears in a range answer; padding lines count 0. A malformed answer
    is a failed lookup, not a clean one."""
    found = 0
    for raw in body.splitlines():
        line = raw.strip()
        if not line:
            continue
        match = _RANGE_LINE.match(line.upper())
        if match is None:
            raise BreachLookupFailed("malformed range answer")
        if match.group(1) == suffix:
            found = int(match.group(2))
    return found
