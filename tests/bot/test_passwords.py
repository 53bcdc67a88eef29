"""The password rules on their own: strength with the member's words, what each platform accepts,
reuse, the bounded prefix that keeps every check fast, and zxcvbn's shared dictionary."""

from __future__ import annotations

import itertools
import random
import string
import sys
import threading
import time
from collections.abc import Iterator

import pytest
from zxcvbn import matching

from bot.passwords import rules as passwords
from bot.passwords.rules import (
    MAX_EVALUATED,
    BreachLookupFailed,
    acceptance,
    bounded_prefix,
    breach_count,
    near_identical,
    reuse_groups,
    sha1_hex,
    strength,
    within_edits,
)
from tests.conftest import carrying

TIKTOK = "tiktok_business"
L33T_SUBSTITUTES = "".join(sorted({sub for subs in matching.L33T_TABLE.values() for sub in subs}))


def random_password(length: int, seed: int = 1) -> str:
    generator = random.Random(seed)
    alphabet = string.ascii_letters + string.digits + "!#%&*+-=?@^_~"
    return "".join(generator.choice(alphabet) for _ in range(length))


# -- what the platform accepts --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "accepted", "problems"),
    [
        ("ab1!x", False, ("shorter than 6 characters",)),  # 5
        ("ab1!xy", True, ()),  # 6
        ("ab1!" + "x" * 16, True, ()),  # 20
        ("ab1!" + "x" * 17, False, ("longer than 20 characters",)),  # 21
        ("abcdef!!", False, ("no numbers",)),
        ("123456!!", False, ("no letters",)),
        ("abc12345", False, ("no special characters",)),
        ("abc 1234", False, ("no special characters",)),  # a space is not a special character
        ("abc_1234", True, ()),
        ("Ünïcødé1$", True, ()),
        (
            "",
            False,
            ("shorter than 6 characters", "no letters", "no numbers", "no special characters"),
        ),
    ],
)
def test_tiktok_for_business_takes_6_to_20_characters_with_every_class(
    password: str, accepted: bool, problems: tuple[str, ...]
) -> None:
    verdict = acceptance(password, TIKTOK)

    assert (verdict.accepted, verdict.problems) == (accepted, problems)
    assert verdict.rule == "6-20 characters, with letters, numbers and special characters"


@pytest.mark.parametrize(
    ("password", "accepted"),
    [("abcdefg", False), ("abcdefgh", True), ("12345678", True), ("x" * 10_000, True)],
)
def test_other_platforms_get_the_nist_default_of_8_characters_and_no_composition_rule(
    password: str, accepted: bool
) -> None:
    for platform in ("meta_business", None):
        verdict = acceptance(password, platform)
        assert verdict.accepted is accepted
        assert verdict.problems == (() if accepted else ("shorter than 8 characters",))


# -- strength -------------------------------------------------------------------------------------


def test_the_members_own_words_make_a_password_weak() -> None:
    words = passwords.own_words(
        display_name="Ana Lopez",
        email="ana.lopez@acmeshoes.example",
        account_names=["Acme Shoes Ads"],
        platforms=[TIKTOK],
    )
    assert {"ana", "lopez", "acmeshoes", "acme shoes ads", "tiktok", "tiktok for business"} <= set(
        words
    )

    theirs = strength("acmeshoeslopez", words)
    anyones = strength("acmeshoeslopez", [])

    assert "user_inputs" in theirs.dictionaries and "user_inputs" not in anyones.dictionaries
    assert theirs.score < anyones.score
    assert theirs.score < 3


def test_a_verdict_names_its_score_crack_time_and_advice() -> None:
    weak = strength("password1", [])
    strong = strength("correct-horse-battery-staple-9", [])

    assert weak.score <= 1 and weak.words in ("very weak", "weak")
    assert weak.warning and weak.suggestions
    assert strong.score == 4 and strong.words == "very strong"
    assert "centuries" in strong.crack_time or "years" in strong.crack_time
    assert (strong.evaluated_length, strong.truncated) == (30, False)


@pytest.mark.parametrize("length", [72, 1_000, 100_000])
def test_long_passwords_are_answered_quickly_and_scored_on_a_bounded_prefix(length: int) -> None:
    password = random_password(length, seed=length)

    started = time.perf_counter()
    verdict = strength(password, ["ana", "acme shoes ads"])
    elapsed = time.perf_counter() - started

    assert elapsed < 1.0  # a guard; bench/passwords.py measures the real figures
    assert verdict.truncated and verdict.evaluated_length <= MAX_EVALUATED
    assert verdict.score == 4
    assert acceptance(password, TIKTOK).problems == ("longer than 20 characters",)
    assert acceptance(password, None).accepted


@pytest.mark.parametrize(
    "password",
    [
        (L33T_SUBSTITUTES * 6)[:72],  # seconds in zxcvbn without the work budget
        ("4@8(3691!|0$5+7%2" * 6)[:72],
        "mn" * 5_000,  # zxcvbn's match sequence search is cubic in the length
        "ii" * 36,
        "1" * 100_000,
    ],
)
def test_no_content_makes_a_check_slow(password: str) -> None:
    started = time.perf_counter()
    verdict = strength(password, ["ana"])
    elapsed = time.perf_counter() - started

    assert elapsed < 1.0
    assert verdict.evaluated_length <= MAX_EVALUATED


def test_the_prefix_shrinks_only_when_l33t_substitutes_multiply_the_work() -> None:
    plain = random_password(200, seed=3)
    assert bounded_prefix("a" * 100) == "a" * MAX_EVALUATED
    assert bounded_prefix("short1!") == "short1!"
    assert len(bounded_prefix(L33T_SUBSTITUTES * 4)) < 20
    assert plain.startswith(bounded_prefix(plain))


def test_the_l33t_bound_covers_what_zxcvbn_really_tries() -> None:
    """The work budget relies on this bound: zxcvbn's count must never exceed it."""
    ambiguous = "1!|7+"  # substitutes that stand for more than one letter (i, l, t)
    for size in range(len(ambiguous) + 1):
        for chosen in itertools.combinations(ambiguous, size):
            for others in ("", "4@(", "4@8({[<369$5%20"):
                characters = "".join(chosen) + others
                table = matching.relevant_l33t_subtable(characters, matching.L33T_TABLE)
                tried = len(matching.enumerate_l33t_subs(table)) if table else 0
                assert tried <= passwords.l33t_substitutions_bound(characters)


@pytest.fixture
def fast_thread_switching() -> Iterator[None]:
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # interleave threads inside zxcvbn as often as possible
    yield
    sys.setswitchinterval(before)


@pytest.mark.usefixtures("fast_thread_switching")
def test_parallel_checks_never_see_each_others_words_and_leave_none_behind() -> None:
    """Each thread's password is another thread's own word: had a check seen the other's words,
    its password would match the `user_inputs` dictionary."""
    threads = 8
    rounds = 6
    own = [
        f"{''.join(random.Random(n).choices(string.ascii_lowercase, k=14))}" for n in range(threads)
    ]
    barrier = threading.Barrier(threads, timeout=30)
    leaks: list[str] = []
    misses: list[str] = []
    errors: list[str] = []

    def check(n: int) -> None:
        neighbour = own[(n + 1) % threads]
        try:
            for _ in range(rounds):
                barrier.wait()
                theirs = strength(neighbour, [own[n]])  # the neighbour's word, with my word
                mine = strength(own[n], [own[n]])  # my own word, with my word
                if "user_inputs" in theirs.dictionaries:
                    leaks.append(f"thread {n} saw thread {(n + 1) % threads}'s words")
                if "user_inputs" not in mine.dictionaries:
                    misses.append(f"thread {n} lost its own words")
        except Exception as error:  # noqa: BLE001 - zxcvbn shared between threads can crash
            errors.append(f"thread {n}: {type(error).__name__}: {error}")
            barrier.abort()

    workers = [threading.Thread(target=carrying(check), args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == [] and leaks == [] and misses == []
    assert "user_inputs" not in matching.RANKED_DICTIONARIES


def test_nothing_of_a_check_stays_in_zxcvbns_dictionary_even_when_it_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def failing_scoring(password: str, matches: object, _exclude_additive: bool = False) -> None:
        assert "user_inputs" in matching.RANKED_DICTIONARIES  # zxcvbn had put the words there
        raise RuntimeError("scoring failed")

    monkeypatch.setattr("zxcvbn.scoring.most_guessable_match_sequence", failing_scoring)
    with pytest.raises(RuntimeError):
        strength("anything", ["secretword"])
    assert "user_inputs" not in matching.RANKED_DICTIONARIES


# -- reuse ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("Summer2026!", "Summer2026!", True),  # exact
        ("Summer2026!", "summer2026!", True),  # case only
        ("Summer2026!", "Summer2027!", True),  # one edit
        ("Summer2026!", "Summer2026!!x", True),  # two edits
        ("Summer2026!", "Sumer2026?", True),  # two edits (a deletion and a substitution)
        ("Summer2026!", "Winter2026!", False),  # three edits
        ("Summer2026", "xxSummer2026yyy", True),  # contained, at least 6 characters
        ("abc12", "zzabc12zz", False),  # contained but shorter than 6 (and 4 edits)
        ("correct horse", "battery staple", False),
    ],
)
def test_near_identical_passwords(first: str, second: str, same: bool) -> None:
    assert near_identical(first, second) is same
    assert near_identical(second, first) is same


def test_the_edit_distance_agrees_with_levenshtein() -> None:
    def levenshtein(a: str, b: str) -> int:
        previous = list(range(len(b) + 1))
        for i, char_a in enumerate(a, start=1):
            current = [i]
            for j, char_b in enumerate(b, start=1):
                current.append(
                    min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
                )
            previous = current
        return previous[-1]

    generator = random.Random(7)
    for _ in range(3_000):
        a = "".join(generator.choices("ab", k=generator.randint(0, 7)))
        b = "".join(generator.choices("ab", k=generator.randint(0, 7)))
        for limit in range(4):
            assert within_edits(a, b, limit) is (levenshtein(a, b) <= limit), (a, b, limit)


def test_comparing_huge_passwords_stays_fast() -> None:
    huge = random_password(100_000, seed=5)
    nearly = huge[:50_000] + "#" + huge[50_001:] + "z"

    started = time.perf_counter()
    assert near_identical(huge, nearly)
    assert not near_identical(huge, random_password(100_000, seed=6))
    assert time.perf_counter() - started < 0.5


def test_reuse_groups_name_keys_never_passwords() -> None:
    groups = reuse_groups(
        {
            "Shoes": "Tr0ub4dor&3",
            "Hats": "tr0ub4dor&3",
            "Bags": "Tr0ub4dor&4",
            "Socks": "zQ9!pLm2#x",
        }
    )

    assert groups == [["Shoes", "Hats", "Bags"]]
    assert reuse_groups({"Shoes": "Tr0ub4dor&3", "Hats": ""}) == []


# -- breaches -------------------------------------------------------------------------------------


def test_a_range_answer_counts_the_suffix_and_ignores_padding() -> None:
    digest = sha1_hex("P@ssw0rd")
    assert digest == "21BD12DC183F740EE76F27B78EB39C8AD972A757"
    suffix = digest[5:]
    answer = f"0018A45C4D1DEF81644B54AB7F969B88D65:3\r\n{suffix}:52579\r\nFFFF0000000000000000000000000000000:0\r\n"

    assert breach_count(answer, suffix) == 52579
    assert breach_count(f"{suffix}:0\r\n", suffix) == 0  # a padding line
    assert breach_count("", suffix) == 0
    with pytest.raises(BreachLookupFailed):
        breach_count("<html>Service unavailable</html>", suffix)
